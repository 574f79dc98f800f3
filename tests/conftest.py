"""Fixtures shared by every test package."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from geodata import Gazetteer
from incidents import Store
from tests.support.pgserver import PgServer, running_server

#: The store backends the store tests run against (``store_backend`` fixture).
BACKENDS = ("sqlite", "postgresql")


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


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """A throw-away PostgreSQL server on 127.0.0.1 for the whole session (skips its tests with
    the reason when none can be started)."""
    stack = contextlib.ExitStack()
    try:
        server = stack.enter_context(running_server())
    except RuntimeError as err:
        pytest.skip(f"PostgreSQL tests skipped: {err}")
    with stack:
        yield server


@pytest.fixture(params=BACKENDS)
def store_backend(request) -> str:
    return request.param


@pytest.fixture
def new_store_url(store_backend, tmp_path, request):
    """Makes URLs of new, empty stores of the parametrised backend (a new database each call)."""
    count = iter(range(1000))

    def make() -> str:
        if store_backend == "sqlite":
            return f"sqlite:///{tmp_path / f'store{next(count)}.sqlite'}"
        return request.getfixturevalue("pg_server").create_schema_store()

    return make
