"""Progress of long imports: the line shown, quiet off a terminal, called as rows go in."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from incidents.importer import import_file
from incidents.progress import TerminalProgress, describe_progress, terminal_progress

REAL = Path(__file__).parent / "fixtures" / "real"


@pytest.mark.parametrize(
    "done, total, elapsed, expected",
    [
        (0, 100, 0.0, "0 / 100 rows"),
        (50, 100, 1.0, "50 / 100 rows, 50 rows/s, 1 s left"),
        (120_000, 1_000_000, 2.0, "120,000 / 1,000,000 rows, 60,000 rows/s, 15 s left"),
        (100, 100, 4.0, "100 / 100 rows, 25 rows/s"),
    ],
)
def test_the_line_says_rows_rate_and_time_left(done, total, elapsed, expected):
    assert describe_progress(done, total, elapsed) == expected


def test_a_terminal_line_is_rewritten_and_ends_with_a_newline():
    now = [0.0]
    out = io.StringIO()
    progress = TerminalProgress(out, interval=0.5, clock=lambda: now[0])
    for done, t in ((10, 1.0), (20, 1.1), (40, 2.0)):
        now[0] = t
        progress(done, 40)
    progress.close()
    text = out.getvalue()
    assert text.count("\r") == 2  # the call 0.1 s after the previous one is not drawn
    assert text.endswith("40 / 40 rows, 20 rows/s   \n")


def test_no_progress_when_not_a_terminal():
    assert terminal_progress(io.StringIO()) is None


def test_an_import_reports_its_rows_as_they_go_in(empty_store):
    calls = []
    report = import_file(
        empty_store,
        REAL / "ucdp_ged191.csv",
        refresh_snapshot=False,
        progress=lambda done, total: calls.append((done, total)),
    )
    assert calls and calls[-1] == (report.inserted, report.inserted) == (4, 4)
