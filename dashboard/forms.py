"""The incident form's widgets, shared by the drafting and the editing pages."""

from __future__ import annotations

import streamlit as st

from incidents.schema import CLAIM_STATUSES

from .review import SUB_EVENT_CHOICES


def field_widget(key: str, name: str, kind: str) -> None:
    """The widget of one form field (``kind`` from :data:`dashboard.review.FORM_FIELDS`), its
    value kept in ``st.session_state[key]``."""
    label = name.replace("_", " ")
    if kind == "date":
        st.date_input(label, key=key)
    elif kind == "sub_event":
        st.selectbox("event type / sub-event type", SUB_EVENT_CHOICES, key=key)
    elif kind == "claim":
        st.selectbox(label, CLAIM_STATUSES, key=key)
    elif kind in ("int", "count"):
        st.number_input(label, min_value=0, step=1, value=None, key=key)
    elif kind == "float":
        st.number_input(label, value=None, format="%.5f", key=key)
    else:
        st.text_input(label, key=key)
