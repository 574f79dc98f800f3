"""The Edit page with two analysts at once (two headless sessions on one store, both backends):
the second save over the first one's change is refused with what changed, and the second
analyst's input stays in the form until they load the stored values."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from incidents import Store
from incidents.history import get_versioned, history

PAGE = Path(__file__).resolve().parents[2] / "pages" / "2_Edit_incidents.py"
ID = "AFP-20250703-03"


def session(event_id: str) -> AppTest:
    at = AppTest.from_file(str(PAGE), default_timeout=60)
    at.query_params["event_id"] = event_id
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def save(at: AppTest, **fields: str) -> AppTest:
    for name, value in fields.items():
        at.text_input(key=f"edit:{name}").input(value)
    [button] = [b for b in at.button if b.label == "Save changes"]
    button.click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_two_analysts_edit_one_incident(new_store_url, monkeypatch):
    url = new_store_url()
    store = Store.open(url)
    monkeypatch.setenv("INCIDENTS_DB", url)
    amira, ben = session(ID), session(ID)  # both load the incident
    assert amira.text_input(key="edit:location").value == "Lipetsk Oblast"

    amira.text_input(key="edit_who").input("amira")
    save(amira, location="Lipetsk")
    assert any("1 field(s) changed" in s.value for s in amira.success)
    assert get_versioned(store, ID)[0]["location"] == "Lipetsk"

    save(ben, notes="Ben's wording of the strike.")
    errors = " ".join(e.value for e in ben.error)
    assert "Not saved" in errors and "changed by someone else" in errors
    assert "location: you saw 'Lipetsk Oblast', now 'Lipetsk' (by amira" in errors
    # ben's input is kept, the store is not overwritten
    assert ben.text_input(key="edit:notes").value == "Ben's wording of the strike."
    assert ben.text_input(key="edit:location").value == "Lipetsk Oblast"
    stored = get_versioned(store, ID)[0]
    assert stored["notes"] != "Ben's wording of the strike." and stored["location"] == "Lipetsk"
    (author,) = history(store, ID)["who"]  # ben's save left no trace
    assert author.startswith("amira")
    # a rerun keeps the input and the warning; loading the stored values discards it
    ben.run()
    assert ben.text_input(key="edit:notes").value == "Ben's wording of the strike."
    assert any("changed or deleted by someone else" in w.value for w in ben.warning)
    [reload] = [b for b in ben.button if b.key == "edit_reload"]
    reload.click().run()
    assert ben.text_input(key="edit:location").value == "Lipetsk"
    assert ben.text_input(key="edit:notes").value == stored["notes"]
    assert not any("changed or deleted by someone else" in w.value for w in ben.warning)
    save(ben, notes="Ben's wording of the strike.")
    assert any("1 field(s) changed" in s.value for s in ben.success)
    assert get_versioned(store, ID)[0]["notes"] == "Ben's wording of the strike."
    store.engine.dispose()
