"""The Parquet snapshot is a cache: damaged, stale or replaced, it is rebuilt from the store
with a warning, and nothing wrong is ever read from it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from incidents import SnapshotWarning, export_incidents, load_frame
from incidents.snapshot import iter_snapshot, snapshot_path
from tests.support.damage import flip, truncate, zero


def _directory(path: Path) -> None:
    path.unlink()
    path.mkdir()
    (path / "part-0.arrow").write_bytes(b"")


DAMAGE = {"truncated": truncate, "zeroed": zero, "flipped": flip, "directory": _directory}


@pytest.fixture
def cached(store, tmp_path):
    cache = tmp_path / "cache"
    truth = load_frame(store, use_snapshot=False)
    load_frame(store, cache_dir=cache)
    path = snapshot_path(store, cache_dir=cache)
    assert path.is_file()
    return store, cache, path, truth


def _same(frame: pd.DataFrame, truth: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(
        frame.sort_values("event_id").reset_index(drop=True),
        truth.sort_values("event_id").reset_index(drop=True),
        check_dtype=False,
    )


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_a_damaged_snapshot_is_rebuilt_with_a_warning(cached, damage):
    store, cache, path, truth = cached
    DAMAGE[damage](path)
    with pytest.warns(SnapshotWarning, match="rebuilt from the store"):
        frame = load_frame(store, cache_dir=cache)
    _same(frame, truth)
    if damage != "directory":
        _same(pd.read_feather(path), truth)  # the rebuilt snapshot is good again
    _same(load_frame(store, cache_dir=cache), truth)


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_exports_never_read_a_damaged_snapshot(cached, damage, tmp_path):
    store, cache, path, truth = cached
    DAMAGE[damage](path)
    with pytest.warns(SnapshotWarning):
        chunks = iter_snapshot(store, cache_dir=cache)
    assert chunks is None  # the export streams from the store instead
    out = tmp_path / "out.csv"
    assert export_incidents(store, out) == len(truth)
    exported = pd.read_csv(out)
    assert sorted(exported["longitude"]) == sorted(truth["longitude"])


def test_a_snapshot_the_store_has_no_record_of_is_not_trusted(cached):
    store, cache, path, truth = cached
    other = path.with_name("elsewhere.arrow")
    truth.head(2).to_feather(other)
    os.replace(other, path)  # a well-formed Arrow file, but not the one the store recorded
    with pytest.warns(SnapshotWarning):
        frame = load_frame(store, cache_dir=cache)
    assert len(frame) == len(truth)


def test_temp_files_of_dead_writers_are_removed(store, tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        stale = cache / f"incidents-abc-r3.tmp{dead.pid}"
        busy = cache / f"incidents-abc-r4.tmp{alive.pid}"
        stale.write_bytes(b"half a snapshot")
        busy.write_bytes(b"being written")
        load_frame(store, cache_dir=cache)
        assert not stale.exists()
        assert busy.exists()
    finally:
        alive.kill()
        alive.wait()


def test_the_cli_warns_and_answers_from_the_store(cached, tmp_path, incidents_cli, monkeypatch):
    store, cache, path, truth = cached
    monkeypatch.setenv("INCIDENTS_DB", store.url)
    monkeypatch.setenv("INCIDENTS_CACHE_DIR", str(cache))
    _directory(path)
    listed = incidents_cli("list")
    assert listed.returncode == 0 and "5 incidents" in listed.stdout
    assert listed.stderr.startswith("warning: ") and "Traceback" not in listed.stderr
    shutil.rmtree(path)
    assert incidents_cli("list").stderr == ""  # no snapshot yet is no damage: silent rebuild
    flip(path)
    out = tmp_path / "x.csv"
    exported = incidents_cli("export", "--out", out)
    assert exported.returncode == 0, exported.stderr
    assert exported.stderr.startswith("warning: ") and "cannot write" not in exported.stderr
    assert sorted(pd.read_csv(out)["longitude"]) == sorted(truth["longitude"])
