"""A store export reads the columnar snapshot of its revision when there is one, with the same bytes."""

from __future__ import annotations

import gc
import warnings

import pandas as pd

from incidents import export_incidents, load_frame, load_seed, validate_frame
from incidents.snapshot import iter_snapshot, snapshot_path


def _more_incidents(store, n: int = 30) -> None:
    incidents, _ = load_seed()
    copies = pd.concat(
        [
            incidents.assign(
                event_id=incidents["event_id"] + f"-{i}",
                event_date=pd.Timestamp(2025, 6, 1 + i % 28),
            )
            for i in range(n)
        ],
        ignore_index=True,
    )
    store.insert(validate_frame(copies).valid)


def test_export_from_the_snapshot_equals_export_from_sqlite(store, tmp_path):
    _more_incidents(store)
    assert iter_snapshot(store) is None  # no snapshot of this revision yet: SQLite is read
    export_incidents(store, tmp_path / "from-sqlite.csv", format="csv", chunksize=7)
    load_frame(store)
    assert snapshot_path(store).exists() and iter_snapshot(store) is not None
    export_incidents(store, tmp_path / "from-snapshot.csv", format="csv", chunksize=7)
    assert (tmp_path / "from-snapshot.csv").read_bytes() == (
        tmp_path / "from-sqlite.csv"
    ).read_bytes()


def test_a_write_makes_the_old_snapshot_unused(store):
    load_frame(store)
    assert iter_snapshot(store) is not None
    _more_incidents(store, n=1)
    assert iter_snapshot(store) is None


def test_a_snapshot_opened_and_never_read_leaves_no_file_open(store):
    load_frame(store)
    gc.collect()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        chunks = iter_snapshot(store)
        assert chunks is not None
        del chunks
        gc.collect()
    assert [w for w in caught if issubclass(w.category, ResourceWarning)] == []
