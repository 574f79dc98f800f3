"""The page's process stops numpy from asking for transparent huge pages (dashboard.memory)."""

import numpy as np

from dashboard import memory


def test_use_small_pages_turns_numpys_huge_page_advice_off_and_reports_the_old_setting():
    multiarray = np._core.multiarray
    before = multiarray._set_madvise_hugepage(True)
    try:
        assert memory.use_small_pages() is True
        assert multiarray._get_madvise_hugepage() is False
        assert memory.use_small_pages() is False  # already off
        assert np.ones(2_000_000).sum() == 2_000_000  # arrays still work
    finally:
        multiarray._set_madvise_hugepage(before)
