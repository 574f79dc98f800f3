"""Incidents known only by their country (geo_precision 4) are never drawn as a place."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard.maps.plan import make_plan


@pytest.mark.parametrize(
    "precisions, drawn, not_placed",
    [([1, 2, 3], 3, 0), ([1, 4, 4], 1, 2), ([4], 0, 1), ([None, 4], 1, 1)],
)
def test_country_level_rows_are_counted_not_drawn(precisions, drawn, not_placed):
    frame = pd.DataFrame(
        {
            "latitude": [48.5] * len(precisions),
            "longitude": [35.0] * len(precisions),
            "geo_precision": pd.array(precisions, dtype="Int64"),
        }
    )
    plan = make_plan(frame, point_limit=5000, bbox=None)
    assert int(plan.points.sum()) == drawn and plan.not_placed == not_placed
