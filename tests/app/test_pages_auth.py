"""The writing pages with and without a sign-in provider, driven headless (AppTest).

``at.secrets`` gives the page Streamlit's ``[auth]`` section and ``at.user`` the visitor's
claims, as ``st.login`` would after a sign-in (the sign-in itself is tested in a real browser,
tests/browser/test_sign_in.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.auth import LOCAL_AUTHOR
from incidents import Store
from incidents.history import history

PAGES = Path(__file__).resolve().parents[2] / "pages"
EDIT = PAGES / "2_Edit_incidents.py"
IMPORT = PAGES / "3_Import.py"
DRAFTS = PAGES / "1_New_incidents_from_a_report.py"
EVENT = "AFP-20250703-02"
AUTH = {
    "auth": {
        "redirect_uri": "http://127.0.0.1:8501/oauth2callback",
        "cookie_secret": "c" * 32,
        "client_id": "dashboard",
        "client_secret": "s",
        "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
    },
    "dashboard": {"editors": ["@desk.example"]},
}
ANA = {"is_logged_in": True, "email": "ana@desk.example", "name": "Ana"}


@pytest.fixture
def db(tmp_path, monkeypatch) -> str:
    url = f"sqlite:///{tmp_path / 'app.sqlite'}"
    Store.open(url)
    monkeypatch.setenv("INCIDENTS_DB", url)
    return url


def page(path: Path, *, secrets: dict | None = None, user: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(path), default_timeout=60)
    at.secrets.update(secrets or {})
    at.user = user if user is not None else {}
    if path == EDIT:
        at.query_params["event_id"] = EVENT
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def buttons(at: AppTest) -> set[str]:
    return {b.label for b in at.button}


def save_notes(at: AppTest, notes: str, **typed: str) -> None:
    at.text_input(key="edit:notes").set_value(notes)
    for key, value in typed.items():
        at.text_input(key=key).set_value(value)
    next(b for b in at.button if b.label == "Save changes").click().run()
    assert not at.exception, [e.value for e in at.exception]


def test_without_a_provider_writing_is_local_and_says_so(db):
    at = page(EDIT)
    assert "not authenticated" in at.warning[0].value
    assert "Save changes" in buttons(at) and "Sign in" not in buttons(at)
    save_notes(at, "checked", edit_who="desk")
    assert history(Store.open(db), EVENT).iloc[0]["who"] == f"desk, {LOCAL_AUTHOR}"
    at = page(IMPORT)
    assert "not authenticated" in at.warning[0].value
    assert len(at.get("file_uploader")) == 1


def test_with_a_provider_a_viewer_may_not_write(db):
    for path in (EDIT, IMPORT, DRAFTS):
        at = page(path, secrets=AUTH, user={"is_logged_in": False})
        assert "Sign in to write" in at.warning[0].value, path.name
        assert "Sign in" in buttons(at)
        assert not {"Save changes", "Delete", "Revert", "Draft incidents"} & buttons(at)
        assert len(at.get("file_uploader")) == 0
    assert len(history(Store.open(db), EVENT)) == 0


def test_a_signed_in_editor_writes_in_their_name(db):
    at = page(EDIT, secrets=AUTH, user=ANA)
    assert "Signed in as ana@desk.example" in at.info[0].value
    assert "Sign out" in buttons(at)
    assert not [t for t in at.text_input if t.key == "edit_who"]  # no typed name to spoof
    save_notes(at, "checked by the desk")
    recorded = history(Store.open(db), EVENT).iloc[0]
    assert (recorded["who"], recorded["new"]) == ("ana@desk.example", "checked by the desk")


def test_a_signed_in_user_outside_the_editors_reads_only(db):
    at = page(EDIT, secrets=AUTH, user={**ANA, "email": "bob@elsewhere.example"})
    assert "not an editor" in at.warning[0].value
    assert "Save changes" not in buttons(at) and "Sign out" in buttons(at)


def test_an_incomplete_set_up_refuses_writing_and_names_the_gap(db):
    broken = {"auth": {k: v for k, v in AUTH["auth"].items() if k != "cookie_secret"}}
    at = page(IMPORT, secrets=broken, user=ANA)
    assert "has no cookie_secret" in at.warning[0].value
    assert len(at.get("file_uploader")) == 0 and "Sign in" not in buttons(at)
