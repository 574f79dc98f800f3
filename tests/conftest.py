"""Fixtures shared by every test package."""

from __future__ import annotations

import pytest

from incidents import Store


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch, tmp_path_factory):
    """No test touches the developer's default store or caches."""
    base = tmp_path_factory.getbasetemp()
    monkeypatch.setenv("INCIDENTS_CACHE_DIR", str(base / "incidents-cache"))
    # One gazetteer index build per test session, outside the developer's data/ directory.
    monkeypatch.setenv("GEODATA_CACHE_DIR", str(base / "geodata-cache"))
    monkeypatch.delenv("INCIDENTS_DB", raising=False)


@pytest.fixture
def store(tmp_path) -> Store:
    """A new store in a temporary file, seeded with the AFP incidents."""
    return Store.open(f"sqlite:///{tmp_path / 'incidents.sqlite'}")


@pytest.fixture
def empty_store(tmp_path) -> Store:
    return Store.open(f"sqlite:///{tmp_path / 'empty.sqlite'}", seed=False)
