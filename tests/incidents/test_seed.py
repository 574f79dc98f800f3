"""The seed incidents say what the AFP dispatch says, and no more."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from incidents import casualty_totals, load_seed, with_group_figures
from incidents.seed import SEED_PATH

INCIDENTS, GROUPS = load_seed()
BY_LOCATION = INCIDENTS.set_index("location")


def test_the_dispatch_gives_five_incidents_on_3_july_2025():
    assert sorted(INCIDENTS["location"]) == [
        "Lipetsk Oblast",
        "Milove",
        "Odesa",
        "Poltava",
        "Yelets",
    ]
    assert set(INCIDENTS["event_date"]) == {pd.Timestamp("2025-07-03")}


def test_poltava_and_odesa_share_one_figure_counted_once():
    assert (
        BY_LOCATION.loc["Poltava", "casualty_group"] == BY_LOCATION.loc["Odesa", "casualty_group"]
    )
    assert pd.isna(BY_LOCATION.loc["Poltava", "fatalities"])  # not split between the strikes
    group = GROUPS.set_index("group_id").loc[BY_LOCATION.loc["Poltava", "casualty_group"]]
    assert (group["fatalities"], group["injured"]) == (8, 10)
    assert group["injured_low"] < 10 < group["injured_high"]  # "une dizaine" is a range
    totals = casualty_totals(with_group_figures(INCIDENTS, GROUPS))
    assert totals.killed.best == 8 + 1 + 0  # group once, Lipetsk 1, Yelets 0
    assert totals.injured.best == 10 + 2 + 0


@pytest.mark.parametrize(
    "location, killed, injured",
    [("Lipetsk Oblast", 1, 2), ("Yelets", 0, 0)],  # "sans faire de victimes" is a real zero
)
def test_russian_side_casualties(location, killed, injured):
    row = BY_LOCATION.loc[location]
    assert (row["fatalities"], row["injured"]) == (killed, injured)


def test_milove_is_a_claim_with_unknown_casualties_in_kharkiv():
    row = BY_LOCATION.loc["Milove"]
    assert row["claim_status"] == "claimed" and "Russia" in row["claimed_by"]
    assert row["admin1"] == "Kharkiv"
    assert pd.isna(row["fatalities"]) and pd.isna(row["injured"])
    assert row["geo_source"] == "gazetteer" and row["geonames_id"] == 701103
    # The Kharkiv-region village, not Milove of the Luhansk region (49.38 N, 40.14 E).
    assert 49.9 < row["latitude"] < 50.5 and 36.5 < row["longitude"] < 38.0


def test_the_lipetsk_region_strike_is_region_level():
    assert BY_LOCATION.loc["Lipetsk Oblast", "geo_precision"] == 3
    assert set(BY_LOCATION.drop(["Lipetsk Oblast", "Milove"])["geo_precision"]) == {1}


def test_every_incident_quotes_the_french_text():
    dispatch = SEED_PATH.parents[3] / "shared" / "seeds" / "000_b881944e533b6189.txt"
    text = dispatch.read_text(encoding="utf-8") if dispatch.exists() else None
    for sources in INCIDENTS["sources"]:
        (source,) = json.loads(sources)
        assert source["outlet"] == "AFP" and source["language"] == "fr"
        if text is not None:
            for fragment in source["quote"].split("[...]"):
                assert fragment.strip() in text
