"""The Leaflet side: the incidents layer and the script and styles it needs, as folium elements.

The browser code lives in ``static/`` (package data, read once at import):

* ``incidents_layer.js``: a plain script defining ``IncidentsMap``; its entry function
  ``IncidentsMap.layer(map, payload)`` builds the whole layer (symbols, hexagons, legend, time
  control) from one payload object, whose format is ``payload.schema.json``;
* ``incidents_layer.css``: the popup, tooltip, legend and time-control styles.

Both are files served by the dashboard (:mod:`dashboard.assets`, loaded once with the base
map, cached by the browser). :class:`IncidentsLayer` is a :class:`folium.FeatureGroup` whose
script is one call of the entry function, so streamlit-folium can swap it on a map already in
the browser (``st_folium(..., feature_group_to_add=layer)``) instead of reloading the map.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

import folium
from branca.element import Element, Figure
from folium.elements import ElementAddToElement
from jinja2 import Template

from ..safe import js_json

__all__ = ["LAYER_SCRIPT", "IncidentsLayer", "payload_schema"]


def _static(name: str) -> str:
    return resources.files(__package__).joinpath("static", name).read_text(encoding="utf-8")


#: The browser code of the layer (``static/incidents_layer.js``).
LAYER_SCRIPT = _static("incidents_layer.js")


@cache
def payload_schema() -> dict[str, Any]:
    """The JSON schema of the layer's payload (``static/payload.schema.json``)."""
    return json.loads(_static("payload.schema.json"))


class IncidentsLayer(folium.FeatureGroup):
    """The incidents as one Leaflet feature group built in the browser from a JSON payload
    (``IncidentsMap.layer(map, payload)``; the format is ``static/payload.schema.json``).
    Add it to a map that loads the script (:func:`~dashboard.maps.base_map`)."""

    _template = Template(
        "{% macro script(this, kwargs) %}\n"
        "var {{ this.get_name() }} = IncidentsMap.layer({{ this._parent.get_name() }}, "
        "{{ this.payload }});\n"
        "{{ this.get_name() }}.addTo({{ this._parent.get_name() }});\n"
        "{% endmacro %}"
    )

    def __init__(self, payload: dict, name: str = "Incidents"):
        super().__init__(name=name, overlay=True, control=True, show=True)
        self.payload = js_json(payload)

    def render(self, **kwargs: Any) -> None:  # type: ignore[override]  # as folium's
        """folium's ``Layer.render``, except that the script goes into the page as it is.

        folium wraps every rendered script in an ``Element``, which compiles it as a Jinja
        template: for this layer that is the whole payload (megabytes at 1M incidents, about
        0.3 s on every rerun), and the payload holds record text, in which ``{%`` or ``{{``
        must stay text (a title with ``{%`` made the compilation fail)."""
        parent, figure = self._parent, self.get_root()
        if not isinstance(figure, Figure) or parent is None:
            raise ValueError("the incidents layer is rendered on a map (add it to one first)")
        if self.show:
            self.add_child(
                ElementAddToElement(
                    element_name=self.get_name(), element_parent_name=parent.get_name()
                ),
                name=self.get_name() + "_add",
            )
        script = self._template.module.__dict__["script"](self, kwargs)
        figure.script.add_child(_Text(script), name=self.get_name())
        for child in self._children.values():
            child.render(**kwargs)


class _Text(Element):
    """Text put into the page verbatim (never read as a template)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def render(self, **kwargs: Any) -> str:
        return self.text
