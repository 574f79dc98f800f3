"""Conflict incidents dashboard: `streamlit run app.py` (or `make run`).

A thin page: layout, widgets, caching and error display. What it shows is computed by
:mod:`dashboard.views` (one :class:`~dashboard.views.Selection` per filter: KPIs, timeline,
table and map; filter options, widget values, URL parameters), :mod:`dashboard.maps` (the map)
and :mod:`incidents.export` (downloads, the same code as the CLI). The filters live in the URL
query string (see ``docs/dashboard.md``), so a view can be shared by copying the address.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from dashboard import maps, memory, views
from dashboard.redact import without_paths
from dashboard.views import Selection
from dashboard.views import escape_markdown as md
from incidents import IncidentFilter, Store, StoreError, default_url, export, history, load_frame

st.set_page_config(page_title="Conflict incidents", page_icon="🗺️", layout="wide")
memory.use_small_pages()  # set by serve.py already; here for `streamlit run app.py` alone

MAP_HEIGHT = 560
TIMELINE_HEIGHT = 240
MEASURES = {"Incidents": "incidents", "Killed": "killed", "Injured": "injured"}
KILLED_HELP = (
    "Best estimate, with the low–high range when sources disagree. A figure reported for several "
    "incidents at once counts once. Incidents whose figure is unknown are counted apart, never as 0."
)


# -- data, cached on the store's revision ------------------------------------------------------


@st.cache_resource(show_spinner=False)
def open_store(url: str) -> Store:
    return Store.open(url)


@st.cache_data(ttl=5, show_spinner=False)
def store_cache_key(url: str) -> str:
    """The store's revision key, read at most every 5 s (a query costs up to 0.1 s per rerun);
    a write to the store shows on the page within 5 s."""
    return open_store(url).cache_key


@st.cache_resource(max_entries=2, show_spinner="Loading incidents…")
def incidents_frame(cache_key: str, _store: Store) -> pd.DataFrame:
    """All incidents, once per store revision. Shared, read-only: never modify it."""
    return load_frame(_store)


@st.cache_resource(max_entries=2, show_spinner="Indexing incidents…")
def arrays_for(cache_key: str, _frame: pd.DataFrame) -> views.FrameArrays:
    """The revision's per-row arrays: big selections are summed from them (views.columnar)."""
    return views.frame_arrays(_frame)


@st.cache_resource(max_entries=2, show_spinner=False)
def options_for(cache_key: str, _frame: pd.DataFrame) -> views.FilterOptions:
    return views.filter_options(_frame)


@st.cache_resource(max_entries=4, ttl=3600, show_spinner="Drawing the incidents in view…")
def zoomed_map_for(
    cache_key: str,
    filter_key: str,
    bbox: tuple[float, float, float, float],
    _selection: Selection,
    _frame: pd.DataFrame,
    _arrays: views.FrameArrays,
) -> maps.MapResult | None:
    """The map of a big selection with the incidents inside ``bbox`` drawn one by one, or None."""
    return _selection.zoomed_map(_frame, bbox, _arrays)


@st.cache_resource(max_entries=8, ttl=3600, show_spinner="Filtering…")
def selection_for(
    cache_key: str, filter_key: str, _frame: pd.DataFrame, _arrays: views.FrameArrays
) -> Selection:
    """The page's content for one filter of one store revision (the map, the chart, the table)."""
    return Selection(_frame, views.filter_from_key(filter_key), _arrays)


# -- page --------------------------------------------------------------------------------------


