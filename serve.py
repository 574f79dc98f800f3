"""The dashboard as one ASGI app: ``streamlit run serve.py`` (what ``make run`` does).

It serves ``app.py`` exactly as ``streamlit run app.py`` would, plus:

- security headers on every response and no ``/_stcore/metrics``
  (:mod:`dashboard.security_headers`);
- gzip for Streamlit's front-end bundle, compressed once and kept, in memory and in the cache
  directory (``INCIDENTS_CACHE_DIR``, ``gzip-*.gz``: a restarted server does not compress it
  again) (:mod:`dashboard.static_gzip`): a first visit downloads about 1.6 MB of it instead of
  5.8 MB.

It listens on 127.0.0.1 only (``.streamlit/config.toml``). Streamlit's sign-in routes
(``/auth/login``, ``/oauth2callback``, ``/auth/logout``) are part of ``st.App``: with an
``[auth]`` section in the secrets, writing needs a signed-in editor (:mod:`dashboard.auth`,
README "Who may write"). To serve a network, configure that, then set
``STREAMLIT_SERVER_ADDRESS=0.0.0.0`` (or ``--server.address``) behind HTTPS. Any ASGI
server works too:
``uvicorn serve:app --host 127.0.0.1 --port 8501``.

It also serves every script, style and data file the map needs (Leaflet, the offline base
map) under ``/assets/`` (:mod:`dashboard.assets`): the page loads nothing from a CDN, so the
map works without internet. ``streamlit run app.py`` alone lacks these routes and shows no map.
"""

import gc
import importlib

import streamlit as st
from starlette.middleware import Middleware

from dashboard import assets, memory
from dashboard.security_headers import SecurityHeadersMiddleware
from dashboard.static_gzip import CachedGzipMiddleware
from incidents.snapshot import default_cache_dir

#: What the page imports, loaded with the server (about 2 s of CPU) rather than by the first
#: visitor's first script run. Not ``streamlit_folium``: a component declared before the
#: server's runtime exists is not registered with it (the map would stay empty); but what it
#: imports (``folium.plugins``) is. ``streamlit.emojis`` compiles the emoji pattern that
#: ``st.set_page_config(page_icon=...)`` checks; ``pyarrow.dataset`` serves the filter
#: options' Arrow group-by; ``sqlalchemy.dialects.sqlite`` opens the embedded store.
PAGE_MODULES = (
    "altair",
    "folium",
    "folium.plugins",
    "dashboard.maps",
    "dashboard.views",
    "incidents",
    "streamlit.emojis",
    "pyarrow.dataset",
    "sqlalchemy.dialects.sqlite",
)
memory.use_small_pages()  # before the page allocates anything (see dashboard.memory)
for _name in PAGE_MODULES:
    importlib.import_module(_name)
# Streamlit runs a full garbage collection after every script run (``runner.postScriptGC``):
# about 0.08 s of CPU per rerun spent walking the ~160,000 objects of the imported modules,
# which live as long as the server. Frozen here, collections walk only what came later
# (0.001 s); garbage made afterwards is collected as before.
gc.freeze()

app = st.App(
    "app.py",
    routes=assets.routes(),
    middleware=[
        Middleware(SecurityHeadersMiddleware),
        Middleware(
            CachedGzipMiddleware,
            prefixes=("/", "/static/", assets.PREFIX + "/"),
            cache_dir=default_cache_dir(),
        ),
    ],
)
