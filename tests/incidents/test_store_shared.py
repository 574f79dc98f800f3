"""Several processes, machines or databases on one store: cache keys, revisions, concurrent imports."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest
import sqlalchemy as sa

from incidents import Store, load_frame, load_seed, to_csv_bytes, validate_frame


def test_another_process_sees_a_write_at_once(new_store_url):
    url = new_store_url()
    writer, reader = Store.open(url), Store.open(url)  # two engines, as in two app processes
    before = reader.cache_key
    incidents, _ = load_seed()
    writer.insert(validate_frame(incidents.head(1).assign(event_id="NEW-1")).valid)
    assert reader.cache_key != before
    assert len(load_frame(reader)) == 6


def test_cache_keys_differ_between_databases_and_a_remade_database(new_store_url, store_backend):
    first, second = Store.open(new_store_url()), Store.open(new_store_url())
    assert first.revision == second.revision
    assert first.cache_key != second.cache_key
    # The same database seen through the same URL by another process: the same key.
    assert Store.open(first.url).cache_key == first.cache_key
    # A database emptied and made again at the same URL is another store.
    with first.engine.begin() as conn:
        for table in ("alembic_version", "meta", "history", "incidents", "casualty_groups"):
            conn.exec_driver_sql(f"DROP TABLE {table}")
    again = Store.open(first.url)
    assert again.revision == 1 and again.cache_key != first.cache_key


def _write_csv(path, prefix: str, copies: int) -> None:
    incidents, _ = load_seed()
    rows = pd.concat(
        [
            incidents.assign(event_id=incidents["event_id"] + f"-{prefix}{i}", casualty_group=pd.NA)
            for i in range(copies)
        ],
        ignore_index=True,
    )
    path.write_bytes(to_csv_bytes(rows))


@pytest.mark.slow
def test_two_imports_at_once_both_land(new_store_url, tmp_path):
    url = new_store_url()
    Store.open(url, seed=False)
    files = []
    for prefix in ("a", "b"):
        files.append(tmp_path / f"{prefix}.csv")
        _write_csv(files[-1], prefix, copies=400)
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "incidents", "--db", url, "import", str(f)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for f in files
    ]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    store = Store.open(url)
    assert store.count() == 2 * 5 * 400
    with store.engine.connect() as conn:
        prefixes = conn.execute(
            sa.text("SELECT count(*) FROM incidents WHERE event_id LIKE '%-b%'")
        ).scalar_one()
    assert prefixes == 5 * 400
    assert store.revision == 2
