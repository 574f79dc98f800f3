"""The incident library's tests run against every store backend (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest

from incidents import Store


@pytest.fixture
def store(new_store_url) -> Store:
    """A new store of the parametrised backend, seeded with the AFP incidents."""
    opened = Store.open(new_store_url())
    yield opened
    opened.engine.dispose()


@pytest.fixture
def empty_store(new_store_url) -> Store:
    opened = Store.open(new_store_url(), seed=False)
    yield opened
    opened.engine.dispose()