def main() -> None:
    url = default_url()
    label = without_paths(views.store_label(url))  # viewers never see the server's paths
    try:
        store = open_store(url)
        cache_key = store_cache_key(url)
    except StoreError as err:
        st.error(f"Cannot open the incident store {md(label)}: {md(without_paths(str(err)))}")
        st.info(
            "Set `INCIDENTS_DB` to a SQLAlchemy URL, e.g. `sqlite:///data/incidents.sqlite`, and reload."
        )
        st.stop()
    except Exception as err:
        st.error(f"Cannot open the incident store {md(label)} ({md(type(err).__name__)}).")
        st.stop()
    try:
        frame = incidents_frame(cache_key, store)
    except Exception as err:
        st.error(
            f"Cannot read the incidents of {md(label)} "
            f"({md(type(err).__name__)}: {md(without_paths(str(err))[:200])})."
        )
        st.stop()
    options = options_for(cache_key, frame)

    state = st.session_state
    if (
        "initial_filter" not in state
    ):  # first run of this browser session: the URL says what to show
        params = {key: st.query_params.get_all(key) for key in st.query_params}
        state.initial_filter, state.url_warnings = views.parse_query_params(params)
        state.gen = 0

    flt = sidebar(options)
    filter_key = views.filter_key(flt)
    wanted = flt.to_query_params()
    if not views.same_params(
        wanted, {key: st.query_params.get_all(key) for key in st.query_params}
    ):
        st.query_params.from_dict(wanted)

    st.title("Conflict incidents")
    st.caption(
        f"Showing: {md(views.filter_summary(flt))} · the address bar holds the filters — copy it to share this view"
    )
    if flt == state.initial_filter:
        for warning in state.url_warnings:
            st.warning(md(warning), icon="⚠️")
    else:
        state.url_warnings = []

    selection = selection_for(cache_key, filter_key, frame, arrays_for(cache_key, frame))
    show_kpis(selection.kpis, len(frame))

    if selection.count == 0:
        st.info(
            "**No incident matches these filters.** Widen the date range, lower the casualty minimums "
            "or clear some filters — or press **Reset** in the sidebar.",
            icon="🔍",
        )
        return

    show_map(selection, frame, cache_key, filter_key)
    show_timeline(selection.timeline)
    show_table(selection.table)
    show_downloads(lambda: selection.rows(frame), selection.count, store)
    st.page_link(
        "pages/3_Import.py", label="Import a file (ACLED, UCDP, a spreadsheet...)", icon="📥"
    )


def sidebar(options: views.FilterOptions) -> IncidentFilter:
    """The filter widgets, seeded from the URL's filter; Reset starts a new widget generation."""
    state = st.session_state
    gen = state.gen
    init = views.widget_values(state.initial_filter, options)
    with st.sidebar:
        _reset_row()
        values: dict[str, Any] = {}
        _date_and_casualty_widgets(values, init, gen)
        _event_widgets(values, options, init, gen)
        _place_and_actor_widgets(values, options, init, gen)
    return views.filter_from_widgets(values, options)


def _reset_row() -> None:
    def reset() -> None:
        st.session_state.initial_filter = IncidentFilter()
        st.session_state.url_warnings = []
        st.session_state.gen += 1

    head, button = st.columns([1, 1], vertical_alignment="center")
    head.header("Filters")
    button.button(
        "Reset",
        on_click=reset,
        key="reset",
        icon=":material/restart_alt:",
        help="Clear every filter",
        width="stretch",
    )


def _multiselect(
    name: str,
    label: str,
    choices: Sequence[str],
    default: Sequence[str],
    gen: int,
    *,
    placeholder: str,
    **extra: Any,
) -> list[str]:
    """One list filter, keyed ``<name>-<generation>`` (Reset clears it with a new generation)."""
    return st.multiselect(
        label,
        list(choices),
        default=list(default),
        placeholder=placeholder,
        key=f"{name}-{gen}",
        **extra,
    )


