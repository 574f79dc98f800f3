"""Who may write: sign-in with Streamlit's own ``st.login`` (any OpenID Connect provider).

Viewers read the dashboard without signing in. Writing (the Import page, saving drafts,
editing, deleting, reverting) needs a signed-in *editor*, and the history records who wrote.

Two set-ups, decided by the app's ``secrets.toml`` (``.streamlit/secrets.toml``):

- **No ``[auth]`` section** (the default, one analyst on their own machine): writing is allowed
  without signing in, the writing pages say plainly that it is unauthenticated, and the history
  records the author as ``local (unauthenticated)`` (after the name typed on the page, if any:
  ``desk, local (unauthenticated)``).
- **An ``[auth]`` section** (Streamlit's: ``redirect_uri``, ``cookie_secret`` and a provider's
  ``client_id``, ``client_secret``, ``server_metadata_url``, either in ``[auth]`` itself or in
  named ``[auth.NAME]`` sections): writing needs a signed-in user. By default any user the
  provider signs in is an editor; ``editors`` in a ``[dashboard]`` section narrows that to a
  list of e-mail addresses (``"ana@desk.example"``) and domains (``"@desk.example"``), matched
  on the ``email`` claim (case-insensitive; refused when the provider says the address is not
  verified). The history records the user's e-mail, else their name, else their subject id.

  An ``[auth]`` section that cannot work (no ``cookie_secret``, no provider...) refuses writing
  with the reason: a team server never falls back to unauthenticated writing.

The decisions are pure functions of the secrets and the user's claims (:func:`auth_config`,
:func:`writer`, :func:`author`), tested with case tables; :func:`writing_gate` is the thin
Streamlit part every writing page calls first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "LOCAL_AUTHOR",
    "AuthConfig",
    "Writer",
    "auth_config",
    "author",
    "identity",
    "is_editor",
    "writer",
    "writing_gate",
]

#: The history's author of a write made without a configured provider.
LOCAL_AUTHOR = "local (unauthenticated)"

_PROVIDER_KEYS = ("client_id", "client_secret", "server_metadata_url")
_SHARED_KEYS = ("redirect_uri", "cookie_secret")


@dataclass(frozen=True)
class AuthConfig:
    """What ``secrets.toml`` says about sign-in.

    ``providers``: the ``st.login`` arguments to offer (``None`` = the provider written in
    ``[auth]`` itself); empty when sign-in is off. ``editors``: lower-cased addresses and
    ``@domains``; empty = every signed-in user. ``problems``: why a present ``[auth]`` section
    cannot work (writing is then refused).
    """

    enabled: bool = False
    providers: tuple[str | None, ...] = ()
    editors: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()


def _is_provider(section: Mapping[str, Any]) -> bool:
    return any(key in section for key in _PROVIDER_KEYS)


def auth_config(secrets: Mapping[str, Any]) -> AuthConfig:
    """Read the ``[auth]`` and ``[dashboard]`` sections of the app's secrets (a plain mapping)."""
    auth = secrets.get("auth")
    if not isinstance(auth, Mapping):
        return AuthConfig()
    providers: list[str | None] = [None] if _is_provider(auth) else []
    providers += sorted(
        name for name, value in auth.items() if isinstance(value, Mapping) and _is_provider(value)
    )
    problems = [f"[auth] has no {key}" for key in _SHARED_KEYS if not auth.get(key)]
    for name in providers:
        section = auth if name is None else auth[name]
        where = "[auth]" if name is None else f"[auth.{name}]"
        problems += [f"{where} has no {key}" for key in _PROVIDER_KEYS if not section.get(key)]
    if not providers:
        problems.append("[auth] names no provider (client_id, client_secret, server_metadata_url)")
    dashboard = secrets.get("dashboard")
    listed = dashboard.get("editors", []) if isinstance(dashboard, Mapping) else []
    if isinstance(listed, str) or not isinstance(listed, Sequence):
        problems.append("[dashboard] editors is a list of e-mail addresses and @domains")
        listed = []
    editors = tuple(str(e).strip().lower() for e in listed if str(e).strip())
    problems += [
        f"[dashboard] editors: {e!r} is neither an address (name@domain) nor a domain (@domain)"
        for e in editors
        if e.count("@") != 1 or e.endswith("@")
    ]
    return AuthConfig(
        enabled=True, providers=tuple(providers), editors=editors, problems=tuple(problems)
    )


