"""The geodata tests read the gazetteer built once per run (``gaz``, tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def cache_dir(geodata_cache_dir: Path) -> Path:
    """The gazetteer's cache dir, for the CLI's ``--cache-dir``."""
    return geodata_cache_dir
