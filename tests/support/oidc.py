"""A real OpenID Connect provider on 127.0.0.1 for the sign-in tests: ``oidc-provider-mock``.

It runs as its own process (``python -m oidc_provider_mock``, a Flask app under uvicorn), issues
signed ID tokens, serves discovery, JWKS, token, userinfo and end-session endpoints, and accepts
any client id and secret. Its sign-in page asks for a subject: a user given to :func:`oidc_provider`
gets a button with their claims. Its pages load a stylesheet from a CDN, which the browser
tests abort like any outside request (the page works without it).

:func:`auth_secrets` writes the app's ``secrets.toml`` for it: Streamlit's ``[auth]`` section
(``st.login``) and, optionally, the ``[dashboard]`` editors list.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

from tests.support.server import free_port, stop_process

__all__ = ["auth_secrets", "oidc_provider"]


@contextlib.contextmanager
def oidc_provider(users: Sequence[Mapping[str, object]] = ()) -> Iterator[str]:
    """Start the provider on a free port of 127.0.0.1; yield its issuer URL; stop it (by pid).

    Each of ``users`` is a claims mapping with a ``sub`` (e.g. ``{"sub": "ana", "email": ...}``).
    """
    port = free_port()
    claims = [arg for user in users for arg in ("--user-claims", json.dumps(dict(user)))]
    log = tempfile.NamedTemporaryFile(prefix="oidc-", suffix=".log", delete=False)  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-m", "oidc_provider_mock", "--host", "127.0.0.1", "--port", str(port),
         *claims],
        stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "NO_COLOR": "1"},
    )  # fmt: skip
    issuer = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                raise RuntimeError(
                    f"the OIDC provider exited: {Path(log.name).read_text()[-2000:]}"
                )
            try:
                url = issuer + "/.well-known/openid-configuration"
                with urllib.request.urlopen(url, timeout=1) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the OIDC provider did not start within 30 s")
            time.sleep(0.1)
        yield issuer
    finally:
        stop_process(proc, log)


def _toml_list(values: Sequence[str]) -> str:
    return "[" + ", ".join(json.dumps(v) for v in values) + "]"


def auth_secrets(
    path: Path, issuer: str, *, app_port: int, editors: Sequence[str] | None = None
) -> Path:
    """Write a ``secrets.toml`` signing the app on ``app_port`` in with the provider at
    ``issuer``; ``editors`` fills ``[dashboard] editors``. Returns ``path``."""
    text = (
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{app_port}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_hex(32)}"\n'
        'client_id = "incidents-dashboard"\n'
        f'client_secret = "{secrets.token_hex(16)}"\n'
        f'server_metadata_url = "{issuer}/.well-known/openid-configuration"\n'
    )
    if editors is not None:
        text += f"\n[dashboard]\neditors = {_toml_list(editors)}\n"
    path.write_text(text, encoding="utf-8")
    return path
