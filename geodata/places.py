"""The team's own places: curated by analysts, consulted before the open sources.

A village no open source lists (Krupets, Kursk region), a front-line landmark, a corrected
coordinate: each is a row of the ``places`` table, in the same database as the incident store
(any SQLAlchemy URL; the default is the store's: ``INCIDENTS_DB`` or
``sqlite:///data/incidents.sqlite``), with its provenance, author and creation time.

::

    from geodata.places import PlaceStore
    from geodata import Gazetteer

    places = PlaceStore.open()  # or PlaceStore.open("sqlite:///data/incidents.sqlite")
    places.add("Krupets", 51.39, 34.93, author="desk", provenance="Sentinel-2, 2025-08-10",
               country="RU", admin1="Kursk", aliases=["Крупец"])
    gaz = Gazetteer.default().with_places(places.all())
    gaz.geocode("Крупец", admin1="Kursk")  # source "places", the team's coordinate

Exports carry them: :func:`write_places_layer` adds a ``places`` layer to a GeoPackage.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from geodata.exc import PlaceError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "PLACES_TABLE",
    "PlaceStore",
    "TeamPlace",
    "default_url",
    "places_frame",
    "write_places_layer",
]

_DEFAULT_DB = Path(__file__).resolve().parent.parent / "data" / "incidents.sqlite"

_meta = sa.MetaData()
PLACES_TABLE = sa.Table(
    "places",
    _meta,
    sa.Column("place_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("aliases", sa.Text, nullable=False, default=""),  # "|"-separated spellings
    sa.Column("latitude", sa.Float, nullable=False),
    sa.Column("longitude", sa.Float, nullable=False),
    sa.Column("country", sa.Text),  # ISO 3166-1 alpha-2
    sa.Column("admin1", sa.Text),  # region as written by the analyst (any language)
    sa.Column("kind", sa.Text, nullable=False, default="settlement"),
    sa.Column("provenance", sa.Text, nullable=False),
    sa.Column("author", sa.Text, nullable=False),
    sa.Column("created", sa.Text, nullable=False),  # ISO 8601, UTC
    sa.Column("note", sa.Text),
)


def default_url() -> str:
    """The incident store's URL: ``INCIDENTS_DB`` or the default SQLite file."""
    return os.environ.get("INCIDENTS_DB") or f"sqlite:///{_DEFAULT_DB}"


@dataclass(frozen=True)
class TeamPlace:
    """One curated place."""

    place_id: int
    name: str
    latitude: float
    longitude: float
    provenance: str
    author: str
    created: str
    aliases: tuple[str, ...] = ()
    country: str | None = None
    admin1: str | None = None
    kind: str = "settlement"
    note: str | None = None

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["aliases"] = list(self.aliases)
        return out


def _clean(value: str | None, field: str, *, required: bool, limit: int = 500) -> str | None:
    if value is None or not str(value).strip():
        if required:
            raise PlaceError(f"place {field} is required")
        return None
    text = " ".join(str(value).split())
    if len(text) > limit:
        raise PlaceError(f"place {field} is too long ({len(text)} characters, limit {limit})")
    return text


