"""Edit a stored incident (the same form as the drafts), delete it with a reason, see its
history and revert a change."""

from __future__ import annotations

import streamlit as st

from dashboard import auth
from dashboard.forms import field_widget
from dashboard.review import FORM_FIELDS, form_to_record, record_to_form
from incidents import IncidentsError, Store, default_url
from incidents.history import delete_incident, edit_incident, get_incident, history, revert

st.set_page_config(page_title="Edit incidents", page_icon="✏️", layout="wide")


@st.cache_resource(show_spinner=False)
def open_store(url: str) -> Store:
    return Store.open(url)


def load(store: Store, event_id: str) -> dict | None:
    try:
        record = get_incident(store, event_id)
    except IncidentsError as err:
        st.error(str(err))
        return None
    if st.session_state.get("editing") != (event_id, store.revision):
        for name, value in record_to_form(record).items():
            st.session_state[f"edit:{name}"] = value
        st.session_state["editing"] = (event_id, store.revision)
    return record


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
    record = load(store, event_id)
    if record is None:
        return
    if writer.may_write:
        edit_forms(store, event_id, record, writer)
    show_history(store, event_id, writer)


def edit_forms(store: Store, event_id: str, record: dict, writer: auth.Writer) -> None:
    """The edit form and the deletion, for an editor."""
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
                    store, event_id, changes, why=why or None, who=auth.author(writer, typed)
                )
            except IncidentsError as err:
                st.error(f"Not saved: {err}")
            else:
                st.session_state["edit_message"] = f"{event_id}: {n} field(s) changed."
                st.rerun()
    with st.expander("Delete this incident"):
        reason = st.text_input("Reason (required)", key="delete_reason")
        if st.button("Delete", key="delete"):
            try:
                who = auth.author(writer, st.session_state.get("edit_who"))
                delete_incident(store, event_id, why=reason, who=who)
            except IncidentsError as err:
                st.error(str(err))
            else:
                st.session_state["edit_message"] = f"{event_id} deleted (kept in the history)."
                st.rerun()


def show_history(store: Store, event_id: str, writer: auth.Writer) -> None:
    """The incident's recorded changes; an editor may revert one."""
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
            revert(store, int(change), who=auth.author(writer, st.session_state.get("edit_who")))
        except IncidentsError as err:
            st.error(str(err))
        else:
            st.session_state["edit_message"] = f"Change {change} reverted."
            st.rerun()


main()
