"""Persistent cache of online geocoding results (sqlite, one file).

Keyed by provider name, normalised query (see :func:`cache_key`) and country
hint. "Not found" answers are cached too (they cost a request as well);
provider errors never are. Default file: ``<cache dir>/online-results.sqlite``
where the cache dir is ``$GEODATA_CACHE_DIR`` or ``<repo>/data/cache``.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from pathlib import Path

from geodata.index import default_cache_dir
from geodata.normalize import clean_text, raw_key
from geodata.results import GeocodeResult

__all__ = ["ResultCache", "cache_key"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS results (
    provider TEXT NOT NULL,
    query_key TEXT NOT NULL,
    country TEXT NOT NULL,
    result TEXT NOT NULL,
    created REAL NOT NULL,
    PRIMARY KEY (provider, query_key, country)
)
"""


def cache_key(query: str) -> str:
    """Normalised query: cleaned, case-folded, single-spaced."""
    return raw_key(clean_text(query))


class ResultCache:
    """sqlite-backed cache; safe to share between threads of one process."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path else default_cache_dir() / "online-results.sqlite"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(self.path, check_same_thread=False, timeout=10.0)
        with self._lock, self._conn:
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute(_SCHEMA)

    def get(self, provider: str, query: str, *, country: str | None = None) -> GeocodeResult | None:
        with self._lock:
            row = self._conn.execute(
                "SELECT result FROM results WHERE provider=? AND query_key=? AND country=?",
                (provider, cache_key(query), (country or "").upper()),
            ).fetchone()
        if row is None:
            return None
        result = GeocodeResult.from_dict(json.loads(row[0]))
        return result.with_source(f"cache:{provider}")

    def put(
        self, provider: str, query: str, result: GeocodeResult, *, country: str | None = None
    ) -> None:
        with self._lock, self._conn:
            self._conn.execute(
                "INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?, ?)",
                (
                    provider,
                    cache_key(query),
                    (country or "").upper(),
                    json.dumps(result.to_dict()),
                    time.time(),
                ),
            )

    def __len__(self) -> int:
        with self._lock:
            return int(self._conn.execute("SELECT COUNT(*) FROM results").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            self._conn.close()