def _date_and_casualty_widgets(values: dict[str, Any], init: views.WidgetValues, gen: int) -> None:
    values["dates"] = st.date_input(
        "Dates",
        value=init.dates,
        min_value=init.date_bounds[0],
        max_value=init.date_bounds[1],
        format="YYYY-MM-DD",
        key=f"dates-{gen}",
        help="From the first to the last day to show. The full span means no date filter.",
    )
    st.markdown("**Casualties**")
    left, right = st.columns(2)
    for col, name, label in (
        (left, "min_killed", "Min killed"),
        (right, "max_killed", "Max killed"),
        (left, "min_injured", "Min injured"),
        (right, "max_injured", "Max injured"),
    ):
        values[name] = col.number_input(
            label,
            min_value=0,
            value=getattr(init, name),
            step=1,
            placeholder="any",
            key=f"{name}-{gen}",
        )
    choices = list(views.UNKNOWN_LABELS)
    values["unknown"] = st.radio(
        "Incidents whose casualties are unknown",
        choices,
        index=choices.index(init.unknown),
        format_func=views.UNKNOWN_LABELS.get,
        horizontal=True,
        key=f"unknown-{gen}",
        help="With a casualty bound set: keep (Include) or drop (Exclude) incidents whose figure is "
        "unknown. 'Only unknown' shows just the incidents with an unknown killed or injured figure.",
    )


def _event_widgets(
    values: dict[str, Any], options: views.FilterOptions, init: views.WidgetValues, gen: int
) -> None:
    st.markdown("**Event**")
    values["event_types"] = _multiselect(
        "event_types",
        "Event type",
        views.with_values(options.event_types, init.event_types),
        init.event_types,
        gen,
        placeholder="All event types",
    )
    values["sub_event_types"] = _multiselect(
        "sub_event_types",
        "Sub-type",
        views.dependent_options(
            options.sub_event_types, values["event_types"], init.sub_event_types
        ),
        init.sub_event_types,
        gen,
        placeholder="All sub-types",
    )
    values["claim_statuses"] = _multiselect(
        "claim_statuses",
        "Claim status",
        options.claim_statuses,
        init.claim_statuses,
        gen,
        placeholder="Confirmed, claimed and disputed",
        help="confirmed: independently confirmed; claimed: stated by a party (see 'Claimed by'); "
        "disputed: contested.",
    )


def _place_and_actor_widgets(
    values: dict[str, Any], options: views.FilterOptions, init: views.WidgetValues, gen: int
) -> None:
    st.markdown("**Place and actors**")
    values["countries"] = _multiselect(
        "countries",
        "Country",
        views.with_values(options.countries, init.countries),
        init.countries,
        gen,
        placeholder="All countries",
    )
    values["admin1"] = _multiselect(
        "admin1",
        "Region (admin1)",
        views.dependent_options(options.admin1, values["countries"], init.admin1),
        init.admin1,
        gen,
        placeholder="All regions",
    )
    truncated = (
        f" The {views.ACTOR_LIMIT} most frequent are listed; type any other name."
        if options.actors_truncated
        else ""
    )
    values["actors"] = _multiselect(
        "actors",
        "Actor",
        views.with_values(options.actors, init.actors),
        init.actors,
        gen,
        placeholder="All actors",
        accept_new_options=options.actors_truncated,
        help="Main or other actor." + truncated,
    )
    values["text"] = st.text_input(
        "Search location and notes",
        value=init.text,
        max_chars=200,
        placeholder="e.g. Odesa, drone, recruitment",
        key=f"text-{gen}",
    )


def show_kpis(k: views.Kpis, stored: int) -> None:
    c1, c2, c3 = st.columns(3)
    c1.metric(
        "Incidents",
        k.incidents,
        delta=f"of {stored:,} in the store",
        delta_color="off",
        delta_arrow="off",
        help="Incidents matching the filters.",
        border=True,
    )
    c2.metric(
        "Killed",
        k.killed,
        delta=k.killed_note,
        delta_color="off",
        delta_arrow="off",
        help=KILLED_HELP,
        border=True,
    )
    c3.metric(
        "Injured",
        k.injured,
        delta=k.injured_note,
        delta_color="off",
        delta_arrow="off",
        help=KILLED_HELP.replace("killed", "injured"),
        border=True,
    )
    if k.shared_note:
        st.caption(md(k.shared_note))


