"""Security headers on every HTTP response of the dashboard, and no metrics endpoint: an ASGI
middleware (``serve.py`` wraps the page with it).

- ``X-Frame-Options: SAMEORIGIN`` and ``Content-Security-Policy: frame-ancestors 'self'``: no
  other site can frame the page (click-jacking); the page's own component frames still work.
- ``X-Content-Type-Options: nosniff``: files are used as the type they are served as.
- ``Referrer-Policy: strict-origin-when-cross-origin``: other sites (map tiles, when online)
  learn the dashboard's origin at most, never a page address with its filters.
- ``/_stcore/metrics`` (Streamlit's usage metrics) answers 404: nothing a viewer needs.

A header the app already sets is left as it is.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

__all__ = ["BLOCKED_PATHS", "SECURITY_HEADERS", "SecurityHeadersMiddleware"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

SECURITY_HEADERS: tuple[tuple[str, str], ...] = (
    ("x-frame-options", "SAMEORIGIN"),
    ("content-security-policy", "frame-ancestors 'self'"),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "strict-origin-when-cross-origin"),
)
#: Request paths answered 404 (matched at the end of the path: any base URL path works).
BLOCKED_PATHS: tuple[str, ...] = ("/_stcore/metrics",)


class SecurityHeadersMiddleware:
    """Add :data:`SECURITY_HEADERS` to every HTTP response; answer 404 on :data:`BLOCKED_PATHS`."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        headers: tuple[tuple[str, str], ...] = SECURITY_HEADERS,
        blocked: tuple[str, ...] = BLOCKED_PATHS,
    ):
        self.app = app
        self.headers = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers]
        self.blocked = blocked

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {bytes(k).lower() for k, _ in headers}
                headers += [(k, v) for k, v in self.headers if k not in present]
                message = {**message, "headers": headers}
            await send(message)

        path = scope.get("path", "").rstrip("/")
        if any(path.endswith(b) for b in self.blocked):
            await send_with_headers(
                {
                    "type": "http.response.start",
                    "status": 404,
                    "headers": [(b"content-type", b"text/plain; charset=utf-8")],
                }
            )
            await send({"type": "http.response.body", "body": b"Not found\n"})
            return
        await self.app(scope, receive, send_with_headers)
