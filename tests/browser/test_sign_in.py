"""Sign-in for writers, for real: the app (``serve.py``) signs in through a local OpenID Connect
provider (``oidc-provider-mock`` on 127.0.0.1) with Streamlit's ``st.login``.

Viewers read without signing in; the writing pages refuse writing until an editor signs in; an
editor's edit is recorded in their name; a signed-in user outside the editors list may not
write; signing out ends it. Every request leaving 127.0.0.1 is aborted: the app's pages must
make none; the provider's own pages load one stylesheet from a CDN (aborted, they work without).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from incidents import Store
from incidents.history import history
from tests.browser.conftest import HOOKS, SCREENSHOTS
from tests.browser.test_dashboard import map_layers, metric, open_app, settle
from tests.support.assets_routes import install_routes
from tests.support.oidc import auth_secrets, oidc_provider
from tests.support.server import free_port, streamlit_server

pytestmark = pytest.mark.browser

ANA = {"sub": "ana", "email": "ana@desk.example", "name": "Ana Analyst", "email_verified": True}
BOB = {"sub": "bob", "email": "bob@elsewhere.example", "name": "Bob", "email_verified": True}
EVENT = "AFP-20250703-02"
#: The one outside request the provider's pages make (the app's pages make none).
PROVIDER_STYLE = "https://cdn.jsdelivr.net/npm/@picocss/"


@pytest.fixture(scope="module")
def auth_app(browser, tmp_path_factory) -> Iterator[tuple[str, str, str]]:
    """(app URL, store URL, provider URL): the app on a seeded store, signing in through the
    local provider; editors are the addresses of ``@desk.example``."""
    tmp = tmp_path_factory.mktemp("auth-app")
    store = Store.open(f"sqlite:///{tmp / 'incidents.sqlite'}")
    with oidc_provider([ANA, BOB]) as issuer:
        port = free_port()
        secrets = auth_secrets(
            tmp / "secrets.toml", issuer, app_port=port, editors=["@desk.example"]
        )
        with streamlit_server(
            store.url, tmp / "cache", port=port, args=["--secrets.files", str(secrets)]
        ) as (url, _proc):
            yield url, store.url, issuer


@pytest.fixture
def visitor(browser, request, auth_app):
    """A fresh browser (its own cookies) whose outside requests are aborted and checked: besides
    the optional map tiles, only the provider's stylesheet."""
    outside: list[tuple[str, str]] = []
    context = browser.new_context(viewport={"width": 1440, "height": 1600})
    context.add_init_script(HOOKS)
    install_routes(context, outside)
    pg = context.new_page()
    yield pg
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    try:
        pg.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    finally:
        context.close()
    aborted = [url for kind, url in outside if kind == "aborted"]  # map tiles are optional
    assert all(url.startswith(PROVIDER_STYLE) for url in aborted), aborted[:5]


def sign_in(page, app: str, sub: str) -> None:
    """From the Import page: Sign in, pick the user on the provider's page, back in the app."""
    page.goto(app + "/Import")
    settle(page)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r".*/oauth2/authorize.*"), timeout=30_000)
    page.get_by_role("button", name=sub, exact=True).click()
    page.wait_for_url(re.compile(re.escape(app) + r"/?(\?.*)?$"), timeout=30_000)
    settle(page)


@pytest.mark.slow  # the default run keeps the editor sign-in
def test_a_viewer_sees_the_map_without_signing_in(visitor, auth_app):
    app, _, _ = auth_app
    open_app(visitor, app)
    assert metric(visitor, "Incidents") == "5"
    assert map_layers(visitor)["points"] == 5


@pytest.mark.slow  # page refusals are checked without a browser too
def test_writing_pages_refuse_before_sign_in(visitor, auth_app):
    app, store_url, _ = auth_app
    visitor.goto(app + "/Import")
    settle(visitor)
    assert visitor.get_by_text("Sign in to write").is_visible()
    assert visitor.get_by_role("button", name="Sign in").is_visible()
    assert visitor.locator('input[type="file"]').count() == 0  # no upload before sign-in
    visitor.goto(app + "/New_incidents_from_a_report")
    settle(visitor)
    assert visitor.get_by_text("Sign in to write").is_visible()
    assert visitor.get_by_label("Paste the report").count() == 0
    visitor.goto(app + f"/Edit_incidents?event_id={EVENT}")
    settle(visitor)
    assert visitor.get_by_text("Sign in to write").is_visible()
    assert visitor.get_by_role("button", name="Save changes").count() == 0
    assert visitor.get_by_role("button", name="Delete").count() == 0
    assert visitor.get_by_role("button", name="Revert").count() == 0
    assert visitor.get_by_text("History", exact=True).is_visible()  # reading stays open
    assert len(history(Store.open(store_url), EVENT)) == 0


@pytest.mark.slow  # the page's gate for a signed-in editor: tests/app/test_pages_auth.py
def test_an_editor_signs_in_edits_and_the_history_names_them(visitor, auth_app):
    app, store_url, _ = auth_app
    sign_in(visitor, app, "ana")
    visitor.goto(app + f"/Edit_incidents?event_id={EVENT}")
    settle(visitor)
    assert visitor.get_by_text("Signed in as ana@desk.example").is_visible()
    assert visitor.get_by_label("Your name").count() == 0  # the author is the sign-in, not typed
    notes = visitor.get_by_label("notes", exact=True)
    notes.fill("Toll checked against the regional administration.")
    visitor.get_by_label("Why (kept in the history)").fill("checked the toll")
    visitor.get_by_role("button", name="Save changes").click()
    settle(visitor)
    visitor.get_by_text("1 field(s) changed").wait_for(timeout=30_000)
    assert "ana@desk.example" in visitor.get_by_test_id("stTable").inner_text()
    recorded = history(Store.open(store_url), EVENT)
    assert recorded.iloc[0]["who"] == "ana@desk.example"
    assert recorded.iloc[0]["field"] == "notes"

    # signing out ends it: through the provider's end-session page, back to a viewer
    visitor.get_by_role("button", name="Sign out").click()
    visitor.wait_for_url(re.compile(r".*/oauth2/end_session.*"), timeout=30_000)
    visitor.get_by_role("button", name="End session").click()
    visitor.wait_for_url(re.compile(re.escape(app) + r"/?(\?.*)?$"), timeout=30_000)
    visitor.goto(app + f"/Edit_incidents?event_id={EVENT}")
    settle(visitor)
    assert visitor.get_by_text("Sign in to write").is_visible()
    assert visitor.get_by_role("button", name="Save changes").count() == 0


@pytest.mark.slow  # page refusals are checked without a browser too
def test_a_signed_in_user_outside_the_editors_may_not_write(visitor, auth_app):
    app, _, _ = auth_app
    sign_in(visitor, app, "bob")
    visitor.goto(app + "/Import")
    settle(visitor)
    assert visitor.get_by_text(
        "Signed in as bob@elsewhere.example, who is not an editor"
    ).is_visible()
    assert visitor.locator('input[type="file"]').count() == 0
    assert visitor.get_by_role("button", name="Sign out").is_visible()
