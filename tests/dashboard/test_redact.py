"""Viewers never read the server's file paths."""

from __future__ import annotations

import pytest

from dashboard.redact import without_paths


@pytest.mark.parametrize(
    "text, shown",
    [
        ("cannot open /srv/newsroom/data/incidents.sqlite", "cannot open …/incidents.sqlite"),
        (
            "the store 'sqlite:////home/ana/x.sqlite' is damaged",
            "the store 'sqlite:///…/x.sqlite' is damaged",
        ),
        (
            "the snapshot /tmp/c/incidents-1-r2.parquet is bad",
            "the snapshot …/incidents-1-r2.parquet is bad",
        ),
        ("2025/07/03 and 50/50", "2025/07/03 and 50/50"),
    ],
)
def test_paths_keep_only_their_last_part(text, shown):
    assert without_paths(text) == shown