def identity(user: Mapping[str, Any]) -> str | None:
    """How the history names a signed-in user: e-mail, else name, else subject id."""
    for claim in ("email", "name", "sub"):
        value = user.get(claim)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def is_editor(editors: Sequence[str], user: Mapping[str, Any]) -> bool:
    """Whether a signed-in user may write: everyone when ``editors`` is empty, else a listed
    address or an address of a listed ``@domain`` that the provider does not call unverified."""
    if not editors:
        return True
    email = user.get("email")
    if not isinstance(email, str) or email.count("@") != 1 or user.get("email_verified") is False:
        return False
    email = email.strip().lower()
    return email in editors or "@" + email.split("@")[1] in editors


@dataclass(frozen=True)
class Writer:
    """The current visitor as a writer: may they write, who the history says, what to show."""

    may_write: bool
    signed_in: bool
    name: str | None
    message: str


def writer(config: AuthConfig, user: Mapping[str, Any]) -> Writer:
    """Decide from the sign-in set-up and the visitor's claims (``st.user``)."""
    if not config.enabled:
        return Writer(
            True,
            False,
            None,
            "Writing is not authenticated: no sign-in provider is configured, so anyone who can "
            f"open this page can write, and the history records the author as {LOCAL_AUTHOR!r} "
            "(see the README, “Who may write”).",
        )
    if config.problems:
        return Writer(
            False,
            False,
            None,
            "Writing is disabled: the sign-in set-up in secrets.toml is incomplete ("
            + "; ".join(config.problems)
            + ").",
        )
    if user.get("is_logged_in") is not True:
        return Writer(False, False, None, "Sign in to write: viewers can only read.")
    name = identity(user)
    if name is None:
        return Writer(False, True, None, "Your sign-in gave no e-mail, name or id: no writing.")
    if not is_editor(config.editors, user):
        return Writer(
            False, True, name, f"Signed in as {name}, who is not an editor of this dashboard."
        )
    return Writer(True, True, name, f"Signed in as {name}: your changes are recorded in your name.")


def author(who: Writer, typed: str | None = None) -> str:
    """The history's author of a write: the signed-in identity, or the local marker (with the
    name typed on the page, when there is one)."""
    if who.signed_in and who.name:
        return who.name
    typed = (typed or "").strip()
    return f"{typed}, {LOCAL_AUTHOR}" if typed else LOCAL_AUTHOR


# -- the Streamlit part --------------------------------------------------------------------------


def _secrets() -> dict[str, Any]:
    import streamlit as st

    return st.secrets.to_dict() if st.secrets.load_if_toml_exists() else {}


def writing_gate(*, key: str = "auth") -> Writer:
    """Show who is writing (or why nobody may) with the sign-in/sign-out buttons; the page
    writes only when the returned :attr:`Writer.may_write` is true."""
    import streamlit as st

    config = auth_config(_secrets())
    who = writer(config, st.user.to_dict())
    if not config.enabled:
        st.warning(who.message, icon="🔓")
        return who
    if who.may_write:
        st.info(who.message, icon="🔐")
    else:
        st.warning(who.message, icon="🔒")
    if who.signed_in:
        if st.button("Sign out", key=f"{key}:logout"):
            st.logout()
    elif not config.problems:
        for provider in config.providers:
            label = "Sign in" if provider is None else f"Sign in with {provider}"
            if st.button(label, key=f"{key}:login:{provider}", type="primary"):
                if provider is None:
                    st.login()
                else:
                    st.login(provider)
    return who
