"""Casualty figures from the words of the press, with documented rules.

``parse_count("une dizaine")`` gives ``Count(best=10, low=8, high=12)``. Unknown stays
unknown (``None``), never 0; "sans faire de victimes" is a real 0. The table of vague words is
``VAGUE_WORDS``: one place to read and amend the rules.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .exc import CountError

__all__ = ["NONE_WORDS", "VAGUE_WORDS", "Count", "parse_count"]


@dataclass(frozen=True)
class Count:
    """A casualty figure: best estimate with optional bounds (UCDP's best/low/high)."""

    best: int | None
    low: int | None = None
    high: int | None = None

    def __post_init__(self) -> None:
        for name in ("best", "low", "high"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise CountError(f"{name} must not be negative, got {value}")
        known = [v for v in (self.low, self.best, self.high) if v is not None]
        if known != sorted(known):
            raise CountError(f"need low <= best <= high, got {self.low}, {self.best}, {self.high}")


#: Vague quantities, by language: (pattern, best, low, high). High None = no upper bound.
#: Rules: "about N" words take +/-20% (rounded); "several" is 2 to 9 with best 3;
#: "dozens" is at least 24 (two dozen) with best 24; "hundreds" at least 200.
VAGUE_WORDS: tuple[tuple[str, int | None, int | None, int | None], ...] = (
    # French
    (r"une? dizaine", 10, 8, 12),
    (r"une? douzaine", 12, 10, 14),
    (r"une? quinzaine", 15, 12, 18),
    (r"une? vingtaine", 20, 16, 24),
    (r"une? trentaine", 30, 24, 36),
    (r"une? cinquantaine", 50, 40, 60),
    (r"une? centaine", 100, 80, 120),
    (r"des dizaines", 24, 20, None),
    (r"des centaines", 200, 200, None),
    (r"plusieurs", 3, 2, 9),
    (r"quelques", 3, 2, 5),
    # English
    (r"(?:about|around|some|roughly|nearly) (?:ten|10)", 10, 8, 12),
    (r"(?:a|about a|around a) dozen", 12, 10, 14),
    (r"dozens(?: of)?", 24, 24, None),
    (r"hundreds(?: of)?", 200, 200, None),
    (r"several", 3, 2, 9),
    (r"a few", 3, 2, 5),
    # German
    (r"(?:etwa|rund|ungef[aä]hr) (?:zehn|10)", 10, 8, 12),
    (r"dutzende", 24, 24, None),
    (r"mehrere", 3, 2, 9),
    (r"einige", 3, 2, 9),
    # Ukrainian / Russian
    (r"(?:близько|около|приблизно|примерно) (?:десяти|десятка|10)", 10, 8, 12),
    (r"десятки", 24, 20, None),
    (r"кілька|декілька|несколько", 3, 2, 9),
)

#: Phrases that mean a real zero ("sans faire de victimes").
NONE_WORDS: tuple[str, ...] = (
    r"sans (?:faire de )?victimes?",
    r"aucune victime",
    r"pas de victimes?",
    r"no (?:casualties|victims|one was (?:killed|hurt|injured))",
    r"without casualties",
    r"keine (?:opfer|toten|verletzten)",
    r"без (?:жертв|постраждалих|пострадавших)",
)

_EXACT = re.compile(r"^\s*(\d{1,7})\s*$")
_AT_LEAST = re.compile(
    r"^(?:at least|au moins|mindestens|не менее|щонайменше|как минимум)\s+(\d{1,7})$"
)
_UP_TO = re.compile(r"^(?:up to|jusqu'à|jusqu’à|bis zu|до)\s+(\d{1,7})$")
_RANGE = re.compile(r"^(\d{1,7})\s*(?:-|–|to|à|bis|до)\s*(\d{1,7})$")
_NUMBER_WORDS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "un": 1,
    "une": 1,
    "deux": 2,
    "trois": 3,
    "quatre": 4,
    "cinq": 5,
    "sept": 7,
    "huit": 8,
    "neuf": 9,
    "dix": 10,
    "ein": 1,
    "eine": 1,
    "zwei": 2,
    "drei": 3,
    "vier": 4,
    "fünf": 5,
    "sechs": 6,
    "sieben": 7,
    "acht": 8,
    "neun": 9,
    "zehn": 10,
}


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFC", text).lower().replace("’", "'")
    return re.sub(r"\s+", " ", text).strip()


def parse_count(text: str | int | None) -> Count:
    """Turn a figure as written ("8", "une dizaine", "at least 3", "sans faire de victimes")
    into a :class:`Count`. Empty or unrecognised text is unknown: ``Count(None)``."""
    if text is None:
        return Count(None)
    if isinstance(text, int):
        return Count(text, text, text)
    folded = _fold(text)
    if not folded:
        return Count(None)
    if m := _EXACT.match(folded):
        n = int(m.group(1))
        return Count(n, n, n)
    if folded in _NUMBER_WORDS:
        n = _NUMBER_WORDS[folded]
        return Count(n, n, n)
    if m := _AT_LEAST.match(folded):
        n = int(m.group(1))
        return Count(n, n, None)
    if m := _UP_TO.match(folded):
        n = int(m.group(1))
        return Count(None, 0, n)
    if m := _RANGE.match(folded):
        lo, hi = sorted((int(m.group(1)), int(m.group(2))))
        return Count(None, lo, hi)
    for pattern in NONE_WORDS:
        if re.fullmatch(pattern, folded):
            return Count(0, 0, 0)
    for pattern, best, low, high in VAGUE_WORDS:
        if re.fullmatch(pattern, folded):
            return Count(best, low, high)
    return Count(None)
