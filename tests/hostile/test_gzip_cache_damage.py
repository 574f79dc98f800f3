"""The compressed copies of the front-end bundle kept on disk (dashboard.static_gzip) are a
cache: damaged or replaced, they are compressed again with a warning, and a browser never
receives bytes that do not decompress to the file served."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from dashboard.static_gzip import GzipCacheWarning
from tests.dashboard.test_static_gzip import BUNDLE, GZIP, call, static_dir, wrapped
from tests.support.damage import flip, truncate, zero

__all__ = ["static_dir"]  # the bundle fixture, shared


def _flip(path: Path) -> None:
    flip(path, span=20)  # a compressed file is small


def _empty(path: Path) -> None:
    path.write_bytes(b"")


def _other_body(path: Path) -> None:  # a valid gzip stream, but of something else
    path.write_bytes(gzip.compress(b"alert('not the bundle')" * 100))


@pytest.mark.parametrize("damage", [truncate, zero, _flip, _empty, _other_body])
def test_a_damaged_copy_is_compressed_again_and_replaced(static_dir, tmp_path, damage):
    cache = tmp_path / "cache"
    call(wrapped(static_dir, cache_dir=cache), "/index.js", headers=GZIP)
    (kept,) = cache.iterdir()
    good = kept.read_bytes()
    damage(kept)

    restarted = wrapped(static_dir, cache_dir=cache)
    with pytest.warns(GzipCacheWarning, match="damaged"):
        status, _, body = call(restarted, "/index.js", headers=GZIP)
    assert status == 200 and gzip.decompress(body) == BUNDLE
    assert restarted.compressions == 1
    assert kept.read_bytes() == good  # replaced by a good copy
    assert [p.name for p in cache.iterdir()] == [kept.name]  # no temporary file left


def test_a_directory_in_place_of_a_copy_is_only_warned_about(static_dir, tmp_path):
    cache = tmp_path / "cache"
    call(wrapped(static_dir, cache_dir=cache), "/index.js", headers=GZIP)
    (kept,) = cache.iterdir()
    kept.unlink()
    kept.mkdir()

    app = wrapped(static_dir, cache_dir=cache)
    with pytest.warns(GzipCacheWarning, match="cannot be"):
        status, _, body = call(app, "/index.js", headers=GZIP)
    assert status == 200 and gzip.decompress(body) == BUNDLE
    _, _, again = call(app, "/index.js", headers=GZIP)  # then from memory
    assert again == body and app.compressions == 1


def test_an_unwritable_cache_dir_still_serves_the_bundle(static_dir, tmp_path):
    blocked = tmp_path / "not-a-dir"
    blocked.write_text("a file where the cache directory should be")
    app = wrapped(static_dir, cache_dir=blocked)
    with pytest.warns(GzipCacheWarning, match="cannot be written"):
        status, _, body = call(app, "/index.js", headers=GZIP)
    assert status == 200 and gzip.decompress(body) == BUNDLE
    assert blocked.read_text() == "a file where the cache directory should be"
