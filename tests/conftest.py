"""Fixtures shared by every test package."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from _pytest.mark.expression import Expression  # how -m is read; pytest is pinned

from geodata import Gazetteer
from incidents import Store
from incidents.cli import main as incidents_main
from tests.support.gazetteer import build_shared_index
from tests.support.pgserver import PgServer, running_server

#: The store backends the store tests run against (``store_backend`` fixture).
BACKENDS = ("sqlite", "postgresql")
#: Modules whose PostgreSQL variants run by default: the store itself. The PostgreSQL variants
#: of the tests above it (import, export, CLI... through the same Store calls) are ``slow``:
#: ``make test-slow`` runs them.
STORE_LEVEL = frozenset(
    {
        "test_store.py",
        "test_store_shared.py",
        "test_history.py",
        "test_postgres.py",
        "test_store_fast_paths.py",
        "test_migrations.py",
    }
)

ROOT = Path(__file__).resolve().parents[1]
_BUILDER = pytest.StashKey[subprocess.Popen]()


def _shared_geodata_cache(run_dir: Path) -> Path:
    env = os.environ.get("GEODATA_TEST_CACHE_DIR")
    return Path(env) if env else run_dir / "geodata-cache"


#: Read-only app servers (session-scoped, tests/browser/conftest.py) whose modules run on the
#: same worker (below), so the server starts once per run, not once per worker: the 100k app,
#: the dearest set-up of the suite. The seed app is not among them: it starts in a few seconds,
#: and the files using it, a third of the browser tests, are shared out between the workers
#: (as one unit they were the longest stretch of work on one worker).
SHARED_SERVERS = frozenset({"big_app"})
#: How much more a real-browser test costs than the others, roughly (10-40 s against well
#: under a second): the scheduling weight of a test that uses the ``browser`` fixture.
BROWSER_WEIGHT = 20


@pytest.hookimpl(tryfirst=True)  # before -m deselects and before pytest-xdist reads the groups
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        callspec = getattr(item, "callspec", None)
        if (
            callspec is not None
            and callspec.params.get("store_backend") == "postgresql"
            and item.path.name not in STORE_LEVEL
        ):
            item.add_marker(pytest.mark.slow)
    _schedule(items, config.getoption("markexpr", ""))


def _schedule(items: list[pytest.Item], markexpr: str) -> None:
    """Work units for pytest-xdist (``--dist loadgroup``) and their order.

    A unit is a test file (its module-scoped servers start once), except that the files with
    tests of this run using a shared server (:data:`SHARED_SERVERS`) form one unit, and the store-level files with tests
    on PostgreSQL another (one throw-away PostgreSQL server for them, not one per worker; the
    PostgreSQL variants above the store, ``make test-slow``, stay one unit per file).
    Units run heaviest first (a browser test weighs :data:`BROWSER_WEIGHT`, any other test 1,
    a test ``-m`` leaves out nothing), so that the last units handed out are small and
    both workers finish at about the same time. Within a unit the tests keep their order."""

    expression = Expression.compile(markexpr) if markexpr else None

    def runs(test: pytest.Item) -> bool:
        """Whether ``-m`` keeps the test (pytest deselects after this hook)."""
        return expression is None or expression.evaluate(
            lambda name, **_: test.get_closest_marker(name) is not None
        )

    def on_postgresql(test: pytest.Item) -> bool:
        callspec = getattr(test, "callspec", None)
        backend = callspec.params.get("store_backend") if callspec is not None else None
        store_level = backend == "postgresql" and test.path.name in STORE_LEVEL
        return runs(test) and ("pg_server" in test.fixturenames or store_level)

    files: dict[Path, list[pytest.Item]] = {}
    for item in items:
        files.setdefault(item.path, []).append(item)
    units: dict[str, list[pytest.Item]] = {}
    for path, tests in files.items():
        if any(runs(t) and SHARED_SERVERS.intersection(t.fixturenames) for t in tests):
            name = "shared-servers"
        elif any(on_postgresql(t) for t in tests):
            name = "postgresql"
        else:
            name = path.relative_to(ROOT).as_posix()
        units.setdefault(name, []).extend(tests)

    def weight(unit: list[pytest.Item]) -> int:
        return sum(BROWSER_WEIGHT if "browser" in t.fixturenames else 1 for t in unit if runs(t))

    ordered = sorted(units.items(), key=lambda unit: -weight(unit[1]))
    items[:] = [item for _, unit in ordered for item in unit]
    for name, unit in ordered:
        for item in unit:
            item.add_marker(pytest.mark.xdist_group(name))


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    """Under pytest-xdist, the controller starts building the gazetteer index in the background
    (``tests.support.gazetteer``) while the workers start up and collect: by their first test
    it is usually there, and no worker sits idle while another builds it."""
    if hasattr(config, "workerinput") or not config.getoption("numprocesses", default=None):
        return
    run_dir = config._tmp_path_factory.getbasetemp()  # type: ignore[attr-defined]
    path = _shared_geodata_cache(run_dir)
    config.stash[_BUILDER] = subprocess.Popen(
        [sys.executable, "-m", "tests.support.gazetteer", str(path)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,  # a failed build fails again, visibly, in the workers
    )


def pytest_unconfigure(config: pytest.Config) -> None:
    builder = config.stash.get(_BUILDER, None)
    if builder is not None and builder.poll() is None:  # an interrupted run
        builder.terminate()
        builder.wait()


@pytest.fixture(scope="session")
def geodata_cache_dir(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Path:
    """Where the gazetteer's index is built, once per test run (~11 s), and read by every test
    that needs it: the ``gaz`` fixture, ``Gazetteer.default()`` and the geodata CLI alike.
    ``GEODATA_TEST_CACHE_DIR`` lets a developer reuse a built index between runs.

    Without pytest-xdist the index is built lazily, on first use, in this run's temporary
    directory. Under xdist (``make test``) the workers share one directory, the run's, where
    the index is built once under a file lock (see :mod:`tests.support.gazetteer`)."""
    if worker_id == "master":
        return _shared_geodata_cache(tmp_path_factory.getbasetemp())
    # A worker's basetemp is <run dir>/popen-gwN.
    return build_shared_index(_shared_geodata_cache(tmp_path_factory.getbasetemp().parent))


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


@dataclass
class CliRun:
    """What one ``python -m incidents`` command gave: its exit status and its output."""

    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def incidents_cli(tmp_path, monkeypatch, capsys) -> Callable[..., CliRun]:
    """``python -m incidents ARGS`` run in this process (``incidents.cli.main``), the store and
    cache in this test's temporary directory, which is also the working directory.
    ``INCIDENTS_DB`` / ``INCIDENTS_CACHE_DIR`` set by the test afterwards win, as ``--db`` does.
    What only a real process shows (the interpreter's exit status, no traceback on stderr,
    the output's encoding) is left to the few subprocess tests."""
    monkeypatch.setenv("INCIDENTS_DB", f"sqlite:///{tmp_path / 'cli.sqlite'}")
    monkeypatch.setenv("INCIDENTS_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)

    def run(*args: object) -> CliRun:
        capsys.readouterr()
        try:
            code = incidents_main([str(a) for a in args])
        except SystemExit as exit_:  # argparse's usage errors
            code = exit_.code if isinstance(exit_.code, int) else 1
        out, err = capsys.readouterr()
        return CliRun(code, out, err)

    return run


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
