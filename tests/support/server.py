"""Stores of generated incidents and a real ``streamlit run serve.py`` on a free port.

Shared by the browser and serving tests and by ``benchmarks.bench_app``.
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from incidents import Store, load_frame
from tests.support.generate import generate_frame

__all__ = ["CHROMIUM", "CHROMIUM_ARGS", "build_store", "free_port", "streamlit_server"]

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# -- stores -----------------------------------------------------------------------------------


def build_store(
    url: str,
    n: int,
    *,
    seed: int = 0,
    with_seed: bool = True,
    snapshot: bool = True,
    cache_dir: Path | None = None,
) -> Store:
    """A store at ``url`` holding ``n`` generated incidents (:func:`tests.support.generate.generate_frame`,
    ACLED-like) plus the 5 seed ones unless told not to;
    with ``snapshot``, its snapshot is written to ``cache_dir`` (default: the app's)."""
    store = Store.open(url, seed=with_seed)
    result = store.insert(generate_frame(n, seed=seed))
    if result.errors:
        raise RuntimeError(f"synthetic incidents rejected: {result.errors[:3]}")
    if snapshot:
        load_frame(store, cache_dir=cache_dir)
    return store


# -- measuring ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _socket_inodes(port: int) -> set[str] | None:
    """Inodes of the sockets listening on *port* (``/proc/net/tcp*``), or None without /proc."""
    tables = [Path("/proc/net/tcp"), Path("/proc/net/tcp6")]
    if not tables[0].exists():
        return None
    inodes = set()
    for table in tables:
        if not table.exists():
            continue
        for line in table.read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "0A":  # LISTEN
                inodes.add(fields[9])
    return inodes


def _listens(proc: subprocess.Popen, port: int) -> bool:
    """Whether *proc* itself holds the socket listening on *port* (true where /proc is missing:
    then only the health check tells). Under pytest-xdist several servers start at once; a free
    port picked by one worker can be taken by another's server before ours binds it, and the
    health check alone would then be answered by the wrong app."""
    inodes = _socket_inodes(port)
    if inodes is None:
        return True
    fds = Path(f"/proc/{proc.pid}/fd")
    with contextlib.suppress(OSError):
        return any(
            os.readlink(fd).removeprefix("socket:[").rstrip("]") in inodes for fd in fds.iterdir()
        )
    return False


@contextlib.contextmanager
def streamlit_server(
    db_url: str,
    cache_dir: Path,
    *,
    port: int | None = None,
    env: dict | None = None,
    script: str = "serve.py",
    address: str | None = "127.0.0.1",
    args: Sequence[str] = (),
) -> Iterator[tuple[str, subprocess.Popen]]:
    """``streamlit run serve.py`` (what ``make run`` starts: ``app.py`` plus gzip for the
    front-end bundle) on a free port with ``INCIDENTS_DB``; stopped (by pid) on exit.
    ``address=None`` gives no listening address at all, as ``make run`` does (the project's
    ``.streamlit/config.toml`` then decides). ``args`` are more ``streamlit run`` options,
    e.g. ``["--secrets.files", path]`` for a sign-in set-up. Without a *port*, a free one is picked, and
    picked again (up to 5 times) if another process took it before the app could listen."""
    for attempt in range(5):
        try:
            with _streamlit_server(
                db_url, cache_dir, port or free_port(), env, script, address, args
            ) as (url, proc):
                yield url, proc
                return
        except _PortTaken:
            if port is not None or attempt == 4:
                raise


class _PortTaken(RuntimeError):
    """The app could not listen on its port: another process holds it."""


@contextlib.contextmanager
def _streamlit_server(
    db_url: str,
    cache_dir: Path,
    port: int,
    env: dict | None,
    script: str,
    address: str | None,
    args: Sequence[str],
) -> Iterator[tuple[str, subprocess.Popen]]:
    environment = {
        **os.environ,
        "INCIDENTS_DB": db_url,
        "INCIDENTS_CACHE_DIR": str(cache_dir),
        **(env or {}),
    }
    if address is None:
        environment.pop("STREAMLIT_SERVER_ADDRESS", None)
    where = [] if address is None else ["--server.address", address]
    # Closed and removed when the app stops (below), not at the end of a with block.
    log = tempfile.NamedTemporaryFile(prefix="streamlit-", suffix=".log", delete=False)  # noqa: SIM115
    proc = subprocess.Popen(
        [
            sys.executable, "-m", "streamlit", "run", str(ROOT / script),
            "--server.headless", "true", "--server.port", str(port), *where,
            "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
            *args,
        ],
        cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        import urllib.request

        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                text = Path(log.name).read_text()
                taken = re.search(r"Port \d+ is not available|already in use", text)
                error = _PortTaken if taken else RuntimeError
                raise error(f"streamlit exited early: {text[-2000:]}")
            try:
                with urllib.request.urlopen(url + "/_stcore/health", timeout=1) as resp:
                    if resp.status == 200 and _listens(proc, port):
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("streamlit did not start within 60 s")
            time.sleep(0.1)
        proc.log_path = log.name  # type: ignore[attr-defined]
        yield url, proc
    finally:
        stop_process(proc, log)


def stop_process(proc: subprocess.Popen, log) -> None:
    """Stop a server started by the tests (terminate, kill after 10 s) and remove its log."""
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    log.close()
    os.unlink(log.name)
