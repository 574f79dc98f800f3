"""The Leaflet side: the incidents layer and the legend, rendered through folium's Jinja templates.

The JavaScript and CSS live in ``static/`` (package data, read once at import):

* ``incidents_layer.js``: the body of the layer's ``script`` macro (a Jinja template:
  ``{{ this.payload }}`` is the JSON payload, ``{{ this.get_name() }}`` and
  ``{{ this._parent.get_name() }}`` the layer's and the map's variable names);
* ``incidents_layer.css``: the popup, tooltip and legend styles, put in the page's header;
* ``map_legend.js``: the body of the legend's ``script`` macro (``{{ this.spec }}``).
"""

from __future__ import annotations

from importlib import resources

from branca.element import MacroElement
from folium.map import Layer
from jinja2 import Template

from ..safe import js_json

__all__ = ["IncidentsLayer", "MapLegend"]


def _static(name: str) -> str:
    return resources.files(__package__).joinpath("static", name).read_text(encoding="utf-8")


def _script_macro(body: str) -> str:
    return "\n{% macro script(this, kwargs) %}\n" + body + "{% endmacro %}\n"


def _header_style_macro(css: str) -> str:
    return "\n{% macro header(this, kwargs) %}\n<style>\n" + css + "</style>\n{% endmacro %}\n"


_LAYER_TEMPLATE = _script_macro(_static("incidents_layer.js")) + _header_style_macro(_static("incidents_layer.css"))
_LEGEND_TEMPLATE = _script_macro(_static("map_legend.js"))


class IncidentsLayer(Layer):
    """The incidents as one Leaflet feature group built in the browser from a JSON payload."""

    _template = Template(_LAYER_TEMPLATE)

    def __init__(self, payload: dict, name: str = "Incidents"):
        super().__init__(name=name, overlay=True, control=True, show=True)
        self._name = "IncidentsLayer"
        self.payload = js_json(payload)


class MapLegend(MacroElement):
    """A collapsible legend control (bottom right) built with textContent from a JSON spec."""

    _template = Template(_LEGEND_TEMPLATE)

    def __init__(self, title: str, entries: list[dict], note: str = ""):
        super().__init__()
        self._name = "MapLegend"
        self.spec = js_json({"title": title, "entries": entries, "note": note})
