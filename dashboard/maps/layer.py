"""The Leaflet side: the incidents layer (with its legend) and the style sheet, rendered through
folium's Jinja templates.

The JavaScript and CSS live in ``static/`` (package data, read once at import):

* ``incidents_layer.js``: the body of the layer's ``script`` macro (a Jinja template:
  ``{{ this.payload }}`` is the JSON payload, ``{{ this.get_name() }}`` and
  ``{{ this._parent.get_name() }}`` the layer's and the map's variable names);
* ``map_legend.js``: ``makeLegend(spec)``, spliced into the layer's script (the legend is
  added and removed with the layer);
* ``incidents_layer.css``: the popup, tooltip and legend styles, put in the page's header by
  :class:`IncidentsStyle` (an element of the base map, which stays when layers are swapped).

:class:`IncidentsLayer` is a :class:`folium.FeatureGroup`, so streamlit-folium can swap it on a
map already in the browser (``st_folium(..., feature_group_to_add=layer)``) instead of
reloading the whole map.
"""

from __future__ import annotations

from importlib import resources

import folium
from branca.element import MacroElement
from jinja2 import Template

from ..safe import js_json

__all__ = ["IncidentsLayer", "IncidentsStyle"]


def _static(name: str) -> str:
    return resources.files(__package__).joinpath("static", name).read_text(encoding="utf-8")


_LAYER_JS = _static("incidents_layer.js").replace("/*@legend@*/", _static("map_legend.js"))
_LAYER_TEMPLATE = "\n{% macro script(this, kwargs) %}\n" + _LAYER_JS + "{% endmacro %}\n"
_STYLE_TEMPLATE = (
    "\n{% macro header(this, kwargs) %}\n<style>\n"
    + _static("incidents_layer.css")
    + "</style>\n{% endmacro %}\n"
)


class IncidentsLayer(folium.FeatureGroup):
    """The incidents as one Leaflet feature group built in the browser from a JSON payload.

    ``payload`` holds ``points`` and/or ``hex`` (see :mod:`.payload`), ``box`` (the outlined
    area drawn one by one), ``legend`` (``{"title", "entries", "note"}``) and ``fit``
    (``{"key", "bounds"}``: the view to fit the first time a layer with this key is added to a
    map; None: keep the analyst's view). Add it to a :class:`folium.Map` only.
    """

    _template = Template(_LAYER_TEMPLATE)

    def __init__(self, payload: dict, name: str = "Incidents"):
        super().__init__(name=name, overlay=True, control=True, show=True)
        self.payload = js_json(payload)


class IncidentsStyle(MacroElement):
    """The popup, tooltip and legend styles (a ``<style>`` in the page's header)."""

    _template = Template(_STYLE_TEMPLATE)

    def __init__(self) -> None:
        super().__init__()
        self._name = "IncidentsStyle"
