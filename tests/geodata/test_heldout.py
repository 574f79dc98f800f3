"""The hand-written held-out table (tests/geodata/heldout_press.tsv, see heldout.py): no
wrong answer, every must-abstain row abstains, at least 97% right."""

from __future__ import annotations

from collections import Counter

from geodata import Gazetteer
from tests.geodata.heldout import read, score


def test_table_covers_six_languages_and_must_abstain_rows() -> None:
    rows = read()
    assert len(rows) >= 150
    langs = Counter(r.lang for r in rows)
    for lang in ("en", "fr", "de", "pl", "uk", "ru"):
        assert langs[lang] >= 9, langs
    assert sum(r.point is None for r in rows) >= 30
    assert sum("historical" in r.category for r in rows) >= 15


def test_heldout_no_wrong_answer(gaz: Gazetteer) -> None:
    result = score(gaz, read())
    assert result["wrong"] == 0, result["wrong_rows"]
    assert result["must_abstain_ok"] == result["must_abstain"]
    assert result["right_share"] >= 0.97, result["abstained_rows"]
