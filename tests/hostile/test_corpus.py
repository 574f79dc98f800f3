"""The checked-in corpus of nasty files (``corpus/``, written by ``make_corpus.py``).

Every file ends in rejected rows naming line, field and reason, or in one clear file-level
error; never in a traceback, and never with a bad value stored.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from incidents import ImportFormatError, import_file

HERE = Path(__file__).parent
CORPUS = HERE / "corpus"
ROOT = HERE.parents[1]
BAD_CHARACTERS = {"\x00", "\ufeff", '"'} | {chr(c) for c in range(0xD800, 0xE000)}

#: file -> (rows stored, [(line, field, words in the reason)]) or the words of a file-level error.
EXPECTED: dict[str, tuple[int, list[tuple[int, str, str]]] | str] = {
    "geo_precision_1_5.csv": (1, [(2, "geo_precision", "'1.5' is not one of (1, 2, 3, 4)")]),
    "time_precision_1_5.csv": (1, [(2, "time_precision", "'1.5' is not one of (1, 2, 3, 4)")]),
    "fatalities_2_63.csv": (1, [(2, "fatalities", "too large")]),
    "fatalities_1e308.csv": (1, [(2, "fatalities", "too large")]),
    "fatalities_1e308.geojson": (1, [(1, "fatalities", "too large")]),
    "date_with_time_zone.csv": (3, []),
    "header_spaces_after_commas.csv": (1, []),
    "coordinate_1e400.geojson": (1, [(1, "geometry", "coordinates")]),
    "coordinate_1e400.json": (1, [(1, "latitude", "outside -90..90")]),
    "lone_surrogate.geojson": (1, [(1, "notes", "surrogate")]),
    "lone_surrogate.json": (1, [(1, "location", "surrogate")]),
    "nul_escape.json": (1, [(1, "location", "NUL")]),
    "nul_after_64k.csv": "the file holds binary data (a NUL byte on line 1002)",
    "bom_on_a_later_line.csv": (2, []),
    "latin1_late.csv": (2001, []),  # decoded whole as Windows-1252 (test below), not refused
    "terminal_escapes.csv": (1, []),
}


def test_every_corpus_file_has_an_expectation():
    assert sorted(p.name for p in CORPUS.iterdir()) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_file(empty_store, name):
    expected = EXPECTED[name]
    path = CORPUS / name
    if isinstance(expected, str):
        with pytest.raises(ImportFormatError) as caught:
            import_file(empty_store, path, refresh_snapshot=False)
        assert expected in str(caught.value)
        assert empty_store.count() == 0
        return
    stored, rejects = expected
    report = import_file(empty_store, path, refresh_snapshot=False)
    got = [(e.line, e.field, e.message) for e in report.errors]
    assert len(got) == len(rejects), got
    for (line, field, message), (want_line, want_field, words) in zip(got, rejects, strict=True):
        assert (line, field) == (want_line, want_field), got
        assert words in message, got
    assert report.inserted == empty_store.count() == stored
    frame = empty_store.frame()
    for column in frame.select_dtypes("string").columns:
        for value in frame[column].dropna():  # no NUL, BOM, lone surrogate or stray quote stored
            assert not BAD_CHARACTERS.intersection(value), (column, value)


def test_dates_with_a_time_zone_keep_the_date_as_written(empty_store):
    import_file(empty_store, CORPUS / "date_with_time_zone.csv", refresh_snapshot=False)
    dates = empty_store.frame().set_index("event_id")["event_date"].dt.strftime("%Y-%m-%d")
    assert dates.to_dict() == {"TZ-1": "2025-07-03", "TZ-2": "2025-07-03", "TZ-3": "2025-07-03"}


def test_a_bom_on_a_later_line_is_not_part_of_the_id(empty_store):
    import_file(empty_store, CORPUS / "bom_on_a_later_line.csv", refresh_snapshot=False)
    assert sorted(empty_store.frame()["event_id"]) == ["BOM-2", "OK-1"]


def _cli(tmp_path, *args: str, module: bool = True) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "INCIDENTS_DB": f"sqlite:///{tmp_path / 'cli.sqlite'}",
        "INCIDENTS_CACHE_DIR": str(tmp_path / "cache"),
        "PYTHONPATH": str(ROOT),
    }
    return subprocess.run(
        [sys.executable, *(["-m", "incidents"] if module else []), *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


#: Every corpus file through ``python -m incidents import`` in one process (one start-up).
_CLI_LOOP = """
import sys
from incidents.cli import main
for path in sys.argv[1:]:
    print("=== " + path, file=sys.stderr, flush=True)
    print("=== " + path, flush=True)
    print("exit", main(["import", path, "--on-conflict", "skip"]), flush=True)
"""


def test_the_cli_never_prints_a_traceback(tmp_path):
    names = sorted(EXPECTED)
    done = _cli(tmp_path, "-c", _CLI_LOOP, *(str(CORPUS / n) for n in names), module=False)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr, done.stderr
    errs = done.stderr.split("=== ")[1:]
    outs = done.stdout.split("=== ")[1:]
    assert len(errs) == len(outs) == len(names)
    for name, err, out in zip(names, errs, outs, strict=True):
        assert err.startswith(str(CORPUS / name)) and out.startswith(str(CORPUS / name))
        lines = err.splitlines()[1:]
        if isinstance(EXPECTED[name], str):
            assert len(lines) == 1 and lines[0].startswith("error: "), (name, lines)
            assert "exit 1" in out
        else:
            # "found: ..." lines report the encoding, delimiter and date conventions detected.
            rejected = [line for line in lines if not line.startswith("found: ")]
            assert all(line.startswith("rejected: ") for line in rejected), (name, lines)
            assert len(rejected) == len(EXPECTED[name][1]), (name, lines)


def test_a_late_non_utf8_byte_decodes_the_whole_file_and_says_so(empty_store):
    report = import_file(empty_store, CORPUS / "latin1_late.csv", refresh_snapshot=False)
    assert report.conventions["encoding"] == "cp1252"
    assert "Kherson é" in set(empty_store.frame()["location"])


def test_list_escapes_control_characters_and_terminal_escapes(incidents_cli):
    assert incidents_cli("import", CORPUS / "terminal_escapes.csv").returncode == 0
    done = incidents_cli("list")
    assert done.returncode == 0, done.stderr
    assert "ESC-1" in done.stdout
    shown = done.stdout + done.stderr
    assert not any(ch in shown for ch in "\x1b\x07\r\u202e"), repr(shown)
    assert "\\x1b]0;pwned\\x07\\x1b[2J" in done.stdout
