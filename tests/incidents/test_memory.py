from __future__ import annotations

import sys
import threading
from pathlib import Path

import pytest

from incidents import Store
from incidents.importer import import_file
from incidents.memory import huge_pages_disabled, small_pages

REAL = Path(__file__).parent / "fixtures" / "real"

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux") or huge_pages_disabled() is None,
    reason="transparent huge pages are a Linux setting",
)


def test_huge_pages_are_off_in_the_block_and_as_before_after():
    assert huge_pages_disabled() is False
    with small_pages():
        assert huge_pages_disabled() is True
    assert huge_pages_disabled() is False


def test_overlapping_blocks_restore_the_setting_when_the_last_one_ends():
    first_in, second_done = threading.Event(), threading.Event()
    seen = []

    def other() -> None:
        first_in.wait()
        with small_pages():
            seen.append(huge_pages_disabled())
        second_done.set()

    thread = threading.Thread(target=other)
    thread.start()
    with small_pages():
        first_in.set()
        second_done.wait()
        seen.append(huge_pages_disabled())  # the other block ended: still off for this one
    thread.join()
    assert seen == [True, True]
    assert huge_pages_disabled() is False


def test_an_import_runs_in_small_pages(tmp_path):
    store = Store.open(f"sqlite:///{tmp_path / 's.sqlite'}", seed=False)
    during = []
    report = import_file(
        store,
        REAL / "acled_2020_semicolon_cp1252.csv",
        refresh_snapshot=False,
        progress=lambda done, total: during.append(huge_pages_disabled()),
    )
    assert report.inserted > 0 and during and set(during) == {True}
    assert huge_pages_disabled() is False
