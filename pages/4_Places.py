"""Our places: villages and landmarks no open source lists, curated by the team. The
geocoder (page, CLI, imports) consults them before the open gazetteers."""

from __future__ import annotations

import streamlit as st
from streamlit_folium import st_folium

from dashboard import auth
from dashboard.places import parse_aliases, places_rows, team_gazetteer, write_gate
from dashboard.review import place_map
from geodata import PlaceError
from geodata.places import PlaceStore, default_url

st.set_page_config(page_title="Our places", page_icon="📍", layout="wide")
st.title("Our places")
st.caption(
    "Places the team curates: a village of the Kursk region that no open source lists, a "
    "front-line landmark, a corrected point. The geocoder uses them first, at once."
)


@st.cache_resource(show_spinner=False)
def open_places(url: str) -> PlaceStore:
    return PlaceStore.open(url)


store = open_places(default_url())
who = auth.writing_gate()
typed = "" if who.signed_in else st.text_input("Your name", key="author", help="stored with places")
refused = who.message if not who.may_write else (None if who.signed_in else write_gate(typed))
author = auth.author(who, typed)

st.subheader("Add a place")
picked = st.session_state.get("picked")
left, right = st.columns([1, 1])
with left:
    name = st.text_input("Name", key="name")
    aliases = st.text_area("Other names (one per line)", key="aliases", height=80)
    lat = st.number_input(
        "Latitude", min_value=-90.0, max_value=90.0, format="%.5f", key="lat",
        value=float(picked[0]) if picked else None,
    )  # fmt: skip
    lon = st.number_input(
        "Longitude", min_value=-180.0, max_value=180.0, format="%.5f", key="lon",
        value=float(picked[1]) if picked else None,
    )  # fmt: skip
    country = st.text_input("Country (ISO code)", key="country", max_chars=2)
    region = st.text_input("Region", key="region")
    kind = st.selectbox("Kind", ["settlement", "landmark", "area"], key="kind")
    provenance = st.text_input("Provenance (source of the point)", key="provenance")
    note = st.text_area("Note", key="note", height=80)
with right:
    st.caption("Click the map to pick the point.")
    clicked = st_folium(
        place_map([], (lat, lon)),
        key="pick-map",
        height=320,
        returned_objects=["last_clicked"],
        use_container_width=True,
    )
    last = (clicked or {}).get("last_clicked")
    if last and (last.get("lat"), last.get("lng")) != (picked or (None, None)):
        st.session_state["picked"] = (round(last["lat"], 5), round(last["lng"], 5))
        st.session_state.pop("lat", None)
        st.session_state.pop("lon", None)
        st.rerun()

if st.button("Add place", type="primary", disabled=refused is not None):
    try:
        if lat is None or lon is None:
            raise PlaceError("give the place's point: type it or click the map")
        added = store.add(
            name, lat, lon, author=author, provenance=provenance, country=country or None,
            admin1=region or None, aliases=parse_aliases(aliases), kind=kind, note=note or None,
        )  # fmt: skip
    except PlaceError as err:
        st.error(str(err))
    else:
        st.success(f"Added #{added.place_id} {added.name}: the geocoder uses it from now on.")
if refused:
    st.info(refused)

places = store.all()
st.subheader(f"{len(places)} place(s)")
if places:
    st.dataframe(places_rows(places), hide_index=True, key="places-table")
    labels = {p.place_id: f"#{p.place_id} {p.name} ({p.author})" for p in places}
    gone = st.selectbox("Remove a place", list(labels), format_func=labels.get, key="remove")
    if st.button("Remove", disabled=refused is not None) and gone is not None:
        store.remove(gone)
        st.rerun()

st.subheader("Try the geocoder")
query = st.text_input("Place name", key="try")
if query:
    res = team_gazetteer(store).geocode(query)
    if res.ok:
        st.write(f"**{res.name}** {res.lat}, {res.lon} (source: {res.source}). {res.reason}")
    else:
        st.write(f"Abstained: {res.reason}")
