"""Import page: upload a file, see what was found, adjust the mapping, preview, import."""

from __future__ import annotations

import streamlit as st

from dashboard import auth, importing
from incidents import IncidentsError, Store, default_url
from incidents.dates import DATE_ORDERS

st.set_page_config(page_title="Import incidents", page_icon="📥", layout="wide")
st.title("Import incidents")
st.caption(
    "ACLED (CSV or API JSON), UCDP GED (CSV or GeoJSON), our CSV/JSON, GeoJSON, Excel or "
    "OpenDocument workbooks, or any table through a column mapping. Nothing is written until "
    "you press Import; rows already stored are skipped."
)


@st.cache_resource(show_spinner=False)
def open_store(url: str) -> Store:
    return Store.open(url)


writer = auth.writing_gate()
if not writer.may_write:
    st.stop()
store = open_store(default_url())
upload = st.file_uploader("Incident file")
if upload is None:
    st.stop()
path = importing.save_upload(upload.getvalue(), upload.name, upload.file_id)
date_order = st.radio(
    "Numeric dates", DATE_ORDERS, horizontal=True, help="auto decides from the file's evidence"
)
mapping_text = st.text_area(
    "Column mapping (JSON; leave empty for ACLED, UCDP and our formats)",
    key=f"mapping-{upload.file_id}",
    height=160,
)
try:
    mapping = importing.parse_mapping(mapping_text)
    checked = importing.check_upload(store, path, mapping=mapping, date_order=str(date_order))
except IncidentsError as err:
    st.error(str(err).replace(str(path), upload.name))  # the upload's name, not the temp path
    st.stop()
report = checked.report
if checked.suggested and not mapping_text.strip():
    with st.expander("Suggested mapping (copy it into the box above and adjust)"):
        st.code(checked.suggested, language="json")
st.subheader(f"Found: {report.format}")
st.table({"what": list(report.conventions), "found": list(report.conventions.values())})
st.metric("Valid rows", f"{report.valid:,}")
if report.preview is not None and len(report.preview):
    st.dataframe(report.preview.dropna(axis=1, how="all"), hide_index=True)
if report.errors:
    st.warning(f"{len(report.errors):,} rows are rejected (they will not be imported)")
    st.dataframe(importing.errors_table(report), hide_index=True)
if report.known:
    st.info(
        f"{len(report.known):,} valid rows have an id already stored: they will be skipped "
        "(the stored incidents are kept)"
    )
    st.dataframe(importing.errors_table(report, known=True), hide_index=True)
if report.valid and st.button("Import", type="primary"):
    bar = st.progress(0.0, text="Importing…")
    done = importing.run_import(
        store,
        path,
        mapping=mapping,
        date_order=str(date_order),
        progress=lambda n, total: bar.progress(n / max(total, 1), text=f"{n:,} / {total:,} rows"),
        who=auth.author(writer),
        source=upload.name,
    )
    bar.progress(1.0, text="Done")
    importing.discard_upload(path)
    st.success(
        f"{done.inserted:,} incidents imported, {done.skipped:,} already stored "
        f"(store revision {done.revision}). The map shows them within a few seconds."
    )
    st.page_link("app.py", label="Back to the map", icon="🗺️")
