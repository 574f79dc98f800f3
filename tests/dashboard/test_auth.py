"""Who may write (dashboard.auth): the set-up read from the secrets, the decision, the author."""

from __future__ import annotations

import pytest

from dashboard.auth import LOCAL_AUTHOR, AuthConfig, auth_config, author, is_editor, writer

PROVIDER = {
    "client_id": "dashboard",
    "client_secret": "s3cret",
    "server_metadata_url": "https://id.example/.well-known/openid-configuration",
}
SHARED = {"redirect_uri": "https://dash.example/oauth2callback", "cookie_secret": "x" * 32}
AUTH = {"auth": {**SHARED, **PROVIDER}}
ANA = {"is_logged_in": True, "email": "Ana@Desk.example", "name": "Ana", "sub": "a1"}


@pytest.mark.parametrize(
    "secrets, enabled, providers, editors, problems",
    [
        ({}, False, (), (), ()),
        ({"other": {"key": "value"}}, False, (), (), ()),
        (AUTH, True, (None,), (), ()),
        (
            {"auth": {**SHARED, "okta": PROVIDER, "entra": PROVIDER}},
            True,
            ("entra", "okta"),
            (),
            (),
        ),
        (
            {**AUTH, "dashboard": {"editors": [" Ana@Desk.example ", "@NGO.example", ""]}},
            True,
            (None,),
            ("ana@desk.example", "@ngo.example"),
            (),
        ),
        ({"auth": PROVIDER}, True, (None,), (), ("[auth] has no redirect_uri", "[auth] has no cookie_secret")),
        ({"auth": SHARED}, True, (), (), ("[auth] names no provider",)),
        (
            {"auth": {**SHARED, "okta": {"client_id": "x"}}},
            True,
            ("okta",),
            (),
            ("[auth.okta] has no client_secret", "[auth.okta] has no server_metadata_url"),
        ),
        ({**AUTH, "dashboard": {"editors": "ana@desk.example"}}, True, (None,), (), ("a list",)),
        ({**AUTH, "dashboard": {"editors": ["desk.example"]}}, True, (None,), ("desk.example",), ("'desk.example' is neither",)),
        ({**AUTH, "dashboard": {"editors": ["ana@"]}}, True, (None,), ("ana@",), ("'ana@' is neither",)),
    ],
)  # fmt: skip
def test_auth_config(secrets, enabled, providers, editors, problems):
    config = auth_config(secrets)
    assert (config.enabled, config.providers, config.editors) == (enabled, providers, editors)
    assert len(config.problems) == len(problems)
    for found, expected in zip(config.problems, problems):
        assert expected in found


@pytest.mark.parametrize(
    "editors, user, expected",
    [
        ((), {"email": "anyone@any.example"}, True),
        ((), {"sub": "no-email"}, True),
        (("ana@desk.example",), {"email": "ANA@desk.example"}, True),
        (("ana@desk.example",), {"email": "bob@desk.example"}, False),
        (("@desk.example",), {"email": "bob@desk.example"}, True),
        (("@desk.example",), {"email": "bob@sub.desk.example"}, False),  # no subdomains
        (("@desk.example",), {"email": "bob@desk.example.evil"}, False),
        (("@desk.example",), {"email": "bob@desk.example", "email_verified": False}, False),
        (("@desk.example",), {"email": "bob@desk.example", "email_verified": True}, True),
        (("@desk.example",), {"name": "Bob"}, False),  # no address, no match
        (("@desk.example",), {"email": "a@b@desk.example"}, False),
        (("@desk.example",), {"email": 42}, False),
    ],
)
def test_is_editor(editors, user, expected):
    assert is_editor(editors, user) is expected


ON = AuthConfig(enabled=True, providers=(None,))
BROKEN = AuthConfig(enabled=True, providers=(None,), problems=("[auth] has no cookie_secret",))
DESK = AuthConfig(enabled=True, providers=(None,), editors=("@desk.example",))


@pytest.mark.parametrize(
    "config, user, may_write, signed_in, name, says",
    [
        # no provider: the single-user set-up writes, and says it is unauthenticated
        (AuthConfig(), {}, True, False, None, "not authenticated"),
        (AuthConfig(), {"email": "test@example.com"}, True, False, None, "not authenticated"),
        # a provider: viewers read, signed-in editors write
        (ON, {"is_logged_in": False}, False, False, None, "Sign in to write"),
        (ON, {}, False, False, None, "Sign in to write"),
        (ON, {"email": "x@y.example"}, False, False, None, "Sign in to write"),  # not logged in
        (ON, ANA, True, True, "Ana@Desk.example", "Signed in as Ana@Desk.example"),
        (ON, {"is_logged_in": True, "name": "Ana"}, True, True, "Ana", "Signed in as Ana"),
        (ON, {"is_logged_in": True, "sub": "a1"}, True, True, "a1", "Signed in as a1"),
        (ON, {"is_logged_in": True}, False, True, None, "no e-mail, name or id"),
        (DESK, ANA, True, True, "Ana@Desk.example", "Signed in as"),
        (DESK, {**ANA, "email": "bob@else.example"}, False, True, "bob@else.example", "not an editor"),
        # a broken set-up never falls back to unauthenticated writing
        (BROKEN, ANA, False, False, None, "has no cookie_secret"),
    ],
)  # fmt: skip
def test_writer(config, user, may_write, signed_in, name, says):
    who = writer(config, user)
    assert (who.may_write, who.signed_in, who.name) == (may_write, signed_in, name)
    assert says in who.message


@pytest.mark.parametrize(
    "config, user, typed, expected",
    [
        (AuthConfig(), {}, None, LOCAL_AUTHOR),
        (AuthConfig(), {}, "  ", LOCAL_AUTHOR),
        (AuthConfig(), {}, "desk", f"desk, {LOCAL_AUTHOR}"),
        (ON, ANA, None, "Ana@Desk.example"),
        (ON, ANA, "someone else", "Ana@Desk.example"),  # a typed name never replaces the sign-in
    ],
)
def test_author(config, user, typed, expected):
    assert author(writer(config, user), typed) == expected


def test_the_documented_example_is_a_working_set_up():
    import tomllib
    from pathlib import Path

    example = Path(__file__).resolve().parents[2] / ".streamlit" / "secrets.example.toml"
    config = auth_config(tomllib.loads(example.read_text(encoding="utf-8")))
    assert config.enabled and config.problems == ()
    assert config.providers == (None,) and config.editors == ("ana@desk.example", "@ngo.example")
