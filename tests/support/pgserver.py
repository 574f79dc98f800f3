"""A throw-away PostgreSQL server for the tests: initdb into a temporary directory, listen on
127.0.0.1 at a free port, stop and remove everything at the end.

PostgreSQL refuses to run as root: as root, the server runs as the ``postgres`` OS user
(Debian's ``postgresql`` package creates it). :func:`find_bin_dir` finds Debian's versioned
binaries (``/usr/lib/postgresql/<N>/bin``) or ``initdb`` on the PATH.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa


def find_bin_dir() -> Path | None:
    """The directory holding ``initdb`` and ``pg_ctl``, or None."""
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    if versions:
        return versions[-1].parent
    found = shutil.which("initdb")
    return Path(found).resolve().parent if found else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class PgServer:
    port: int
    user: str
    admin_url: str
    _shared: str | None = None

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://{self.user}@127.0.0.1:{self.port}/{database}"

    def create_database(self, *, postgis: bool = True) -> str:
        """A new empty database (with the postgis extension when asked and available); its URL."""
        name = "t_" + uuid.uuid4().hex[:12]
        engine = sa.create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.exec_driver_sql(f"CREATE DATABASE {name}")
        engine.dispose()
        if postgis and self.has_postgis():
            engine = sa.create_engine(self.url(name), isolation_level="AUTOCOMMIT")
            with engine.connect() as conn:
                conn.exec_driver_sql("CREATE EXTENSION postgis")
            engine.dispose()
        return self.url(name)

    def create_schema_store(self) -> str:
        """The URL of a new empty store in a schema of its own, in one database shared by the
        session (which has the postgis extension when available): much faster than a
        database per store, and a set-up teams use too."""
        if self._shared is None:
            self._shared = self.create_database()
        name = "s_" + uuid.uuid4().hex[:12]
        engine = sa.create_engine(self._shared, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.exec_driver_sql(f"CREATE SCHEMA {name}")
        engine.dispose()
        return f"{self._shared}?options=-csearch_path%3D{name},public"

    def has_postgis(self) -> bool:
        engine = sa.create_engine(self.admin_url)
        with engine.connect() as conn:
            found = conn.exec_driver_sql(
                "SELECT 1 FROM pg_available_extensions WHERE name = 'postgis'"
            ).first()
        engine.dispose()
        return found is not None


def _as_postgres() -> dict:
    """``subprocess`` options that run a command as the ``postgres`` user when we are root."""
    if os.geteuid() != 0:
        return {}
    entry = pwd.getpwnam("postgres")
    env = dict(os.environ, HOME=entry.pw_dir, USER="postgres", LOGNAME="postgres")
    return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": [], "env": env}


def _start(bin_dir: Path, data: Path, base: Path, run_as: dict) -> int:
    """Start the server at a free port; returns the port. Several test processes (pytest-xdist
    workers) each start their own server: a port taken between our look and the server's
    bind is retried with another one."""
    for attempt in range(5):
        port = _free_port()
        options = (
            f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=100"
        )
        try:
            subprocess.run(
                [bin_dir / "pg_ctl", "-D", data, "-o", options, "-l", base / "log", "-w", "start"],
                check=True,
                capture_output=True,
                timeout=120,
                **run_as,
            )
        except subprocess.CalledProcessError:
            if attempt == 4:
                raise
            continue
        return port
    raise AssertionError("unreachable")  # pragma: no cover


@contextlib.contextmanager
def running_server() -> Iterator[PgServer]:
    """Start a server; raise RuntimeError with the reason when none can be started."""
    bin_dir = find_bin_dir()
    if bin_dir is None:
        raise RuntimeError(
            "no PostgreSQL server binaries (initdb) found: install Debian's postgresql "
            "and postgis packages (.ci/run does)"
        )
    try:
        run_as = _as_postgres()
    except KeyError as err:
        raise RuntimeError("running as root but there is no 'postgres' OS user") from err
    base = Path(tempfile.mkdtemp(prefix="incidents-pg-"))
    data = base / "data"
    if run_as:
        os.chown(base, run_as["user"], run_as["group"])
    user = "postgres"
    try:
        subprocess.run(
            [bin_dir / "initdb", "-D", data, "-U", user, "-A", "trust", "-E", "UTF8",
             "--no-locale", "--no-sync"],
            check=True, capture_output=True, timeout=120, **run_as,
        )  # fmt: skip
        port = _start(bin_dir, data, base, run_as)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as err:
        shutil.rmtree(base, ignore_errors=True)
        detail = getattr(err, "stderr", b"") or b""
        raise RuntimeError(f"could not start PostgreSQL: {err} {detail.decode()[-500:]}") from err
    try:
        yield PgServer(port, user, f"postgresql+psycopg://{user}@127.0.0.1:{port}/postgres")
    finally:
        subprocess.run(
            [bin_dir / "pg_ctl", "-D", data, "-m", "immediate", "-w", "stop"],
            capture_output=True, timeout=60, **run_as,
        )  # fmt: skip
        shutil.rmtree(base, ignore_errors=True)
