"""Two imports at once, in real processes: conflict modes hold and each reports its own revision."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from incidents import Store

ROOT = Path(__file__).resolve().parents[2]
HEADER = (
    "event_id,event_date,event_type,sub_event_type,country,location,latitude,longitude,"
    "geo_precision\n"
)
#: Waits for the start signal, then runs the CLI: both imports begin within milliseconds.
_WAIT_THEN_IMPORT = """
import os, sys, time
from incidents.cli import main
while not os.path.exists(sys.argv[1]):
    time.sleep(0.005)
sys.exit(main(sys.argv[2:]))
"""


def _csv(path: Path, ids: range) -> Path:
    rows = "".join(
        f"C-{i},2025-07-03,Battles,Armed clash,Ukraine,Pokrovsk,48.28,37.17,1\n" for i in ids
    )
    path.write_text(HEADER + rows)
    return path


@pytest.mark.slow  # two real processes importing 30,000 rows each
def test_two_imports_with_overlapping_ids_both_succeed_with_skip(tmp_path):
    url = f"sqlite:///{tmp_path / 'shared.sqlite'}"
    store = Store.open(url)
    before, start_revision = store.count(), store.revision
    files = [
        _csv(tmp_path / "a.csv", range(0, 30_000)),
        _csv(tmp_path / "b.csv", range(15_000, 45_000)),
    ]
    go = tmp_path / "go"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "INCIDENTS_CACHE_DIR": str(tmp_path / "cache")}
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                _WAIT_THEN_IMPORT,
                str(go),
                "--db",
                url,
                "import",
                str(f),
                "--on-conflict",
                "skip",
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for f in files
    ]
    time.sleep(3)  # both processes have started Python and loaded the library
    go.touch()
    results = [p.communicate(timeout=300) for p in procs]
    for proc, (_out, err) in zip(procs, results, strict=True):
        assert proc.returncode == 0, err
        assert "Traceback" not in err
    counts = [
        re.search(r"([\d,]+) inserted, .* ([\d,]+) skipped, .*revision (\d+)", out)
        for out, _ in results
    ]
    inserted = sum(int(m[1].replace(",", "")) for m in counts)
    skipped = sum(int(m[2].replace(",", "")) for m in counts)
    revisions = sorted(int(m[3]) for m in counts)
    assert inserted == 45_000 and skipped == 15_000
    assert Store.open(url).count() == before + 45_000
    # Each writer reports the revision of its own commit, never the other's.
    assert revisions == [start_revision + 1, start_revision + 2]
