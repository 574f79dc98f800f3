"""Gzip for the dashboard's static front-end, compressed once and kept: an ASGI middleware.

Streamlit serves its front-end bundle (``/static/...``, about 5.8 MB of JavaScript and CSS)
and the root page uncompressed on purpose: its own gzip middleware would recompress the
same bytes on every request, and Streamlit expects a compressing proxy in front. Without
one, every analyst's first visit downloads the 5.8 MB. The bundle's files are
content-hashed and immutable, so :class:`CachedGzipMiddleware` compresses each response
body once (gzip level 9, in a worker thread) and serves the cached bytes afterwards: about
1.6 MB for the bundle, at no CPU cost after the first request.

Only ``GET`` requests to the configured path prefixes are touched, and only when the client
accepts gzip, the response is a complete ``200`` of a compressible type with no encoding of
its own, and its body is between ``min_size`` and ``max_size`` bytes. Everything else
(WebSocket, ranges, ``HEAD``, ``304``, media, downloads) passes through unchanged. The cache
is keyed by path and body digest, so a changed file is never served stale, and it is bounded
(``cache_bytes``, least recently used out first).

With ``cache_dir``, each compressed body is also kept on disk (``gzip-<body digest>-<level>.gz``,
written to a temporary file and renamed), so a restarted server does not compress the bundle
again: its first visitor costs about 0.4 s less server CPU. A file from disk is served only
when it decompresses to exactly the body it stands for (about 5 ms per MB of bundle); a damaged
one is compressed again and replaced, with a :class:`GzipCacheWarning`. A disk that refuses
to be written is only warned about: the bytes are still served from memory.

``serve.py`` wraps the dashboard with it (``streamlit run serve.py``, what ``make run`` does).
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import os
import warnings
import zlib
from collections import OrderedDict
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

import anyio.to_thread

__all__ = ["COMPRESSIBLE_TYPES", "CachedGzipMiddleware", "GzipCacheWarning", "accepts_gzip"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: Media types worth compressing (by prefix of the ``content-type`` header).
COMPRESSIBLE_TYPES: tuple[str, ...] = (
    "text/",
    "application/javascript",
    "application/json",
    "application/manifest+json",
    "image/svg+xml",
)


class GzipCacheWarning(UserWarning):
    """A compressed body kept on disk was damaged or could not be written (it is rebuilt)."""


def accepts_gzip(accept_encoding: str) -> bool:
    """Whether an ``Accept-Encoding`` value allows gzip (``gzip`` or ``*`` with q > 0)."""
    allowed: dict[str, bool] = {}
    for part in accept_encoding.lower().split(","):
        coding, _, params = part.strip().partition(";")
        q = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if coding:
            allowed[coding.strip()] = q > 0
    return allowed.get("gzip", allowed.get("*", False))


class CachedGzipMiddleware:
    """Gzip the bodies of ``GET`` responses under ``prefixes`` once, and serve them from memory.

    ``prefixes``: request paths it applies to (``"/"`` alone means the root page only; other
    entries match as prefixes). Defaults: Streamlit's root page and ``/static/`` bundle.
    ``cache_dir``: where compressed bodies are also kept across restarts (None: memory only).
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        prefixes: tuple[str, ...] = ("/", "/static/"),
        min_size: int = 1024,
        max_size: int = 32 * 1024 * 1024,
        cache_bytes: int = 64 * 1024 * 1024,
        level: int = 9,
        cache_dir: Path | str | None = None,
    ) -> None:
        self.app = app
        self.prefixes = prefixes
        self.min_size = min_size
        self.max_size = max_size
        self.cache_bytes = cache_bytes
        self.level = level
        self.cache_dir = Path(cache_dir) if cache_dir is not None else None
        self._cache: OrderedDict[tuple[str, bytes], bytes] = OrderedDict()
        self._cached = 0
        self.compressions = 0  # bodies compressed so far (the rest came from the cache)

    def applies_to(self, scope: Scope) -> bool:
        if scope.get("type") != "http" or scope.get("method") != "GET":
            return False
        path = scope.get("path", "")
        if not any(path == p if p == "/" else path.startswith(p) for p in self.prefixes):
            return False
        headers = {k.lower(): v for k, v in scope.get("headers", ())}
        return b"range" not in headers and accepts_gzip(
            headers.get(b"accept-encoding", b"").decode("latin-1")
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self.applies_to(scope):
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        chunks: list[bytes] = []
        size = 0
        passing = False  # the response is not ours to compress: forward as it comes

        async def capture(message: Message) -> None:
            nonlocal start, size, passing
            if passing:
                await send(message)
                return
            if message["type"] == "http.response.start":
                start = message
                if not self._compressible(message):
                    passing = True
                    await send(message)
                return
            if message["type"] != "http.response.body":
                await send(message)
                return
            assert start is not None, "ASGI sends http.response.start before the body"
            body = message.get("body", b"")
            chunks.append(body)
            size += len(body)
            if size > self.max_size:  # too big to hold: send what we have, then stream
                passing = True
                await send(start)
                await send(
                    {
                        "type": "http.response.body",
                        "body": b"".join(chunks),
                        "more_body": message.get("more_body", False),
                    }
                )
                chunks.clear()
                return
            if not message.get("more_body", False):
                await self._finish(scope, start, b"".join(chunks), send)

        await self.app(scope, receive, capture)

    def _compressible(self, start: Message) -> bool:
        if start.get("status") != 200:
            return False
        headers = {k.lower(): v for k, v in start.get("headers", ())}
        if b"content-encoding" in headers:
            return False
        ctype = headers.get(b"content-type", b"").decode("latin-1").lower()
        return ctype.startswith(COMPRESSIBLE_TYPES)

    async def _finish(self, scope: Scope, start: Message, body: bytes, send: Send) -> None:
        if len(body) < self.min_size:
            await send(start)
            await send({"type": "http.response.body", "body": body})
            return
        key = (scope.get("path", ""), hashlib.blake2b(body, digest_size=16).digest())
        packed = self._cache.get(key)
        if packed is None:
            packed = await anyio.to_thread.run_sync(lambda: self._packed(key[1], body))
            self._remember(key, packed)
        else:
            self._cache.move_to_end(key)
        headers = [
            (k, v)
            for k, v in start.get("headers", ())
            if k.lower() not in (b"content-length", b"vary", b"etag")
        ]
        vary = [v for k, v in start.get("headers", ()) if k.lower() == b"vary"]
        etag = [v for k, v in start.get("headers", ()) if k.lower() == b"etag"]
        headers += [(b"content-encoding", b"gzip"), (b"content-length", str(len(packed)).encode())]
        headers.append((b"vary", b", ".join([*vary, b"Accept-Encoding"])))
        if etag:  # another representation of the same resource: a weak validator
            headers.append((b"etag", etag[0] if etag[0].startswith(b"W/") else b"W/" + etag[0]))
        await send({**start, "headers": headers})
        await send({"type": "http.response.body", "body": packed})

    def _packed(self, digest: bytes, body: bytes) -> bytes:
        """The body compressed: from the disk cache when a good copy is there, else now."""
        path = None
        if self.cache_dir is not None:
            path = self.cache_dir / f"gzip-{digest.hex()}-{self.level}.gz"
            kept = _read_kept(path, body)
            if kept is not None:
                return kept
        packed = gzip.compress(body, compresslevel=self.level, mtime=0)
        self.compressions += 1
        if path is not None:
            _keep(path, packed)
        return packed

    def _remember(self, key: tuple[str, bytes], packed: bytes) -> None:
        if len(packed) > self.cache_bytes:
            return
        self._cache[key] = packed
        self._cached += len(packed)
        while self._cached > self.cache_bytes:
            _, old = self._cache.popitem(last=False)
            self._cached -= len(old)


def _read_kept(path: Path, body: bytes) -> bytes | None:
    """The compressed bytes kept at ``path`` if they decompress to ``body``; None if there are
    none (or they cannot be read); a damaged file is warned about (and then replaced)."""
    try:
        packed = path.read_bytes()
    except (FileNotFoundError, NotADirectoryError):  # none kept (yet)
        return None
    except OSError as err:
        _warn(f"the compressed copy {path} cannot be read ({err.strerror}); compressed again")
        return None
    try:
        good = gzip.decompress(packed) == body
    except (OSError, EOFError, zlib.error):
        good = False
    if not good:
        _warn(f"the compressed copy {path} is damaged; compressed again and replaced")
        return None
    return packed


def _keep(path: Path, packed: bytes) -> None:
    """Write ``packed`` to ``path`` whole or not at all (a temporary file, then a rename)."""
    tmp = path.with_name(f"{path.name}.tmp{os.getpid()}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(packed)
        os.replace(tmp, path)
    except OSError as err:
        with contextlib.suppress(OSError):
            tmp.unlink()
        _warn(f"the compressed copy {path} cannot be written ({err.strerror}); kept in memory")


def _warn(message: str) -> None:
    warnings.warn(message, GzipCacheWarning, stacklevel=3)
