"""CLI: readable, --json and --batch output, bad input never crashes."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from geodata import Gazetteer
from geodata.cli import main

ROOT = Path(__file__).resolve().parents[2]


def _run(args: list[str], cache_dir: Path) -> tuple[int, str]:
    out = io.StringIO()
    code = main(["--cache-dir", str(cache_dir), *args], out=out)
    return code, out.getvalue()


def test_readable(gaz: Gazetteer, cache_dir: Path) -> None:
    code, text = _run(["geocode", "Ielets"], cache_dir)
    assert code == 0 and "Yelets" in text and "RU" in text and "Lipetsk" in text


def test_abstention_exit_code_and_candidates(gaz: Gazetteer, cache_dir: Path) -> None:
    code, text = _run(["geocode", "Novomykhailivka", "--admin1", "Donetsk"], cache_dir)
    assert code == 1 and "ABSTAINED" in text and "Pokrovskyi" in text and "Kramatorskyi" in text


def test_json(gaz: Gazetteer, cache_dir: Path) -> None:
    code, text = _run(["geocode", "la région de Lipetsk", "--json"], cache_dir)
    obj = json.loads(text)
    assert (
        code == 0
        and obj["precision"] == 3
        and obj["admin1"] == "Lipetsk"
        and obj["source"] == "gazetteer"
    )


def test_unknown_country_is_a_clear_error(
    gaz: Gazetteer, cache_dir: Path, capsys: pytest.CaptureFixture
) -> None:
    code, _ = _run(["geocode", "Kharkiv", "--country", "ZZ"], cache_dir)
    assert code == 2 and "unknown country" in capsys.readouterr().err


def test_batch(gaz: Gazetteer, cache_dir: Path, tmp_path: Path) -> None:
    csv_path = tmp_path / "in.csv"
    rows = [
        "query,country,admin1,notes",
        "Ielets,,,AFP",
        "Milove,,Kharkiv,seed report",
        "Odessa,US,,",
        ",,,empty",
        "Kharkiv,ZZ,,bad country",
        '"' + "x" * 10_000_000 + '",,,10 MB',
        "Харків,UA,Харківська область,",
        "💥,,,emoji",
    ]
    csv_path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    code, text = _run(["geocode", "--batch", str(csv_path)], cache_dir)
    lines = [json.loads(line) for line in text.splitlines()]
    assert code == 0 and len(lines) == 8
    for obj in lines:
        for key in (
            "query",
            "name",
            "lat",
            "lon",
            "country",
            "admin1",
            "precision",
            "confidence",
            "source",
        ):
            assert key in obj
    assert lines[0]["name"] == "Yelets" and lines[0]["country"] == "RU"
    assert lines[1]["pcode"] == "UA6308003017" and lines[1]["geonames_id"] == 701103
    assert "region Kharkiv" in lines[1]["reason"] and lines[1]["hints"]
    assert lines[2]["admin1"] == "Texas"
    for bad in (3, 4, 5, 7):
        assert lines[bad]["lat"] is None and lines[bad]["reason"].startswith("invalid input")
    assert len(lines[5]["query"]) <= 200
    assert lines[6]["geonames_id"] == 706483


def test_batch_without_query_column(gaz: Gazetteer, cache_dir: Path, tmp_path: Path) -> None:
    p = tmp_path / "bad.csv"
    p.write_text("name,country\nKharkiv,UA\n", encoding="utf-8")
    code, text = _run(["geocode", "--batch", str(p)], cache_dir)
    assert code == 2 and text == ""


def test_reverse_cli(gaz: Gazetteer, cache_dir: Path) -> None:
    code, text = _run(["reverse", "49.99", "36.23", "--json"], cache_dir)
    assert code == 0 and json.loads(text)["admin1"] == "Kharkiv"


def test_python_m_geodata(gaz: Gazetteer, cache_dir: Path) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "geodata",
            "--cache-dir",
            str(cache_dir),
            "geocode",
            "Zaporijjia",
            "--json",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["geonames_id"] == 687700


def test_cli_default_store_is_the_places_default() -> None:
    from geodata import cli, places

    assert places.default_url() == f"sqlite:///{cli._DEFAULT_DB}" or "INCIDENTS_DB" in os.environ


def test_sqlite_gate_before_team_places(tmp_path: Path) -> None:
    import sqlite3

    from geodata.cli import _sqlite_has_places

    db = tmp_path / "s.sqlite"
    assert not _sqlite_has_places(db)  # no file
    sqlite3.connect(db).close()
    assert not _sqlite_has_places(db)  # no table
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE places (place_id INTEGER)")
    assert not _sqlite_has_places(db)  # empty
    with sqlite3.connect(db) as conn:
        conn.execute("INSERT INTO places VALUES (1)")
    assert _sqlite_has_places(db)


def test_batch_repeated_rows_get_the_answer_of_their_own_inputs(
    gaz: Gazetteer, cache_dir: Path, tmp_path: Path
) -> None:
    csv_path = tmp_path / "in.csv"
    rows = ["query,country,admin1", "Milove,,Kharkiv", "Milove,,Luhansk", "Milove,,Kharkiv"]
    rows += ["Milove,,"]
    csv_path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    code, text = _run(["geocode", "--batch", str(csv_path)], cache_dir)
    lines = [json.loads(line) for line in text.splitlines()]
    assert code == 0 and len(lines) == 4
    assert lines[0] == lines[2] and lines[0]["pcode"] == "UA6308003017"
    assert lines[1]["pcode"] != lines[0]["pcode"] and lines[1]["lat"] is not None
    assert lines[3]["lat"] is None  # two Miloves, no hint


def test_batch_line_is_the_json_of_the_result_dict(gaz: Gazetteer) -> None:
    from geodata import GeocodeResult
    from geodata.cli import _batch_line
    from geodata.places import TeamPlace

    team = gaz.with_places(
        [
            TeamPlace(
                place_id=1,
                name="Бліндаж «Північ»",
                latitude=49.7,
                longitude=37.6,
                author="analyst",
                provenance="drone video",
                created="2025-01-01T00:00:00Z",
                country="UA",
                admin1="Kharkiv",
            )
        ]
    )
    results = [
        gaz.geocode("Ielets"),
        gaz.geocode("Novomykhailivka"),
        gaz.geocode("Milové, dans la région de Kharkiv"),
        gaz.geocode("la région de Lipetsk"),
        gaz.geocode("Xqzzyvk"),
        gaz.geocode("Odessa", country="US"),
        team.geocode("Бліндаж «Північ»"),
        GeocodeResult.abstain('a "quoted" \\ name\n', "invalid input: test", source="gazetteer"),
    ]
    assert any(len(r.candidates) > 3 for r in results) and any(r.hints for r in results)
    assert results[6].source == "places" and results[3].precision == 3
    for res in results:
        assert _batch_line(res) == json.dumps(res.to_dict(), ensure_ascii=False) + "\n"
    with pytest.raises(TypeError):
        _batch_line(GeocodeResult.abstain("x", "y", source="z", hints=(object(),)))  # type: ignore[arg-type]


def test_a_batch_answered_by_several_processes_equals_one_process(
    gaz: Gazetteer, cache_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import geodata.cli as cli

    names = ["Ielets", "Milove", "Odessa", "Pokrovsk", "Lyman", "Xqzzyvk", "Харків", "Słowiańsk"]
    hints = ["", ",,Kharkiv", ",UA,", ",RU,", ",,Donetsk"]
    rows = [f"{n}{h}" if h else f"{n},," for n in names for h in hints]
    rows = rows + rows[::3] + rows[:5]  # repeats within a block and across blocks
    csv_path = tmp_path / "in.csv"
    csv_path.write_text("query,country,admin1\n" + "\n".join(rows) + "\n", encoding="utf-8")
    monkeypatch.setattr(cli, "_BATCH_BLOCK", 17)  # several blocks, rows seen in earlier ones
    monkeypatch.setattr(cli, "_PARALLEL_MIN", 4)  # every block's new rows go to the workers
    code, alone = _run(["geocode", "--batch", str(csv_path), "--jobs", "1"], cache_dir)
    forked: list[int] = []
    real = cli._Answers.lines

    def counted(self, keys):  # type: ignore[no-untyped-def]
        if self.jobs > 1 and len(keys) >= cli._PARALLEL_MIN:
            forked.append(len(keys))
        return real(self, keys)

    monkeypatch.setattr(cli._Answers, "lines", counted)
    code2, shared = _run(["geocode", "--batch", str(csv_path), "--jobs", "3"], cache_dir)
    assert code == code2 == 0 and forked  # the workers answered some blocks
    assert shared == alone and len(alone.splitlines()) == len(rows)


def test_online_batches_and_bad_job_counts_stay_in_one_process(
    gaz: Gazetteer, cache_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    from geodata import GeocoderChain
    from geodata.cli import _Answers
    from geodata.providers.nominatim import NominatimProvider

    online = GeocoderChain(
        gazetteer=gaz, providers=[NominatimProvider(user_agent="tests", timeout=1.0)]
    )
    assert _Answers(online, 4).jobs == 1  # one rate-limited client, one cache
    assert _Answers(GeocoderChain(gazetteer=gaz), 4).jobs == 4
    csv_path = tmp_path / "in.csv"
    csv_path.write_text("query\nIelets\n", encoding="utf-8")
    with pytest.raises(SystemExit) as exit_:
        _run(["geocode", "--batch", str(csv_path), "--jobs", "0"], cache_dir)
    assert exit_.value.code == 2 and "at least 1" in capsys.readouterr().err
