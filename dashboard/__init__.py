"""Everything that exists only for the Streamlit page.

* :mod:`dashboard.views`: one :class:`~dashboard.views.Selection` per filter (KPIs, timeline,
  table, map), the filter widgets' options and URL parameters.
* :mod:`dashboard.maps`: the Leaflet map, its data layer and the layer's static JS/CSS.
* :mod:`dashboard.safe`: escaping of record text for HTML, JavaScript and URLs.
* :mod:`dashboard.static_gzip`: the ASGI middleware that compresses Streamlit's front-end once.
* :mod:`dashboard.auth`: who may write (``st.login`` sign-in, editors, the history's author).

The libraries :mod:`incidents` and :mod:`geodata` never import this package or ``streamlit``
(``tests/test_layering.py`` checks it).
"""
