from __future__ import annotations

import pytest

from incidents import Count, CountError, parse_count


@pytest.mark.parametrize(
    "text, expected",
    [
        ("8", Count(8, 8, 8)),
        ("huit", Count(8, 8, 8)),
        ("une dizaine", Count(10, 8, 12)),
        ("Une  Dizaine", Count(10, 8, 12)),
        ("sans faire de victimes", Count(0, 0, 0)),
        ("no casualties", Count(0, 0, 0)),
        ("без жертв", Count(0, 0, 0)),
        ("plusieurs", Count(3, 2, 9)),
        ("several", Count(3, 2, 9)),
        ("mehrere", Count(3, 2, 9)),
        ("кілька", Count(3, 2, 9)),
        ("dozens", Count(24, 24, None)),
        ("des dizaines", Count(24, 20, None)),
        ("at least 3", Count(3, 3, None)),
        ("au moins 12", Count(12, 12, None)),
        ("up to 5", Count(None, 0, 5)),
        ("2-4", Count(None, 2, 4)),
        ("", Count(None)),
        (None, Count(None)),
        ("a lot of people", Count(None)),  # unknown words stay unknown, never 0
    ],
)
def test_press_wording_becomes_a_figure(text, expected):
    assert parse_count(text) == expected


def test_count_rejects_inverted_bounds():
    with pytest.raises(CountError, match="low <= best <= high"):
        Count(5, 6, 8)
    with pytest.raises(CountError, match="must not be negative"):
        Count(-1)
