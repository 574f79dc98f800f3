"""Shared fixtures: one gazetteer built from the real cities500 into a temp cache dir."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

# Plain `.venv/bin/pytest tests/geodata` does not put the repo root on sys.path.
_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from geodata import Gazetteer  # noqa: E402


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # GEODATA_TEST_CACHE_DIR lets a developer reuse a built index between runs.
    env = os.environ.get("GEODATA_TEST_CACHE_DIR")
    return Path(env) if env else tmp_path_factory.mktemp("geodata-cache")


@pytest.fixture(scope="session")
def gaz(cache_dir: Path) -> Gazetteer:
    return Gazetteer.load(cache_dir=cache_dir)
