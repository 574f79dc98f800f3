"""Edit a stored incident (the same form as the drafts), delete it with a reason, see its
history and revert a change.

Several analysts may edit at once: the form remembers the incident's version when it was
loaded, and a save, deletion or revert over someone else's change is refused with what changed,
keeping the analyst's input in the form (never overwriting either side)."""

from __future__ import annotations

import streamlit as st

from dashboard import auth
from dashboard.forms import field_widget
from dashboard.review import FORM_FIELDS, form_to_record, record_to_form
from incidents import IncidentsError, Store, default_url
from incidents.history import (
    delete_incident,
    edit_incident,
    get_versioned,
    history,
    revert,
)

st.set_page_config(page_title="Edit incidents", page_icon="✏️", layout="wide")


@st.cache_resource(show_spinner=False)
def open_store(url: str) -> Store:
    return Store.open(url)


def load(store: Store, event_id: str) -> dict | None:
    """The incident as the analyst loaded it: ``record`` and ``version``, read when another
    incident is chosen or after a save, never behind the analyst's back (their input stays)."""
    loaded = st.session_state.get("editing")
    if loaded is None or loaded["event_id"] != event_id:
        try:
            record, version = get_versioned(store, event_id)
        except IncidentsError as err:
            st.error(str(err))
            return None
        for name, value in record_to_form(record).items():
            st.session_state[f"edit:{name}"] = value
        loaded = {"event_id": event_id, "record": record, "version": version}
        st.session_state["editing"] = loaded
    return loaded


def reload_button(label: str) -> None:
    if st.button(label, key="edit_reload"):
        st.session_state.pop("editing", None)
        st.rerun()


def refused(err: IncidentsError) -> None:
    """A refused save; a :class:`~incidents.history.StaleEditError` lists someone else's
    changes since loading. The form keeps the analyst's input."""
    st.error(f"Not saved: {err}")


def main() -> None:
    st.title("Edit incidents")
    writer = auth.writing_gate()
    try:
        store = open_store(default_url())
    except IncidentsError as err:
        st.error(f"The store cannot be opened: {err}")
        return
    if "edit_message" in st.session_state:
        st.success(st.session_state.pop("edit_message"))
    event_id = st.text_input(
        "Event id", value=st.query_params.get("event_id", ""), key="edit_event_id"
    ).strip()
    if not event_id:
        st.info("Type the id of an incident (the table of the main page lists them).")
        return
    st.query_params["event_id"] = event_id
    loaded = load(store, event_id)
    if loaded is None:
        return
    if writer.may_write:
        edit_forms(store, event_id, loaded, writer)
    show_history(store, event_id, writer, loaded["version"])


def edit_forms(store: Store, event_id: str, loaded: dict, writer: auth.Writer) -> None:
    """The edit form and the deletion, for an editor. They keep the version of the incident
    the form loaded: a save over someone else's change since is refused, the input kept."""
    record, version = loaded["record"], loaded["version"]
    try:
        _, stored_version = get_versioned(store, event_id)
    except IncidentsError:  # deleted since it was loaded
        stored_version = None
    if stored_version != version:
        st.warning(
            f"{event_id} was changed or deleted by someone else since you loaded it (version "
            f"{version}). Saving now is refused; your input stays in the form until you load "
            "the stored values."
        )
        reload_button("Load the stored values (discards your input)")
    else:
        st.caption(f"Loaded at version {version}.")
    with st.form("edit_form"):
        cols = st.columns(3)
        for i, (name, kind) in enumerate(FORM_FIELDS):
            with cols[i % 3]:
                field_widget(f"edit:{name}", name, kind)
        why = st.text_input("Why (kept in the history)", key="edit_why")
        typed = None if writer.signed_in else st.text_input("Your name", key="edit_who")
        if st.form_submit_button("Save changes", type="primary"):
            values = {n: st.session_state.get(f"edit:{n}") for n, _ in FORM_FIELDS}
            new = form_to_record(values, record)
            changes = {k: v for k, v in new.items() if v != record.get(k)}
            try:
                n = edit_incident(
                    store,
                    event_id,
                    changes,
                    why=why or None,
                    who=auth.author(writer, typed),
                    version=version,
                    seen=record,
                )
            except IncidentsError as err:
                refused(err)
            else:
                st.session_state["edit_message"] = f"{event_id}: {n} field(s) changed."
                st.session_state.pop("editing", None)
                st.rerun()
    with st.expander("Delete this incident"):
        reason = st.text_input("Reason (required)", key="delete_reason")
        if st.button("Delete", key="delete"):
            try:
                who = auth.author(writer, st.session_state.get("edit_who"))
                delete_incident(store, event_id, why=reason, who=who, version=version, seen=record)
            except IncidentsError as err:
                refused(err)
            else:
                st.session_state["edit_message"] = f"{event_id} deleted (kept in the history)."
                st.session_state.pop("editing", None)
                st.rerun()


def show_history(store: Store, event_id: str, writer: auth.Writer, version: int) -> None:
    """The incident's recorded changes; an editor may revert one (refused when the incident
    is no longer at the loaded ``version``)."""
    st.subheader("History")
    frame = history(store, event_id)
    if not len(frame):
        st.caption("No recorded change.")
        return
    shown = frame.copy()
    for name in ("old", "new"):  # whole rows (creations, deletions) are long JSON: shortened
        shown[name] = shown[name].map(lambda v: v if v is None or len(v) < 80 else v[:77] + "…")
    st.table(shown.rename(columns={"change_id": "change"}).set_index("change"))
    change = st.selectbox(
        "Change to revert",
        frame["change_id"].tolist(),
        format_func=lambda c: f"#{c}",
        key=f"revert_change:{event_id}:{store.revision}",  # newest change preselected
        disabled=not writer.may_write,
    )
    if writer.may_write and st.button("Revert", key="revert"):
        try:
            revert(
                store,
                int(change),
                who=auth.author(writer, st.session_state.get("edit_who")),
                version=version,
            )
        except IncidentsError as err:
            refused(err)
        else:
            st.session_state["edit_message"] = f"Change {change} reverted."
            st.session_state.pop("editing", None)
            st.rerun()


main()
