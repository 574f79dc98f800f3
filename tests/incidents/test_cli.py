"""`python -m incidents`: exit codes and messages. The commands run in-process through
``incidents.cli.main``; what only a real process shows (the interpreter's exit status, no
traceback on stderr) is checked with a few subprocesses at the end."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def run(incidents_cli):
    """The shared in-process runner (tests/conftest.py), under this module's short name."""
    return incidents_cli


@pytest.mark.parametrize(
    "args, code, stdout, stderr",
    [
        (["import", FIXTURES / "acled_iso_dates.csv"], 0, "acled: 4 inserted", ""),
        (["import", FIXTURES / "ucdp_ged.csv"], 0, "ucdp: 5 inserted", ""),
        (["import", FIXTURES / "points.geojson"], 1, "2 inserted", "rejected: feature 2: geometry"),
        (["import", ROOT / "README.md"], 1, "", "not a CSV or GeoJSON table"),
        (["import", "missing.csv"], 1, "", "no such file"),
        (["import", FIXTURES / "acled_iso_dates.csv", "--format", "nope"], 2, "", "invalid choice"),
        (["export", "--out", "x.csv", "--start", "yesterday"], 2, "", "is not a date"),
        (["export", "--out", "x.csv", "--min-killed", "-1"], 2, "", "not a whole number"),
        (["list", "--start", "2025-07-05", "--end", "2025-07-01"], 2, "", "is after end"),
        (["export", "--out", "x.csv"], 0, "5 incidents written", ""),
        (
            ["export", "--out", "x.geojson", "--format", "geojson", "--country", "Russia"],
            0,
            "2 incidents written",
            "",
        ),
        (["export", "--out", "nodir/x.csv"], 1, "", "cannot write"),
        (["list"], 0, "5 incidents, 2025-07-03 to 2025-07-03", ""),
        (["list", "--event-type", "Battles"], 0, "Killed:  0; unknown for 1 incident", ""),
        (["--db", "not a url", "list"], 1, "", "not a database URL"),
        ([], 2, "", "required"),
    ],
)
def test_commands(run, args, code, stdout, stderr):
    done = run(*args)
    assert done.returncode == code, done.stderr
    assert stdout in done.stdout
    assert stderr in done.stderr
    # In-process, an uncaught exception fails the test by itself (and stderr may hold output
    # of other tests' server threads); test_python_m_incidents_exit_status checks that the
    # real process prints no traceback.


def test_import_then_list_and_export_with_filters(run, tmp_path):
    assert run("import", FIXTURES / "acled_iso_dates.csv").returncode == 0
    listed = run("list", "--country", "Ukraine", "--min-killed", "1", "--unknown", "exclude")
    # Kharkiv (2 killed) and the two incidents of the shared AFP figure (8 killed, counted once).
    assert (
        "3 incidents" in listed.stdout
        and "Killed:  10\n" in listed.stdout
        and "UKR210455" in listed.stdout
    )
    done = run(
        "export",
        "--format",
        "geojson",
        "--out",
        "ua.geojson",
        "--country",
        "Ukraine",
        "--event-type",
        "Battles",
    )
    assert done.returncode == 0
    features = json.loads((tmp_path / "ua.geojson").read_text())["features"]
    assert [f["properties"]["event_id"] for f in features] == ["AFP-20250703-05", "UKR210456"]
    assert run("export", "--format", "csv", "--excel", "--out", "x.csv").returncode == 0
    assert (tmp_path / "x.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_on_conflict_and_acled_zeros(run):
    assert run("import", FIXTURES / "acled_iso_dates.csv").returncode == 0
    again = run("import", FIXTURES / "acled_iso_dates.csv")
    assert again.returncode == 1 and "already in the store" in again.stderr
    assert "hint: --on-conflict replace" in again.stderr
    skipped = run("import", FIXTURES / "acled_iso_dates.csv", "--on-conflict", "skip")
    assert skipped.returncode == 0 and "4 skipped" in skipped.stdout
    kept = run(
        "import",
        FIXTURES / "acled_iso_dates.csv",
        "--on-conflict",
        "replace",
        "--acled-zeros",
        "keep",
    )
    assert kept.returncode == 0 and "4 replaced" in kept.stdout


@pytest.mark.parametrize(
    "args, code, stderr",
    [
        (["list"], 0, ""),
        (["import", ROOT / "README.md"], 1, "not a CSV or GeoJSON table"),
        (["export", "--out", "x.csv", "--start", "yesterday"], 2, "is not a date"),
    ],
)
def test_python_m_incidents_exit_status(tmp_path, args, code, stderr):
    env = {
        **os.environ,
        "INCIDENTS_DB": f"sqlite:///{tmp_path / 'cli.sqlite'}",
        "INCIDENTS_CACHE_DIR": str(tmp_path / "cache"),
        "PYTHONPATH": str(ROOT),
    }
    done = subprocess.run(
        [sys.executable, "-m", "incidents", *map(str, args)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == code, done.stderr
    assert stderr in done.stderr
    assert "Traceback" not in done.stderr
