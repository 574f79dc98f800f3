"""The press-spelling table (tests/geodata/press_spellings.tsv, built by press_table.py):
no wrong answer, every must-abstain row abstained, and coverage stays high."""

from __future__ import annotations

from collections import Counter

from geodata import Gazetteer
from tests.geodata.press_table import read, score


def test_table_is_big_and_varied() -> None:
    rows = read()
    assert len(rows) >= 300
    langs = Counter(r.lang for r in rows)
    for lang in ("en", "fr", "de", "pl", "uk", "ru"):
        assert langs[lang] >= 20, langs
    cats = Counter(r.category for r in rows)
    assert cats["non-place"] >= 30 and cats["region in sentence"] >= 100
    assert sum(1 for r in rows if r.expected == "ABSTAIN") >= 100


def test_no_wrong_answer_and_every_must_abstain_abstains(gaz: Gazetteer) -> None:
    result = score(gaz, read())
    wrong = result["wrong_rows"]
    assert result["wrong"] == 0, wrong
    assert result["must_abstain_ok"] == result["must_abstain"]
    assert result["coverage"] >= 0.97, result["abstained_rows"]
