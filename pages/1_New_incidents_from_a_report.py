"""New incidents from a report: paste or upload a dispatch, review the drafts beside the text
(evidence highlighted), correct them, drop or add, save them in one transaction."""

from __future__ import annotations

import datetime as dt

import streamlit as st
from streamlit_folium import st_folium

from dashboard import auth
from dashboard.forms import field_widget
from dashboard.places import team_gazetteer
from dashboard.review import (
    FORM_FIELDS,
    form_to_record,
    highlight,
    place_map,
    record_to_form,
)
from geodata.places import PlaceStore
from incidents import IncidentsError, Store, default_url
from incidents.draft import (
    RECONCILED,
    decode_report,
    draft_report,
    find_matches,
    merge_differences,
    save_drafts,
)

st.set_page_config(page_title="New incidents from a report", page_icon="📝", layout="wide")


@st.cache_resource(show_spinner=False)
def open_store(url: str) -> Store:
    return Store.open(url)


def draft_from_input(text: str, upload, published: dt.date, lang: str, outlet: str) -> None:
    try:
        if upload is not None:
            text = decode_report(upload.getvalue())
        report = draft_report(
            text,
            published=published,
            language=lang,
            outlet=outlet or "unknown",
            gazetteer=team_gazetteer(PlaceStore.open(default_url(), create=False)),
        )
    except IncidentsError as err:
        st.session_state.pop("report", None)
        st.session_state["draft_error"] = str(err)
        return
    st.session_state.pop("draft_error", None)
    st.session_state["report"] = report
    st.session_state["records"] = {d.record["event_id"]: dict(d.record) for d in report.drafts}
    st.session_state["drafts"] = {d.record["event_id"]: d for d in report.drafts}
    for d in report.drafts:
        for name, value in record_to_form(d.record).items():
            st.session_state[f"{d.record['event_id']}:{name}"] = value
        st.session_state[f"{d.record['event_id']}:keep"] = True


def choose_place(event_id: str) -> None:
    """A gazetteer candidate chosen: its point, names and provenance fill the form."""
    drafts = st.session_state["drafts"]
    choice = st.session_state[f"{event_id}:candidate"]
    for c in drafts[event_id].candidates if event_id in drafts else []:
        if candidate_label(c) == choice:
            st.session_state[f"{event_id}:latitude"] = c["lat"]
            st.session_state[f"{event_id}:longitude"] = c["lon"]
            st.session_state[f"{event_id}:location"] = c["name"]
            st.session_state[f"{event_id}:admin1"] = c["admin1"]
            st.session_state[f"{event_id}:geo_precision"] = 1
            st.session_state["records"][event_id].update(
                geo_source="gazetteer", geonames_id=c["geonames_id"]
            )


def candidate_label(c: dict) -> str:
    return f"{c['name']} ({c['country']}, {c['admin1']}) {c['lat']:.4f}, {c['lon']:.4f}"


def add_draft() -> None:
    records = st.session_state["records"]
    report = st.session_state["report"]
    n = len(records) + 1
    event_id = f"{report.outlet.upper()}-{report.published:%Y%m%d}-{n:02d}-added"
    base = {
        "event_id": event_id, "event_date": report.published.isoformat(), "time_precision": 1,
        "event_type": "Explosions/Remote violence", "sub_event_type": "Air/drone strike",
        "claim_status": "confirmed", "source": report.outlet,
        "sources": [{"outlet": report.outlet, "published": report.published.isoformat(),
                     "language": report.language, "quote": ""}],
    }  # fmt: skip
    records[event_id] = base
    for name, value in record_to_form(base).items():
        st.session_state[f"{event_id}:{name}"] = value
    st.session_state[f"{event_id}:keep"] = True


def place_picker(event_id: str, candidates: list[dict]) -> None:
    """The small map: candidates and the current point; a click sets the point by hand."""
    point = (
        st.session_state.get(f"{event_id}:latitude"),
        st.session_state.get(f"{event_id}:longitude"),
    )
    with st.expander("Map: the candidates, the point; click to set the point by hand"):
        out = st_folium(
            place_map(candidates, point),
            key=f"{event_id}:map",
            height=260,
            returned_objects=["last_clicked"],
            use_container_width=True,
        )
    click = (out or {}).get("last_clicked")
    if click and click != st.session_state.get(f"{event_id}:last_click"):
        st.session_state[f"{event_id}:last_click"] = click
        st.session_state[f"{event_id}:latitude"] = round(click["lat"], 5)
        st.session_state[f"{event_id}:longitude"] = round(click["lng"], 5)
        st.session_state[f"{event_id}:geo_precision"] = 2


