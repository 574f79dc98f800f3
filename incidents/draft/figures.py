"""Casualty figures in a sentence: "huit personnes ont été tuées", "killing at least 20",
"une dizaine d'autres blessées", "dozens were injured", "sans faire de victimes".

Figures are read into :class:`incidents.casualties.Count` with the project's ranges
(``incidents.casualties.VAGUE_WORDS``); number words come from ``rules.NUMBER_WORDS``
(text2num was considered: it reads long French numbers, which dispatches write in digits, and
not English ones; a table of the small numbers the press writes in words is enough).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..casualties import VAGUE_WORDS, Count, parse_count
from . import rules

__all__ = ["Figure", "attached_place", "find_figures"]


@dataclass(frozen=True)
class Figure:
    kind: str  # "fatalities" or "injured"
    count: Count
    start: int  # offsets in the sentence
    end: int
    text: str
    update: bool  # an updated toll ("le bilan s'est alourdi à ...")


_NUMBER_WORD = "|".join(sorted((re.escape(w) for w in rules.NUMBER_WORDS), key=len, reverse=True))
_COMPOUND = r"(?:vingt|trente|quarante|cinquante|soixante|twenty|thirty|forty|fifty|sixty)[- ](?:et[- ])?(?:un|une|deux|trois|quatre|cinq|six|sept|huit|neuf|one|two|three|four|five|six|seven|eight|nine)"
_VAGUE = "|".join(p for p, *_ in VAGUE_WORDS)
_QUALIFIER = (
    r"au moins|at least|plus de|more than|over|près de|nearly|almost|about|around|environ|some"
    r"|roughly|jusqu['’]à|up to|a minimum of"
)
NUMBER = rf"(?:(?P<q>{_QUALIFIER})\s+)?(?P<n>\d{{1,6}}|{_COMPOUND}|(?:{_VAGUE})|(?:{_NUMBER_WORD}))(?![\w-])"
_FILL = rf"(?:\s+(?:{rules.FILLER_WORDS}|\w+\s+(?:personnes?|people|civils?|civilians)))"
_KILLED = rf"(?:{rules.KILLED_WORDS})"
_INJURED = rf"(?:{rules.INJURED_WORDS})"
#: figure first: "Huit personnes ont été tuées", "un mort et deux blessés", "20 people killed"
_BEFORE = re.compile(
    rf"(?<![\w-]){NUMBER}(?:\s+d['’]autres|{_FILL}){{0,4}}?\s+(?P<w>{_KILLED}|{_INJURED})\b",
    re.IGNORECASE,
)
#: a day between the verb and its figure: "a blessé mercredi six habitants"
_WHEN = (
    r"(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|hier|cette nuit"
    r"|on (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)|yesterday|overnight)"
)
#: verb first: "killing at least 20", "a tué huit personnes", "injuring two", "left 3 dead"
_AFTER = re.compile(
    rf"\b(?P<w>killing|killed|tuant|a tué|ont tué|injuring|injured|wounded|wounding|blessant|a blessé|ont blessé)"
    rf"(?:\s+{_WHEN})?\s+{NUMBER}",
    re.IGNORECASE,
)
_TOLL = re.compile(
    rf"\b(?:death toll|toll|bilan)\b[^.;]{{0,60}}?\b(?:to|à|at|de)\s+{NUMBER}(?:\s+(?P<w>{_KILLED}|{_INJURED}))?",
    re.IGNORECASE,
)
#: "et deux à Odessa", "and two in Odesa": a figure whose kind is the previous figure's
_ELLIPTIC = re.compile(
    rf"(?:\band\b|\bet\b|,|;)\s+{NUMBER}(?:\s+(?:others?|autres|more|de plus))?"
    r"(?=\s+(?:in|at|near|à|au|aux|dans|près de)\s)",
    re.IGNORECASE,
)
#: What may stand between a figure and the place it belongs to: "three killed | in | Poltava".
_ATTACH = re.compile(
    r"\s*(?:(?:people|personnes|civilians|civils|others?|autres)\s+)?"
    r"(?:in|at|near|à|au|aux|dans|près de)\s+(?:the\s+)?"
    r"(?:(?:city|town|village) of\s+|(?:la |le )?(?:ville|village|localité) d[e'’]\s*)?",
    re.IGNORECASE,
)
_SUBSET = re.compile(r"(?:dont|including|among them|parmi lesquels?)\s*$", re.IGNORECASE)


def _count(qualifier: str | None, number: str) -> Count:
    n_text = number.lower().replace("’", "'")
    if re.fullmatch(r"\d+", n_text):
        n = int(n_text)
    elif n_text in rules.NUMBER_WORDS:
        n = rules.NUMBER_WORDS[n_text]
    elif re.fullmatch(_COMPOUND, n_text, re.IGNORECASE):
        tens, unit = re.split(r"[- ](?:et[- ])?", n_text, maxsplit=1)
        n = rules.NUMBER_WORDS[tens] + rules.NUMBER_WORDS[unit]
    else:
        return parse_count(n_text)  # a vague word: the project's range
    q = (qualifier or "").lower().replace("’", "'")
    if q in ("au moins", "at least", "a minimum of"):
        return Count(n, n, None)
    if q in ("plus de", "more than", "over"):
        return Count(n + 1, n + 1, None)
    if q in ("près de", "nearly", "almost"):
        return Count(n, round(n * 0.8), n)
    if q in ("about", "around", "environ", "some", "roughly"):
        return Count(n, round(n * 0.8), round(n * 1.2))
    if q in ("jusqu'à", "up to"):
        return Count(None, 0, n)
    return Count(n, n, n)


def _kind(word: str) -> str:
    return (
        "injured"
        if re.fullmatch(_INJURED + r"|injuring|wounding|blessant|a blessé|ont blessé", word, re.I)
        else "fatalities"
    )


def find_figures(sentence: str) -> list[Figure]:
    """Casualty figures in reading order; a sub-figure ("dont deux enfants") is left out."""
    found: list[Figure] = []
    taken: list[tuple[int, int]] = []
    update_sentence = bool(re.search(rules.UPDATE_MARKERS, sentence, re.IGNORECASE))
    for rx in (_TOLL, _BEFORE, _AFTER):
        for m in rx.finditer(sentence):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            if _SUBSET.search(sentence[: m.start()]):
                continue
            word = m.group("w") or "killed"
            count = _count(m.group("q"), m.group("n"))
            if count.best is None and count.low is None and count.high is None:
                continue
            taken.append((m.start(), m.end()))
            found.append(
                Figure(
                    _kind(word),
                    count,
                    m.start(),
                    m.end(),
                    m.group(),
                    update_sentence or rx is _TOLL,
                )
            )
    for m in _ELLIPTIC.finditer(sentence):
        before = [f for f in found if f.end <= m.start()]
        if not before or any(m.start() < e and s < m.end() for s, e in taken):
            continue
        count = _count(m.group("q"), m.group("n"))
        if count.best is None and count.low is None and count.high is None:
            continue
        start = m.start("q") if m.group("q") else m.start("n")
        prev = max(before, key=lambda f: f.end)
        found.append(
            Figure(prev.kind, count, start, m.end(), sentence[start : m.end()], prev.update)
        )
    for pattern, kinds in rules.ZERO_PHRASES:
        for m in re.finditer(pattern, sentence, re.IGNORECASE):
            for kind in kinds:
                found.append(Figure(kind, Count(0, 0, 0), m.start(), m.end(), m.group(), False))
    return sorted(found, key=lambda f: f.start)


def attached_place(sentence: str, figure: Figure, place_starts: list[int]) -> int | None:
    """The index of the place a figure is given for when only "in"/"à" stands between them
    ("three killed in Poltava"); None when the figure is not written against one place."""
    for i, start in enumerate(place_starts):
        if start >= figure.end and _ATTACH.fullmatch(sentence, figure.end, start):
            return i
    return None
