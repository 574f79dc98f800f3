"""Property tests (Hypothesis) over the readers, validation and the store: whatever the input,
the result is rejected rows naming line, field and reason, or one clear file-level error;
never a traceback, and nothing invalid stored.

``HYPOTHESIS_PROFILE=fuzz`` runs 2,000 cases per test instead of the derandomized 25.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
from hypothesis import example, given
from hypothesis import strategies as st

from incidents import IncidentsError, Store, import_file, validate_frame
from incidents.schema import COLUMNS, COUNT_COLUMNS, GEO_PRECISIONS, TIME_PRECISIONS

FIXTURES = Path(__file__).parents[1] / "incidents" / "fixtures"
NAMES = [c.name for c in COLUMNS]
STORED_BAD = {"\x00", "\ufeff"}

#: Strings that broke, or nearly broke, a reader or the validation once.
NASTY = [
    "1.5", "2.0", "-0", " 3 ", "1e308", "-1e308", "1e400", str(2**63), str(2**64), "NaN", "inf",
    "-inf", "0x10", "١٢", "½", "", " ", "2025-07-03T10:00:00+02:00", "2025-07-03T10:00Z",
    "2025-07-03 10:00:00-0500", "03 July 2025", "2025-02-30", "0001-01-01", "9999-12-31",
    "20250703", "2025-W27", "=HYPERLINK(\"x\")", "'=1+1", "\x1b[31m", "\u202e", "\ufeffid",
    '"', '""', "a,b", "a\nb", "a\r\nb", "\t", "[]", "[{}]", '[{"outlet": ""}]', "{}",
    '[{"outlet": "x", "url": "javascript:alert(1)"}]', "Battles", "Armed clash", "Ukraine",
]  # fmt: skip
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=30)
CELL = st.one_of(st.sampled_from(NASTY), TEXT)
VALUE = st.one_of(
    st.none(),
    CELL,
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
)


def _good_row(i: int) -> dict:
    return {
        "event_id": f"P-{i}",
        "event_date": "2025-07-03",
        "event_type": "Battles",
        "sub_event_type": "Armed clash",
        "country": "Ukraine",
        "location": "Pokrovsk",
        "latitude": "48.28",
        "longitude": "37.17",
        "geo_precision": "1",
    }


@st.composite
def frames(draw) -> pd.DataFrame:
    """Up to 25 rows: good ones with some cells replaced by hostile values (many rows per
    case: a case costs mostly the fixed price of one validation)."""
    n = draw(st.integers(1, 25))
    rows = []
    for i in range(n):
        row = _good_row(i)
        for name in draw(st.lists(st.sampled_from(NAMES), max_size=5)):
            row[name] = draw(VALUE)
        rows.append(row)
    return pd.DataFrame(rows, dtype=object)


@given(frames())
def test_validation_rejects_rows_and_never_raises(frame):
    report = validate_frame(frame, today=dt.date(2026, 1, 1))
    rejected = {e.line for e in report.errors}
    assert len(report.valid) + len(rejected) == len(frame)
    assert all(e.field and e.message for e in report.errors)
    valid = report.valid
    assert valid["latitude"].abs().le(90).all() and valid["longitude"].abs().le(180).all()
    assert valid["geo_precision"].isin(GEO_PRECISIONS).all()
    assert valid["time_precision"].isin(TIME_PRECISIONS).all()
    for name in COUNT_COLUMNS:
        assert (valid[name].dropna() >= 0).all()
    assert valid["event_date"].between(pd.Timestamp("1900-01-01"), pd.Timestamp("2026-01-01")).all()
    # What passes validation can be stored and read back unchanged (shared figures aside:
    # whether a casualty group exists is the store's rule).
    valid = valid.assign(casualty_group=pd.Series(pd.NA, index=valid.index, dtype="string"))
    store = Store.open("sqlite://", seed=False)
    assert store.insert(valid).inserted == len(valid)
    back = store.frame().sort_values("event_id").reset_index(drop=True)
    expect = valid.sort_values("event_id").reset_index(drop=True)
    pd.testing.assert_frame_equal(back, expect, check_dtype=False)


def _csv_cell(value: str) -> str:
    return '"' + value.replace('"', '""') + '"' if any(c in value for c in ',"\r\n') else value


@st.composite
def csv_files(draw) -> bytes:
    columns = list(_good_row(0))
    extra = draw(st.lists(st.sampled_from(NAMES), max_size=3, unique=True))
    columns += [c for c in extra if c not in columns]
    space = draw(st.sampled_from(["", " ", "  "]))
    lines = [("," + space).join(columns)]
    for i in range(draw(st.integers(0, 25))):
        row = _good_row(i)
        for name in draw(st.lists(st.sampled_from(columns), max_size=4)):
            row[name] = draw(CELL)
        cells = [_csv_cell(str(row.get(c, ""))) for c in columns]
        if draw(st.booleans()) and cells:  # a ragged record now and then
            cells = cells[: draw(st.integers(0, len(cells)))]
        lines.append(",".join(cells))
    eol = draw(st.sampled_from(["\n", "\r\n"]))
    bom = draw(st.sampled_from(["", "\ufeff"]))
    return (bom + eol.join(lines) + eol).encode()


def _check_import(store: Store, path: Path) -> None:
    before = store.count()
    try:
        report = import_file(store, path, refresh_snapshot=False)
    except IncidentsError as err:
        assert str(err) and "Traceback" not in str(err)
        assert store.count() == before
        return
    assert all(e.line >= 1 and e.field and e.message for e in report.errors)
    assert store.count() == before + report.inserted
    frame = store.frame()
    for name in frame.select_dtypes("string").columns:
        for value in frame[name].dropna():
            assert not STORED_BAD.intersection(value), (name, value)


@given(data=csv_files())
@example(data=b"event_id, event_date, event_type, sub_event_type, country, location\n")
@example(
    data=b"event_id,event_date,event_type,sub_event_type,country,location,latitude,longitude\r\n"
    b"P-0,0001-01-01,Battles,Armed clash,Ukraine,Pokrovsk,48.28,37.17\r\n"
)
def test_csv_imports_never_raise(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("csv") / "input.csv"
    path.write_bytes(data)
    _check_import(Store.open("sqlite://", seed=False), path)


SEEDS = {
    name: (FIXTURES / name).read_bytes()
    for name in (
        "acled_iso_dates.csv",
        "ours_multiline.csv",
        "ucdp_ged.csv",
        "points.geojson",
        "ours_document.json",
    )
}
INSERTS = [b"\x00", b"\xff", b"\xef\xbb\xbf", b'"', b",", b"\n", b"\r", b"\\ud800", b"1e400",
           b"-", b"9" * 25, b"{", b"]", b"\xc3", b"\xed\xa0\x80"]  # fmt: skip


@st.composite
def mutated(draw) -> tuple[str, bytes]:
    name = draw(st.sampled_from(sorted(SEEDS)))
    data = bytearray(SEEDS[name])
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data)))
        kind = draw(st.sampled_from(["insert", "delete", "flip", "truncate"]))
        if kind == "insert":
            data[at:at] = draw(st.sampled_from(INSERTS))
        elif kind == "delete":
            del data[at : at + draw(st.integers(1, 40))]
        elif kind == "flip" and at < len(data):
            data[at] ^= draw(st.integers(1, 255))
        elif kind == "truncate":
            del data[at:]
    return name, bytes(data)


@given(case=mutated())
def test_mutated_real_files_never_raise(tmp_path_factory, case):
    name, data = case
    path = tmp_path_factory.mktemp("mut") / name
    path.write_bytes(data)
    _check_import(Store.open("sqlite://", seed=False), path)


JSON_VALUE = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(10**30), max_value=10**30),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(max_size=20),  # surrogates included: json.dumps writes them as \\udXXX escapes
        st.sampled_from(NASTY),
    ),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)


@st.composite
def geojson_documents(draw) -> bytes:
    features = []
    for i in range(draw(st.integers(0, 20))):
        props = _good_row(i) | {"latitude": None, "longitude": None}
        for name in draw(st.lists(st.sampled_from(NAMES), max_size=4)):
            props[name] = draw(JSON_VALUE)
        coords = draw(
            st.one_of(
                st.just([37.1, 48.2]),
                st.lists(JSON_VALUE, max_size=3),
                st.lists(
                    st.integers(min_value=-(10**400), max_value=10**400), min_size=2, max_size=2
                ),
            )
        )
        geometry = draw(
            st.sampled_from([{"type": "Point", "coordinates": coords}, None, {"type": "Line"}])
        )
        features.append({"type": "Feature", "geometry": geometry, "properties": props})
    text = json.dumps({"type": "FeatureCollection", "features": features}, allow_nan=False)
    return text.encode()


def _geojson_with(**props) -> bytes:
    row = _good_row(0) | {"latitude": None, "longitude": None} | props
    feature = {"type": "Feature", "geometry": {"type": "Point", "coordinates": [37.1, 48.2]}}
    collection = {"type": "FeatureCollection", "features": [feature | {"properties": row}]}
    return json.dumps(collection).encode()


@given(data=geojson_documents())
# a byte order mark inside a nested property (stored as JSON text) and in plain text
@example(data=_geojson_with(actor2={"\u00ca": "\ufeffid", ":": [None, "x"]}))
@example(data=_geojson_with(actor1="\ufeffid", notes="a\ufeffb"))
def test_geojson_imports_never_raise(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("gj") / "input.geojson"
    path.write_bytes(data)
    _check_import(Store.open("sqlite://", seed=False), path)