def review(store: Store, writer: auth.Writer) -> None:
    report = st.session_state["report"]
    records = st.session_state["records"]
    drafts = st.session_state["drafts"]
    for notice in report.notices:
        st.info(notice)
    st.caption(
        f"{len(report.drafts)} draft(s) from a {report.language} report of {report.published} "
        f"({report.outlet}); {len(report.skipped)} sentence(s) with an event word not drafted."
    )
    left, right = st.columns([2, 3])
    with left:
        st.markdown("**The report** (evidence highlighted; hover a mark for its field)")
        st.markdown(
            f'<div data-testid="report-text" style="max-height:900px;overflow:auto">'
            f"{highlight(report.text, report.drafts)}</div>",
            unsafe_allow_html=True,
        )
        if report.skipped:
            with st.expander("Sentences not drafted, and why"):
                for ev, why in report.skipped:
                    st.text(f"{why}: {ev.text[:160]}")
    with right:
        for event_id, record in records.items():
            draft = drafts.get(event_id)
            title = f"{event_id}: {st.session_state.get(f'{event_id}:location') or 'new draft'}"
            with st.container(border=True):
                st.markdown(f"**{title}**")
                st.checkbox("Keep this draft", key=f"{event_id}:keep")
                if draft is not None:
                    st.caption(f"“{draft.sentence.text[:300]}”")
                    for w in draft.warnings:
                        st.warning(w)
                    if draft.candidates:
                        st.selectbox(
                            "Place among the gazetteer's candidates",
                            ["as drafted"] + [candidate_label(c) for c in draft.candidates],
                            key=f"{event_id}:candidate",
                            on_change=choose_place,
                            args=(event_id,),
                        )
                place_picker(event_id, draft.candidates if draft is not None else [])
                cols = st.columns(3)
                for i, (name, kind) in enumerate(FORM_FIELDS):
                    with cols[i % 3]:
                        field_widget(f"{event_id}:{name}", name, kind)
                values = {n: st.session_state.get(f"{event_id}:{n}") for n, _ in FORM_FIELDS}
                candidate = form_to_record(values, record)
                matches = find_matches(store, candidate)
                if matches:
                    st.radio(
                        "This may be an incident already stored",
                        ["Save as a new incident"]
                        + [f"Merge into {m['event_id']} ({m['location']}, {m['event_date']}, "
                           f"{m['distance_km']} km)" for m in matches],
                        key=f"{event_id}:merge",
                    )  # fmt: skip
                    reconcile(event_id, matches, candidate)
        st.button("Add a draft", on_click=add_draft)
        typed = (
            None
            if writer.signed_in
            else st.text_input("Your name (kept in the history)", key="who")
        )
        if st.button("Save the kept drafts", type="primary"):
            save(store, auth.author(writer, typed))


def reconcile(event_id: str, matches: list[dict], candidate: dict) -> None:
    """For a merge: where the draft and the stored incident differ, the analyst chooses."""
    choice = st.session_state.get(f"{event_id}:merge", "")
    target = choice.removeprefix("Merge into ").split(" ", 1)[0]
    stored = next((m for m in matches if m["event_id"] == target), None)
    if stored is None:
        return
    differences = merge_differences(stored, candidate)
    if not differences:
        st.caption("The draft agrees with the stored incident: only the source is added.")
        return
    st.markdown(f"**Where this report and {target} differ** (kept as stored unless you choose)")
    for d in differences:
        st.radio(
            d.name,
            [
                f"keep stored: {d.describe(d.stored)}",
                f"take from this report: {d.describe(d.drafted)}",
            ],
            key=f"{event_id}:take:{d.name}",
            horizontal=True,
        )


def save(store: Store, who: str) -> None:
    records = st.session_state["records"]
    drafts = st.session_state["drafts"]
    out, merges = [], {}
    take: dict[str, list[str]] = {}
    for event_id, record in records.items():
        if not st.session_state.get(f"{event_id}:keep"):
            continue
        values = {n: st.session_state.get(f"{event_id}:{n}") for n, _ in FORM_FIELDS}
        new = form_to_record(values, record)
        draft = drafts.get(event_id)
        choice = st.session_state.get(f"{event_id}:candidate")
        chosen = next(
            (c for c in (draft.candidates if draft else []) if candidate_label(c) == choice), None
        )
        point = (new["latitude"], new["longitude"])
        if chosen is not None and point == (chosen["lat"], chosen["lon"]):
            new["geo_source"], new["geonames_id"] = "gazetteer", chosen["geonames_id"]
        elif point != (record.get("latitude"), record.get("longitude")):
            new["geo_source"], new["geonames_id"] = "manual", None  # a point set by hand
        merge = st.session_state.get(f"{event_id}:merge", "")
        if merge.startswith("Merge into "):
            merges[event_id] = merge.removeprefix("Merge into ").split(" ", 1)[0]
            take[event_id] = [
                name
                for name in RECONCILED
                if str(st.session_state.get(f"{event_id}:take:{name}", "")).startswith("take")
            ]
        out.append(new)
    if not out:
        st.warning("No draft is kept: nothing to save.")
        return
    report = st.session_state["report"]
    try:
        result = save_drafts(
            store, out, groups=report.groups, merges=merges, take=take, who=who,
            why=f"from the {report.outlet} report of {report.published}",
        )  # fmt: skip
    except IncidentsError as err:
        st.error(f"Nothing was saved: {err}")
        return
    st.session_state["saved"] = (
        f"Saved {len(result.created)} new incident(s): {', '.join(result.created) or '-'}; "
        f"merged {len(result.merged)}"
        + (f" into {', '.join(result.merged.values())}." if result.merged else ".")
    )
    for key in ("report", "records", "drafts"):
        st.session_state.pop(key, None)
    st.rerun()


def main() -> None:
    st.title("New incidents from a report")
    writer = auth.writing_gate()
    if not writer.may_write:
        return
    try:
        store = open_store(default_url())
    except IncidentsError as err:
        st.error(f"The store cannot be opened: {err}")
        return
    if "saved" in st.session_state:
        st.success(st.session_state.pop("saved"))
    with st.form("report_input"):
        text = st.text_area("Paste the report", height=200, key="report_text")
        upload = st.file_uploader("…or upload it (.txt or .html)", type=["txt", "html", "htm"])
        c1, c2, c3 = st.columns(3)
        published = c1.date_input("Published", value=dt.date.today(), key="published")
        lang = c2.selectbox("Language", ["auto", "fr", "en"], key="lang")
        outlet = c3.text_input("Outlet", value="AFP", key="outlet")
        if st.form_submit_button("Draft incidents"):
            draft_from_input(text, upload, published, lang, outlet)
    if "draft_error" in st.session_state:
        st.error(f"No drafts: {st.session_state['draft_error']}")
    if "report" in st.session_state:
        review(store, writer)


main()
