"""Fixtures shared by every test package."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from geodata import Gazetteer
from incidents import Store


@pytest.fixture(scope="session")
def geodata_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the gazetteer's index is built, once per test run (~11 s), and read by every test
    that needs it: the ``gaz`` fixture, ``Gazetteer.default()`` and the geodata CLI alike.
    ``GEODATA_TEST_CACHE_DIR`` lets a developer reuse a built index between runs."""
    env = os.environ.get("GEODATA_TEST_CACHE_DIR")
    return Path(env) if env else tmp_path_factory.getbasetemp() / "geodata-cache"


@pytest.fixture(scope="session")
def gaz(geodata_cache_dir: Path) -> Gazetteer:
    """The real gazetteer (GeoNames cities500), built once per test run."""
    return Gazetteer.load(cache_dir=geodata_cache_dir)


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch, tmp_path_factory, geodata_cache_dir):
    """No test touches the developer's default store or caches."""
    base = tmp_path_factory.getbasetemp()
    monkeypatch.setenv("INCIDENTS_CACHE_DIR", str(base / "incidents-cache"))
    monkeypatch.setenv("GEODATA_CACHE_DIR", str(geodata_cache_dir))
    monkeypatch.delenv("INCIDENTS_DB", raising=False)


@pytest.fixture
def store(tmp_path) -> Store:
    """A new store in a temporary file, seeded with the AFP incidents."""
    return Store.open(f"sqlite:///{tmp_path / 'incidents.sqlite'}")


@pytest.fixture
def empty_store(tmp_path) -> Store:
    return Store.open(f"sqlite:///{tmp_path / 'empty.sqlite'}", seed=False)
