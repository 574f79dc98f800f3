"""The team's own places on the page: the form's parsing, the write gate, the table shown,
and the gazetteer that consults them (geodata.places holds the store itself)."""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from typing import Any

from geodata import Gazetteer
from geodata.places import PlaceStore, TeamPlace

__all__ = ["parse_aliases", "places_rows", "team_gazetteer", "write_gate"]

_ALIAS_SPLIT = re.compile(r"[;\n,]+")


def parse_aliases(text: str) -> list[str]:
    """Other spellings, one per line or separated by commas or semicolons."""
    return [a for a in (x.strip() for x in _ALIAS_SPLIT.split(text or "")) if a]


def write_gate(author: str) -> str | None:
    """Why writing is refused, or None when *author* may write.

    With no sign-in provider configured (``dashboard.auth``), the page asks for the author's
    name and this check requires it; a signed-in editor needs no typed name."""
    if not (author or "").strip():
        return "give your name (it is stored with the place) before adding or removing places"
    return None


def places_rows(places: Sequence[TeamPlace]) -> list[dict[str, Any]]:
    """The table shown on the page, one row per place."""
    return [
        {
            "id": p.place_id,
            "name": p.name,
            "other names": ", ".join(p.aliases),
            "lat": p.latitude,
            "lon": p.longitude,
            "country": p.country or "",
            "region": p.admin1 or "",
            "kind": p.kind,
            "provenance": p.provenance,
            "author": p.author,
            "added": p.created,
            "note": p.note or "",
        }
        for p in places
    ]


@functools.lru_cache(maxsize=4)
def _with(places: tuple[TeamPlace, ...]) -> Gazetteer:
    return Gazetteer.default().with_places(list(places)) if places else Gazetteer.default()


def team_gazetteer(store: PlaceStore) -> Gazetteer:
    """The offline gazetteer with the store's places consulted first (rebuilt only when the
    places change: the key is the places themselves)."""
    return _with(tuple(store.all()))