def show_map(selection: Selection, frame: pd.DataFrame, cache_key: str, filter_key: str) -> None:
    """The map. One Leaflet map stays in the browser; each selection only swaps its data layer
    (streamlit-folium's ``feature_group_to_add``), so a filter change does not reload the map.

    Up to POINT_LIMIT incidents: one symbol each, and panning never reruns the script. More:
    hexagon counts, and the page follows the view (bounds, zoom, centre): when the analyst
    zooms in to an area holding at most POINT_LIMIT incidents, the layer is redrawn with those
    incidents one by one (see :func:`dashboard.views.map_box`)."""
    st.subheader("Map")
    state = st.session_state
    result = selection.map
    if result is None:
        return
    aggregated = result.summary.mode == "aggregated"
    if state.get("map_filter") != filter_key:  # a new selection: the view reported is the old one's
        state.map_filter, state.map_box = filter_key, None
    elif aggregated:
        view = state.get("map") or {}
        box = views.map_box(view, state.get("map_box"))
        zoomed = (
            zoomed_map_for(
                cache_key, filter_key, box, selection, frame, arrays_for(cache_key, frame)
            )
            if box
            else None
        )
        if zoomed is not None:
            result = zoomed
        state.map_box = (box, int(view.get("zoom") or 0)) if zoomed is not None and box else None
    # The view comes back only while hexagons are shown: the layer tells the map when to send
    # it (a pan over incidents drawn one by one never reruns the page). Nothing is asked for
    # here: the map's first report, before any layer is on it, would rerun the page for nothing.
    st_folium(
        maps.base_map(),
        key="map",
        feature_group_to_add=result.layer_copy(),
        layer_control=maps.layer_control(),
        returned_objects=[],
        height=MAP_HEIGHT,
        use_container_width=True,
    )
    if result.summary.caption:
        st.caption(md(result.summary.caption))


def show_timeline(timeline: views.Timeline | None) -> None:
    st.subheader("Timeline")
    if timeline is None or not len(timeline.data):
        st.caption("Nothing to chart.")
        return
    choice = st.segmented_control(
        "Show", list(MEASURES), default="Incidents", key="measure", required=True
    )
    column = MEASURES[choice or "Incidents"]
    data = views.stacked(timeline.data, column)
    types, colors = views.event_type_colors(timeline)
    color_scale = alt.Scale(domain=types, range=colors)
    step, fmt = views.AXIS_STEPS[timeline.freq]
    lo, hi = views.padded_domain(timeline.data, timeline.freq)
    chart = (
        alt.Chart(data)
        .mark_rect(stroke="white", strokeWidth=0.5)
        .encode(
            x=alt.X(
                "period:T",
                title=None,
                scale=alt.Scale(domain=[lo.isoformat(), hi.isoformat()]),
                axis=alt.Axis(format=fmt, tickMinStep=step, labelOverlap=True, grid=False),
            ),
            x2="period_end:T",
            y=alt.Y("y0:Q", title=f"{choice} per {timeline.unit}"),
            y2="y1:Q",
            color=alt.Color(
                "event_type:N",
                title=None,
                scale=color_scale,
                legend=alt.Legend(orient="right", labelLimit=300),
            ),
            tooltip=[
                alt.Tooltip(
                    "period:T", title=timeline.unit.capitalize() + " from", format="%Y-%m-%d"
                ),
                alt.Tooltip("event_type:N", title="Event type"),
                alt.Tooltip("incidents:Q", title="Incidents", format=","),
                alt.Tooltip("killed:Q", title="Killed (known figures)", format=","),
                alt.Tooltip("killed_unknown:Q", title="Incidents with killed unknown", format=","),
                alt.Tooltip("injured:Q", title="Injured (known figures)", format=","),
                alt.Tooltip(
                    "injured_unknown:Q", title="Incidents with injured unknown", format=","
                ),
            ],
        )
        .properties(height=TIMELINE_HEIGHT)
    )
    st.altair_chart(chart, width="stretch")
    st.caption(md(views.timeline_note(timeline, column)))


