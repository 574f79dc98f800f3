"""Edits, deletions, reverts, imports and saved drafts are recorded; exports carry the history."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pyogrio
import pytest

from incidents import ImportRejected, IncidentsError, Store, ValidationError, export, load_frame
from incidents.cli import main
from incidents.draft import draft_report, find_matches, merge_differences, save_drafts
from incidents.history import (
    HistoryError,
    delete_incident,
    edit_incident,
    export_history,
    get_incident,
    history,
    history_csv_bytes,
    history_of,
    revert,
    with_history_geojson,
    with_history_gpkg,
)
from incidents.importer import import_file

REPORTS = Path(__file__).parent / "reports"


def row(store, event_id):
    frame = store.frame().set_index("event_id")
    return frame.loc[event_id] if event_id in frame.index else None


def test_an_edit_records_each_changed_field_and_bumps_the_revision(store):
    before = store.revision
    n = edit_incident(
        store,
        "AFP-20250703-03",
        {"fatalities": 2, "fatalities_low": 2, "fatalities_high": 2, "notes": "updated"},
        why="AFP update",
        who="desk",
    )
    assert n == 4 and store.revision == before + 1
    h = history(store, "AFP-20250703-03")
    assert set(h["field"]) == {"fatalities", "fatalities_low", "fatalities_high", "notes"}
    f = h.set_index("field").loc["fatalities"]
    assert (f["old"], f["new"], f["why"], f["who"], f["kind"]) == (
        "1",
        "2",
        "AFP update",
        "desk",
        "edit",
    )
    assert row(store, "AFP-20250703-03")["fatalities"] == 2
    assert (
        edit_incident(store, "AFP-20250703-03", {"notes": "updated"}) == 0
    )  # no change, no record


def test_an_invalid_edit_writes_nothing(store):
    before = store.revision
    with pytest.raises(ValidationError, match="claimed_by"):
        edit_incident(store, "AFP-20250703-01", {"claim_status": "claimed"}, why="x")
    with pytest.raises(HistoryError, match="unknown field"):
        edit_incident(store, "AFP-20250703-01", {"colour": "red"})
    with pytest.raises(HistoryError, match="no incident"):
        edit_incident(store, "NOPE", {"notes": "x"})
    assert store.revision == before and len(history(store)) == 0


def test_revert_of_an_edit_and_of_a_deletion(store):
    old_notes = row(store, "AFP-20250703-02")["notes"]
    edit_incident(store, "AFP-20250703-02", {"notes": "wrong"}, why="typo")
    change = int(history(store, "AFP-20250703-02")["change_id"].iloc[0])
    revert(store, change, who="editor")
    assert row(store, "AFP-20250703-02")["notes"] == old_notes
    assert history(store, "AFP-20250703-02")["kind"].iloc[0] == "revert"

    with pytest.raises(HistoryError, match="reason"):
        delete_incident(store, "AFP-20250703-05", why=" ")
    delete_incident(store, "AFP-20250703-05", why="duplicate of another report")
    assert row(store, "AFP-20250703-05") is None
    deletion = int(history(store, "AFP-20250703-05")["change_id"].iloc[0])
    revert(store, deletion)
    restored = row(store, "AFP-20250703-05")
    assert restored["location"] == "Milove" and restored["claim_status"] == "claimed"


def test_a_revert_refuses_a_field_changed_since(store):
    edit_incident(store, "AFP-20250703-02", {"notes": "first"})
    first = int(history(store)["change_id"].iloc[0])
    edit_incident(store, "AFP-20250703-02", {"notes": "second"})
    with pytest.raises(HistoryError, match="changed since"):
        revert(store, first)


CSV_HEADER = (
    "event_id,event_date,time_precision,event_type,sub_event_type,country,location,"
    "latitude,longitude,geo_precision,claim_status\n"
)


def _csv_row(event_id: str, location: str = "Kharkiv") -> str:
    return (
        f"{event_id},2025-07-01,1,Battles,Armed clash,Ukraine,{location},49.98,36.25,1,confirmed\n"
    )


def test_an_import_records_each_incident_it_stored_with_its_file_and_author(store, tmp_path):
    path = tmp_path / "desk-july.csv"
    bad = "X-BAD,2025-07-01,1,Battles,Armed clash,Ukraine,Kharkiv,99,36.25,1,confirmed\n"
    path.write_text(CSV_HEADER + _csv_row("X-1") + _csv_row("X-2") + bad, encoding="utf-8")
    report = import_file(store, path, who="analyst@desk")
    assert (report.inserted, len(report.errors)) == (2, 1)
    imports = history(store).query("kind == 'import'")
    assert sorted(imports["event_id"]) == ["X-1", "X-2"]  # the rejected row is not recorded
    assert set(imports["who"]) == {"analyst@desk"}
    assert set(imports["new"]) == {"imported from desk-july.csv (csv)"}
    assert imports["old"].isna().all()
    # again, skipping known ids: only the new one is recorded; replacing: recorded as replaced
    path.write_text(CSV_HEADER + _csv_row("X-2") + _csv_row("X-3"), encoding="utf-8")
    import_file(store, path, on_conflict="skip")
    assert history(store, "X-2").shape[0] == 1 and history(store, "X-3").shape[0] == 1
    path.write_text(CSV_HEADER + _csv_row("X-3", "Kharkiv city"), encoding="utf-8")
    import_file(store, path, on_conflict="replace", source="desk sheet")
    latest = history(store, "X-3").iloc[0]
    assert (latest["old"], latest["new"]) == (
        "replaced by this import",
        "imported from desk sheet (csv)",
    )


def test_an_import_into_an_empty_store_records_each_incident_in_file_order(empty_store, tmp_path):
    path = tmp_path / "first.csv"
    bad = "X-BAD,2025-07-01,1,Battles,Armed clash,Ukraine,Kharkiv,99,36.25,1,confirmed\n"
    rows = [_csv_row("X-3"), bad, _csv_row("X-1"), _csv_row("X-2")]
    path.write_text(CSV_HEADER + "".join(rows), encoding="utf-8")
    with pytest.raises(ImportRejected):
        import_file(empty_store, path, strict=True)
    assert history(empty_store).empty  # a rejected import records nothing
    report = import_file(empty_store, path, who="analyst@desk", chunk_bytes=120)
    assert (report.inserted, len(report.errors)) == (3, 1)
    imports = history(empty_store).sort_values("change_id")
    assert imports["event_id"].tolist() == ["X-3", "X-1", "X-2"]
    assert set(imports["kind"]) == {"import"} and set(imports["field"]) == {"*"}
    assert set(imports["who"]) == {"analyst@desk"} and imports["old"].isna().all()
    assert set(imports["new"]) == {"imported from first.csv (csv)"}
    assert set(imports["why"]) == {"csv import: 3 inserted, 0 replaced"}
    assert imports["at"].nunique() == 1


def test_imports_and_saved_drafts_appear_in_the_history(store, tmp_path):
    path = tmp_path / "one.csv"
    path.write_text(
        "event_id,event_date,time_precision,event_type,sub_event_type,country,location,"
        "latitude,longitude,geo_precision,claim_status\n"
        "X-1,2025-07-01,1,Battles,Armed clash,Ukraine,Kharkiv,49.98,36.25,1,confirmed\n",
        encoding="utf-8",
    )
    import_file(store, path)
    (row,) = history(store, "X-1").itertuples()
    assert (row.kind, row.field, row.new) == ("import", "*", "imported from one.csv (csv)")
    report = draft_report(
        (REPORTS / "en_recaptures.txt").read_text(encoding="utf-8"), published=dt.date(2025, 7, 10)
    )
    result = save_drafts(store, [d.record for d in report.drafts], groups=report.groups, who="me")
    assert len(result.created) == 2
    created = history(store)
    created = created[created["kind"] == "create"]
    assert set(created["event_id"]) == set(result.created)
    assert set(created["who"]) == {"me"}


def test_saving_is_one_transaction_and_unplaced_drafts_are_refused(store):
    report = draft_report(
        (REPORTS / "afp_20250703.txt").read_text(encoding="utf-8"), published=dt.date(2025, 7, 3)
    )
    records = [dict(d.record) for d in report.drafts]
    before = (store.count(), store.revision)
    records[4].update(latitude=None, longitude=None)  # as a village the gazetteer cannot settle
    with pytest.raises(ValidationError, match="not placed"):
        save_drafts(store, records, groups=report.groups)
    records[4].update(latitude=50.21, longitude=37.6, geo_precision=2, geo_source="manual")
    records[0]["claim_status"] = "claimed"  # no claimed_by: invalid, so nothing at all is saved
    with pytest.raises(ValidationError, match="claimed_by"):
        save_drafts(store, records, groups=report.groups)
    assert (store.count(), store.revision) == before


def test_a_draft_of_a_stored_incident_is_offered_and_saved_as_a_merge(store):
    report = draft_report(
        (REPORTS / "afp_20250703.txt").read_text(encoding="utf-8"), published=dt.date(2025, 7, 3)
    )
    yelets = next(d.record for d in report.drafts if d.record["location"] == "Yelets")
    matches = find_matches(store, yelets)
    assert [m["event_id"] for m in matches] == ["AFP-20250703-04"]
    other_type = {**yelets, "event_type": "Battles"}
    assert find_matches(store, other_type) == []
    far = {**yelets, "latitude": yelets["latitude"] + 0.1}  # about 11 km north
    assert find_matches(store, far) == []
    later = {**yelets, "event_date": "2025-07-05"}
    assert find_matches(store, later) == []
    copy = {**yelets, "source": "Reuters", "sources": [{"outlet": "Reuters", "quote": "q"}]}
    count = store.count()
    result = save_drafts(store, [copy], merges={copy["event_id"]: "AFP-20250703-04"})
    assert result.merged == {copy["event_id"]: "AFP-20250703-04"} and store.count() == count
    stored = row(store, "AFP-20250703-04")
    assert stored["source"] == "AFP;Reuters"
    assert '"Reuters"' in stored["sources"]
    assert history(store, "AFP-20250703-04")["kind"].iloc[0] == "merge"


def test_history_exports_are_formula_safe_and_the_cli_drives_it_all(store, tmp_path, capsys):
    db = ["--db", store.url]
    assert main([*db, "edit", "AFP-20250703-02", 'notes==HYPERLINK("x")', "--why", "t"]) == 0
    assert main([*db, "edit", "AFP-20250703-02", "fatalities=x"]) == 1
    assert "fatalities" in capsys.readouterr().err
    assert main([*db, "delete", "AFP-20250703-01", "--why", "dup", "--who", "desk"]) == 0
    assert main([*db, "history", "AFP-20250703-01"]) == 0
    out = capsys.readouterr().out
    assert "delete" in out and "desk" in out
    change = int(history(store, "AFP-20250703-01")["change_id"].iloc[0])
    assert main([*db, "revert", str(change)]) == 0
    assert row(store, "AFP-20250703-01") is not None
    path = tmp_path / "e.csv"
    assert main([*db, "export", "--out", str(path), "--history"]) == 0
    with open(f"{path}.history.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 3
    notes = next(r for r in rows if r["field"] == "notes")
    assert notes["new"].startswith("'=")  # never a formula in a spreadsheet
    assert export_history(store, str(tmp_path / "h.csv"), event_id="AFP-20250703-02") == 1


def test_an_import_records_its_author(store, tmp_path):
    path = tmp_path / "one.csv"
    path.write_text(
        "event_id,event_date,time_precision,event_type,sub_event_type,country,location,"
        "latitude,longitude,geo_precision,claim_status\n"
        "X-1,2025-07-01,1,Battles,Armed clash,Ukraine,Kharkiv,49.98,36.25,1,confirmed\n",
        encoding="utf-8",
    )
    import_file(store, path, who="ana@desk.example")
    change = history(store).iloc[0]
    assert (change["kind"], change["who"]) == ("import", "ana@desk.example")


def test_geopackage_and_geojson_exports_carry_the_history_of_their_incidents(store, tmp_path):
    edit_incident(store, "AFP-20250703-03", {"notes": "Lipetsk, checked"}, why="desk", who="ana")
    edit_incident(store, "AFP-20250703-01", {"notes": "Poltava, checked"}, why="desk")
    db = ["--db", store.url]
    gpkg = tmp_path / "russia.gpkg"
    assert (
        main(
            [
                *db,
                "export",
                "--format",
                "gpkg",
                "--out",
                str(gpkg),
                "--country",
                "Russia",
                "--history",
            ]
        )
        == 0
    )
    assert "history" in {name for name, _ in pyogrio.list_layers(gpkg)}
    layer = pyogrio.read_dataframe(gpkg, layer="history")
    # only the exported incidents' changes: Lipetsk is in Russia, Poltava is not
    assert layer[["event_id", "field", "new", "who"]].values.tolist() == [
        ["AFP-20250703-03", "notes", "Lipetsk, checked", "ana"]
    ]
    geojson = tmp_path / "all.geojson"
    assert main([*db, "export", "--format", "geojson", "--out", str(geojson), "--history"]) == 0
    doc = json.loads(geojson.read_text(encoding="utf-8"))
    assert len(doc["features"]) == store.count()
    assert sorted(h["event_id"] for h in doc["history"]) == ["AFP-20250703-01", "AFP-20250703-03"]
    # the library's in-memory versions (the page's downloads)
    frame = load_frame(store)
    changes = history_of(store, frame.loc[frame["country"] == "Ukraine", "event_id"])
    assert changes["event_id"].tolist() == ["AFP-20250703-01"]
    data = with_history_gpkg(export.to_gpkg_bytes(frame), changes)
    (tmp_path / "mem.gpkg").write_bytes(data)
    assert pyogrio.read_dataframe(tmp_path / "mem.gpkg", layer="history")["event_id"].tolist() == [
        "AFP-20250703-01"
    ]
    doc = json.loads(with_history_geojson(export.to_geojson_bytes(frame), changes))
    assert doc["type"] == "FeatureCollection" and doc["history"][0]["new"] == "Poltava, checked"
    assert history_csv_bytes(changes).decode().count("\n") == 2


def test_a_merge_shows_differing_figures_and_takes_only_the_chosen_ones(store):
    report = draft_report(
        "Ukrainian drones killed two civilians in Yelets on Thursday, Russia's "
        "defence ministry said.",
        published=dt.date(2025, 7, 3),
        outlet="Reuters",
    )
    (draft,) = report.drafts
    stored = get_incident(store, "AFP-20250703-04")  # Yelets: fire, "sans faire de victimes" (0)
    (stored_match,) = find_matches(store, draft.record)
    diffs = {d.name: d for d in merge_differences(stored_match, draft.record)}
    assert set(diffs) == {"actor2", "fatalities"}  # same date, type, actor, claim
    f = diffs["fatalities"]
    assert (f.describe(f.stored), f.describe(f.drafted)) == ("0", "2")
    assert diffs["actor2"].describe(diffs["actor2"].drafted) == "Civilians (Russia)"
    # the analyst takes the drafted toll but keeps the stored actor2
    before = store.revision
    save_drafts(
        store,
        [draft.record],
        merges={draft.record["event_id"]: "AFP-20250703-04"},
        take={draft.record["event_id"]: ["fatalities"]},
        who="desk",
        why="from the Reuters report of 2025-07-03",
    )
    now = get_incident(store, "AFP-20250703-04")
    assert (now["fatalities"], now["fatalities_low"], now["fatalities_high"]) == (2, 2, 2)
    assert now["actor2"] == stored["actor2"] and now["injured"] == stored["injured"]
    assert now["source"] == "AFP;Reuters" and store.revision == before + 1
    changes = history(store, "AFP-20250703-04").set_index("field")
    assert set(changes.index) == {
        "fatalities",
        "fatalities_low",
        "fatalities_high",
        "sources",
        "source",
    }
    killed = changes.loc["fatalities"]
    assert (killed["old"], killed["new"], killed["kind"], killed["who"]) == (
        "0",
        "2",
        "merge",
        "desk",
    )
    assert "value from Reuters 2025-07-03" in killed["why"]
    # each reconciled field can be reverted like an edit
    revert(store, int(killed["change_id"]))
    assert get_incident(store, "AFP-20250703-04")["fatalities"] == 0
    # a name that is not reconcilable is refused, nothing written
    with pytest.raises(IncidentsError, match="cannot take"):
        save_drafts(
            store,
            [draft.record],
            merges={draft.record["event_id"]: "AFP-20250703-04"},
            take={draft.record["event_id"]: ["latitude"]},
        )


def test_import_history_merge_and_linked_revert_on_every_backend(new_store_url, tmp_path):
    store = Store.open(new_store_url())  # seeded
    path = tmp_path / "desk.csv"
    path.write_text(CSV_HEADER + _csv_row("X-1") + _csv_row("X-2"), encoding="utf-8")
    import_file(store, path, who="ana", refresh_snapshot=False)
    imports = history(store).query("kind == 'import'")
    assert sorted(imports["event_id"]) == ["X-1", "X-2"] and set(imports["who"]) == {"ana"}
    edit_incident(
        store,
        "AFP-20250703-03",
        {"fatalities": 2, "fatalities_low": 2, "fatalities_high": 2},
        why="toll",
    )
    change = int(
        history(store, "AFP-20250703-03").query("field == 'fatalities_low'")["change_id"].iloc[0]
    )
    revert(store, change)  # the best estimate and the range go back together
    back = get_incident(store, "AFP-20250703-03")
    assert (back["fatalities"], back["fatalities_low"], back["fatalities_high"]) == (1, 1, 1)
