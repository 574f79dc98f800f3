"""CachedGzipMiddleware over a real Starlette static-file app, driven through ASGI.

The dashboard's own server (``streamlit run serve.py``) is exercised end to end in
``tests/app/test_serve.py``."""

from __future__ import annotations

import asyncio
import gzip
import os
from concurrent.futures import ThreadPoolExecutor

import pytest
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from dashboard.static_gzip import CachedGzipMiddleware, accepts_gzip

BUNDLE = ("function f(){return 1}\n" * 4000).encode()  # ~92 KB of JavaScript, very compressible


@pytest.fixture()
def static_dir(tmp_path):
    (tmp_path / "index.js").write_bytes(BUNDLE)
    (tmp_path / "tiny.css").write_bytes(b"a{color:red}")
    (tmp_path / "logo.png").write_bytes(os.urandom(4096))
    return tmp_path


def call(
    app, path: str, *, method: str = "GET", headers: dict[str, str] | None = None
) -> tuple[int, dict[bytes, bytes], bytes]:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()],
        "server": ("127.0.0.1", 8501),
        "client": ("127.0.0.1", 5000),
    }
    sent: list[dict] = []

    async def run() -> None:
        done = asyncio.Event()
        requested = False

        async def receive():  # the request, then (as a server does) a disconnect once answered
            nonlocal requested
            if not requested:
                requested = True
                return {"type": "http.request", "body": b"", "more_body": False}
            await done.wait()
            return {"type": "http.disconnect"}

        async def send(message):
            sent.append(message)
            if message["type"] == "http.response.body" and not message.get("more_body", False):
                done.set()

        await app(scope, receive, send)

    # In a thread of its own: the browser tests' Playwright (sync API) keeps an event loop
    # running in the main thread for the whole session.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, run()).result()
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], dict(start["headers"]), body


def files(static_dir) -> Starlette:
    """A real Starlette app serving ``static_dir`` (404s as responses, as in Streamlit)."""
    return Starlette(routes=[Mount("/", app=StaticFiles(directory=static_dir))])


def wrapped(static_dir, **kwargs) -> CachedGzipMiddleware:
    return CachedGzipMiddleware(
        files(static_dir),
        prefixes=("/", "/static/", "/index", "/b", "/tiny", "/logo", "/missing"),
        **kwargs,
    )


GZIP = {"Accept-Encoding": "gzip, deflate, br"}


def test_compresses_once_and_serves_the_same_bytes(static_dir):
    app = CachedGzipMiddleware(files(static_dir), prefixes=("/",))  # "/" alone: the root page only
    plain = call(app, "/index.js")
    assert plain[0] == 200 and plain[2] == BUNDLE and b"content-encoding" not in plain[1]

    app = wrapped(static_dir)
    for _ in range(3):
        status, headers, body = call(app, "/index.js", headers=GZIP)
        assert status == 200
        assert headers[b"content-encoding"] == b"gzip"
        assert gzip.decompress(body) == BUNDLE
        assert int(headers[b"content-length"]) == len(body) < len(BUNDLE) / 10
        assert b"Accept-Encoding" in headers[b"vary"]
        assert headers[b"etag"].startswith(b'W/"')
    assert app.compressions == 1  # the two later requests came from the cache


def test_a_changed_file_is_compressed_again(static_dir):
    app = wrapped(static_dir)
    call(app, "/index.js", headers=GZIP)
    (static_dir / "index.js").write_bytes(BUNDLE + b"// v2\n")
    _, _, body = call(app, "/index.js", headers=GZIP)
    assert gzip.decompress(body).endswith(b"// v2\n") and app.compressions == 2


@pytest.mark.parametrize(
    "path, method, headers, why",
    [
        ("/index.js", "GET", {}, "client does not accept gzip"),
        ("/index.js", "GET", {"Accept-Encoding": "gzip;q=0, br"}, "gzip refused with q=0"),
        ("/index.js", "GET", {**GZIP, "Range": "bytes=0-99"}, "range request"),
        ("/index.js", "HEAD", GZIP, "HEAD"),
        ("/tiny.css", "GET", GZIP, "below min_size"),
        ("/logo.png", "GET", GZIP, "not a compressible type"),
        ("/missing.js", "GET", GZIP, "404"),
    ],
)
def test_passes_through_unchanged(static_dir, path, method, headers, why):
    app = wrapped(static_dir)
    direct = call(files(static_dir), path, method=method, headers=headers)
    status, got_headers, body = call(app, path, method=method, headers=headers)
    assert (status, body) == (direct[0], direct[2]), why
    assert b"content-encoding" not in got_headers, why
    assert app.compressions == 0, why


def test_paths_outside_the_prefixes_are_untouched(static_dir):
    app = CachedGzipMiddleware(files(static_dir), prefixes=("/static/",))
    status, headers, body = call(app, "/index.js", headers=GZIP)
    assert status == 200 and body == BUNDLE and b"content-encoding" not in headers


def test_cache_is_bounded(static_dir):
    for i in range(5):
        (static_dir / f"b{i}.js").write_bytes(BUNDLE + str(i).encode() * 5000)
    app = wrapped(static_dir, cache_bytes=700)  # each compressed body is ~300 bytes: two fit
    for i in range(5):
        call(app, f"/b{i}.js", headers=GZIP)
    assert app.compressions == 5
    call(app, "/b4.js", headers=GZIP)  # the newest is kept
    assert app.compressions == 5
    _, _, body = call(app, "/b0.js", headers=GZIP)  # the oldest was dropped: compressed again
    assert app.compressions == 6 and gzip.decompress(body).endswith(b"0" * 5000)


def test_too_big_to_hold_is_streamed_as_is(static_dir):
    app = wrapped(static_dir, max_size=10_000)
    status, headers, body = call(app, "/index.js", headers=GZIP)
    assert status == 200 and body == BUNDLE and b"content-encoding" not in headers


@pytest.mark.parametrize(
    "value, ok",
    [
        ("gzip", True),
        ("GZIP, deflate", True),
        ("br;q=1.0, gzip;q=0.8", True),
        ("gzip;q=0", False),
        ("gzip;q=0.0, *;q=1", False),
        ("*", True),
        ("identity", False),
        ("", False),
        ("gzip;q=abc", False),
    ],
)
def test_accepts_gzip(value, ok):
    assert accepts_gzip(value) is ok


def test_kept_on_disk_a_restarted_server_does_not_compress_again(static_dir, tmp_path):
    cache = tmp_path / "cache"
    first = wrapped(static_dir, cache_dir=cache)
    _, _, packed = call(first, "/index.js", headers=GZIP)
    assert first.compressions == 1 and [p.name.endswith("-9.gz") for p in cache.iterdir()] == [True]

    restarted = wrapped(static_dir, cache_dir=cache)  # a new process: nothing in memory
    status, headers, body = call(restarted, "/index.js", headers=GZIP)
    assert status == 200 and headers[b"content-encoding"] == b"gzip"
    assert body == packed and gzip.decompress(body) == BUNDLE
    assert restarted.compressions == 0

    (static_dir / "index.js").write_bytes(BUNDLE + b"// v2\n")  # another body: its own file
    _, _, body = call(restarted, "/index.js", headers=GZIP)
    assert gzip.decompress(body).endswith(b"// v2\n") and restarted.compressions == 1
    assert len(list(cache.iterdir())) == 2