def show_table(table: views.TableView) -> None:
    st.subheader("Incidents")
    st.caption(md(table.caption()))
    cfg = st.column_config
    st.dataframe(
        table.rows,
        hide_index=True,
        width="stretch",
        height=min(38 + 35 * max(table.shown, 1), 420),
        column_config={
            "Date": cfg.DateColumn("Date", format="YYYY-MM-DD"),
            "Until": cfg.DateColumn(
                "Until",
                format="YYYY-MM-DD",
                help="The last day of an incident known only as a span (the date filter "
                "keeps it when any day of the span is in the window).",
            ),
            "Killed": cfg.TextColumn(
                "Killed", help="Best estimate (low–high); 'unknown' when no source gives a figure."
            ),
            "Injured": cfg.TextColumn(
                "Injured", help="Best estimate (low–high); 'unknown' when no source gives a figure."
            ),
            "Shared figure": cfg.TextColumn(
                "Shared figure",
                help="The casualty figure is reported for several incidents together; totals count it once.",
            ),
            "Claim": cfg.TextColumn(
                "Claim", help="confirmed, claimed (by whom: 'Claimed by') or disputed."
            ),
            "Link": cfg.LinkColumn(
                "Link",
                display_text=r"https?://(?:www\.)?([^/?#]+)",
                help="First source URL (http/https only).",
            ),
            "Notes": cfg.TextColumn("Notes", width="large"),
        },
    )


def show_downloads(rows: Callable[[], pd.DataFrame], count: int, store: Store) -> None:
    """CSV, GeoJSON and GeoPackage of exactly the selected rows, made by incidents.export when
    clicked; with the history of those incidents when asked (incidents.history)."""
    stamp = dt.date.today().isoformat()
    noun = f"{count:,} incident{'s' if count != 1 else ''}"
    st.markdown(f"**Download the {noun} of this view** (all columns, not just the table's rows)")
    with_history = st.checkbox(
        "Include their history",
        key="download_history",
        help="Every recorded change of these incidents (edits, deletions, imports, saved drafts): "
        "a 'history' table in the GeoPackage, a 'history' member in the GeoJSON, a separate CSV.",
    )

    def changes() -> pd.DataFrame:
        return history.history_of(store, rows()["event_id"])

    c1, c2, c3, c4, c5 = st.columns([1, 1, 1, 1, 1])
    _download(c1, "CSV", lambda: export.to_csv_bytes(rows()), f"incidents-{stamp}.csv", "text/csv")
    _download(
        c2,
        "CSV for Excel",
        lambda: export.to_csv_bytes(rows(), excel=True),
        f"incidents-{stamp}-excel.csv",
        "text/csv",
        key="download_csv_excel",
        help="UTF-8 with a byte-order mark so Excel reads accents and Cyrillic correctly.",
    )
    _download(
        c3,
        "GeoJSON",
        lambda: (
            history.with_history_geojson(export.to_geojson_bytes(rows()), changes())
            if with_history
            else export.to_geojson_bytes(rows())
        ),
        f"incidents-{stamp}.geojson",
        "application/geo+json",
    )
    _download(
        c4,
        "GeoPackage",
        lambda: (
            history.with_history_gpkg(export.to_gpkg_bytes(rows()), changes())
            if with_history
            else export.to_gpkg_bytes(rows())
        ),
        f"incidents-{stamp}.gpkg",
        "application/geopackage+sqlite3",
        key="download_gpkg",
        help="For QGIS and ArcGIS: layer 'incidents' (points, WGS 84) and table 'casualty_groups'.",
    )
    if with_history:
        _download(
            c5,
            "History CSV",
            lambda: history.history_csv_bytes(changes()),
            f"incidents-{stamp}-history.csv",
            "text/csv",
            key="download_history_csv",
        )


def _download(
    column: Any,
    label: str,
    data: Callable[[], bytes],
    file_name: str,
    mime: str,
    *,
    key: str | None = None,
    help: str | None = None,
) -> None:
    """One download button, its file made only when clicked (no rerun on click); keyed
    ``download_<label>`` unless told."""
    column.download_button(
        label,
        data=data,
        file_name=file_name,
        mime=mime,
        on_click="ignore",
        icon=":material/download:",
        key=key or f"download_{label.lower()}",
        width="stretch",
        help=help,
    )


main()