class PlaceStore:
    """The ``places`` table of one database."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    @classmethod
    def open(cls, url: str | sa.Engine | None = None, *, create: bool = True) -> PlaceStore:
        """Open the table at *url* (a SQLAlchemy URL or engine; default :func:`default_url`),
        creating it when missing unless ``create=False``."""
        if isinstance(url, sa.Engine):
            engine = url
        else:
            text = url or default_url()
            try:
                sa_url = sa.make_url(text)
            except sa.exc.ArgumentError as err:
                raise PlaceError(f"not a database URL: {text!r}") from err
            if sa_url.drivername in ("postgresql", "postgres"):
                sa_url = sa_url.set(drivername="postgresql+psycopg")  # psycopg 3, as the store
            if sa_url.get_backend_name() == "sqlite" and sa_url.database not in (
                None,
                "",
                ":memory:",
            ):
                Path(sa_url.database).parent.mkdir(parents=True, exist_ok=True)
            if sa_url.drivername in ("postgresql", "postgres"):  # psycopg 3, as the store
                sa_url = sa_url.set(drivername="postgresql+psycopg")
            engine = sa.create_engine(sa_url)
        store = cls(engine)
        if create:
            try:
                _meta.create_all(engine, tables=[PLACES_TABLE])
            except sa.exc.DBAPIError as err:
                raise PlaceError(f"cannot open the places table: {err.orig}") from err
        return store

    def exists(self) -> bool:
        return sa.inspect(self.engine).has_table("places")

    def add(
        self,
        name: str,
        latitude: float,
        longitude: float,
        *,
        author: str,
        provenance: str,
        country: str | None = None,
        admin1: str | None = None,
        aliases: Iterable[str] = (),
        kind: str = "settlement",
        note: str | None = None,
    ) -> TeamPlace:
        """Add one place; returns it with its id. Raises :class:`PlaceError` on bad input."""
        clean_name = _clean(name, "name", required=True, limit=200)
        try:
            lat, lon = float(latitude), float(longitude)
        except (TypeError, ValueError) as err:
            raise PlaceError(
                f"place coordinates must be numbers: {latitude!r}, {longitude!r}"
            ) from err
        if not (math.isfinite(lat) and math.isfinite(lon)) or not (
            -90 <= lat <= 90 and -180 <= lon <= 180
        ):
            raise PlaceError(f"place coordinates out of range: {latitude!r}, {longitude!r}")
        cc = _clean(country, "country", required=False, limit=2)
        if cc is not None and not (len(cc) == 2 and cc.isalpha()):
            raise PlaceError(f"place country must be an ISO 3166-1 alpha-2 code, got {country!r}")
        alias_list = [
            a for a in (_clean(x, "alias", required=False, limit=200) for x in aliases) if a
        ]
        if any("|" in a for a in alias_list):
            raise PlaceError("a place alias may not contain '|'")
        row = {
            "name": clean_name,
            "aliases": "|".join(alias_list),
            "latitude": lat,
            "longitude": lon,
            "country": cc.upper() if cc else None,
            "admin1": _clean(admin1, "admin1", required=False, limit=200),
            "kind": _clean(kind, "kind", required=False, limit=50) or "settlement",
            "provenance": _clean(provenance, "provenance", required=True),
            "author": _clean(author, "author", required=True, limit=200),
            "created": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "note": _clean(note, "note", required=False, limit=2000),
        }
        with self.engine.begin() as conn:
            result = conn.execute(PLACES_TABLE.insert().values(**row))
            key = result.inserted_primary_key
            if key is None:  # every backend we support returns the new id
                raise PlaceError("the database did not return the new place's id")
            place_id = int(key[0])
        return _place({**row, "place_id": place_id})

    def all(self) -> list[TeamPlace]:
        """Every place, by id (an empty list when the table does not exist yet)."""
        if not self.exists():
            return []
        with self.engine.connect() as conn:
            rows = conn.execute(PLACES_TABLE.select().order_by(PLACES_TABLE.c.place_id))
            return [_place(dict(r._mapping)) for r in rows]

    def remove(self, place_id: int) -> bool:
        """Delete one place; False when no place has that id."""
        with self.engine.begin() as conn:
            result = conn.execute(
                PLACES_TABLE.delete().where(PLACES_TABLE.c.place_id == int(place_id))
            )
        return bool(result.rowcount)


def _place(row: dict[str, Any]) -> TeamPlace:
    return TeamPlace(
        place_id=int(row["place_id"]),
        name=row["name"],
        latitude=float(row["latitude"]),
        longitude=float(row["longitude"]),
        provenance=row["provenance"],
        author=row["author"],
        created=row["created"],
        aliases=tuple(a for a in (row.get("aliases") or "").split("|") if a),
        country=row.get("country"),
        admin1=row.get("admin1"),
        kind=row.get("kind") or "settlement",
        note=row.get("note"),
    )


def places_frame(places: Sequence[TeamPlace]) -> pd.DataFrame:
    """The places as a table (aliases joined by ``|``), one row each."""
    import pandas as pd

    cols = ["place_id", "name", "aliases", "latitude", "longitude", "country", "admin1", "kind",
            "provenance", "author", "created", "note"]  # fmt: skip
    rows = [{**p.to_dict(), "aliases": "|".join(p.aliases)} for p in places]
    return pd.DataFrame(rows, columns=cols)


def write_places_layer(engine: sa.Engine, path: str | Path, *, layer: str = "places") -> int:
    """Add the team's places of the database behind *engine* to the GeoPackage at *path*
    as a point layer (EPSG:4326); returns how many (0, and no layer, when there are none)."""
    import geopandas as gpd
    import pyogrio

    places = PlaceStore(engine).all()
    if not places:
        return 0
    frame = places_frame(places)
    geometry = gpd.points_from_xy(frame["longitude"], frame["latitude"], crs="EPSG:4326")
    pyogrio.write_dataframe(
        gpd.GeoDataFrame(frame, geometry=geometry, crs="EPSG:4326"),
        path,
        layer=layer,
        driver="GPKG",
    )
    return len(places)
