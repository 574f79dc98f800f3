"""The page on a PostgreSQL store (the store tests cover the rest of the backend)."""

from __future__ import annotations

import time

from incidents import Store
from tests.app.test_app import incidents_shown, metric, run, table_ids
from tests.support.records import add_incidents, incident


def test_the_page_shows_a_postgresql_store_and_a_later_write(pg_server, monkeypatch):
    url = pg_server.create_schema_store()
    monkeypatch.setenv("INCIDENTS_DB", url)
    at = run()
    assert incidents_shown(at) == "5"
    assert metric(at, "Killed").value == "9"
    assert sorted(table_ids(at)) == [f"AFP-20250703-0{i}" for i in range(1, 6)]
    assert not at.error
    store = Store.open(url)
    add_incidents(store, [incident(event_id="PG-NEW-1")])
    store.engine.dispose()
    time.sleep(5.5)  # the page reads the store's revision at most every 5 s
    assert incidents_shown(run()) == "6"
