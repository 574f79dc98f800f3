"""Dates from the words of a report, resolved against its publication date.

``DATE_RULES`` is the table: each rule finds an expression and says how to resolve it. Weekdays
are the latest such day on or before publication; "dans la nuit de mercredi à jeudi" is the
Thursday (the night is coded on the day it ends, as in ``incidents/data/seed.json``), and so are
"overnight" and "last night" (the night that ended on the publication day). dateparser was
considered and not used: it does not read "dans la nuit de mercredi à jeudi" nor resolve a bare
weekday to the past in French, and a 1.2 MB dependency for explicit dates is not needed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["DATE_RULES", "DateMatch", "find_dates"]

WEEKDAYS = {
    **{
        d: i
        for i, d in enumerate(
            ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
        )
    },
    **{
        d: i
        for i, d in enumerate(
            ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
        )
    },
}
MONTHS = {
    **{
        m: i + 1
        for i, m in enumerate(
            [
                "janvier",
                "février",
                "mars",
                "avril",
                "mai",
                "juin",
                "juillet",
                "août",
                "septembre",
                "octobre",
                "novembre",
                "décembre",
            ]
        )
    },
    **{
        m: i + 1
        for i, m in enumerate(
            [
                "january",
                "february",
                "march",
                "april",
                "may",
                "june",
                "july",
                "august",
                "september",
                "october",
                "november",
                "december",
            ]
        )
    },
    "fevrier": 2,
    "aout": 8,
    "decembre": 12,
}
_WD = "|".join(WEEKDAYS)
_MO = "|".join(sorted(MONTHS, key=len, reverse=True))


@dataclass(frozen=True)
class DateMatch:
    date: dt.date
    time_precision: int  # 1 day, 2 week, 3 month (ACLED)
    start: int
    end: int
    text: str
    confidence: float
    background: bool = False  # a date in an earlier year: the sentence is history


def _weekday(published: dt.date, name: str) -> dt.date:
    back = (published.weekday() - WEEKDAYS[name.lower()]) % 7
    return published - dt.timedelta(days=back)


def _explicit(published: dt.date, day: str, month: str, year: str | None) -> dt.date | None:
    d = 1 if day.lower() in ("1er", "1st") else int(re.sub(r"\D", "", day))
    m = MONTHS[month.lower()]
    y = int(year) if year else published.year
    try:
        date = dt.date(y, m, d)
    except ValueError:
        return None
    if not year and date > published:
        date = date.replace(year=y - 1)
    return date


Resolver = Callable[[re.Match, dt.date], tuple[dt.date | None, int]]

#: (pattern, resolver -> (date, time_precision), confidence), most specific first.
DATE_RULES: tuple[tuple[str, Resolver, float], ...] = (
    (
        rf"\b(?:(?:{_WD})\s+)?(?:le\s+)?(\d{{1,2}}|1er)\s+({_MO})(?:\s+(\d{{4}}))?",
        lambda m, p: (_explicit(p, m.group(1), m.group(2), m.group(3)), 1),
        0.95,
    ),
    (
        rf"\b({_MO})\s+(\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(\d{{4}}))?\b",
        lambda m, p: (_explicit(p, m.group(2), m.group(1), m.group(3)), 1),
        0.95,
    ),
    (
        rf"\b(?:dans )?la nuit (?:de|du) (?:{_WD}) (?:à|au) ({_WD})\b",
        lambda m, p: (_weekday(p, m.group(1)), 1),
        0.9,
    ),
    (
        rf"\b(?:on the )?night (?:of|from) (?:{_WD}) (?:to|into) ({_WD})\b|\bovernight into ({_WD})\b",
        lambda m, p: (_weekday(p, m.group(1) or m.group(2)), 1),
        0.9,
    ),
    (r"\bavant-hier\b|\bday before yesterday\b", lambda m, p: (p - dt.timedelta(days=2), 1), 0.9),
    (r"\bhier\b|\byesterday\b", lambda m, p: (p - dt.timedelta(days=1), 1), 0.9),
    (
        r"\bcette nuit\b|\bla nuit dernière\b|\bovernight\b|\blast night\b",
        lambda m, p: (p, 1),
        0.75,
    ),
    (
        r"\baujourd['’]hui\b|\bce matin\b|\bce soir\b|\btoday\b|\bthis morning\b|\bthis evening\b",
        lambda m, p: (p, 1),
        0.9,
    ),
    (rf"\b({_WD})\b", lambda m, p: (_weekday(p, m.group(1)), 1), 0.85),
    (
        r"\bce week-end\b|\bthis weekend\b|\bover the weekend\b",
        lambda m, p: (_weekday(p, "saturday"), 2),
        0.7,
    ),
    (
        r"\bcette semaine\b|\bthis week\b|\bearlier this week\b|\bces derniers jours\b"
        r"|\bin recent days\b|\bthe past few days\b",
        lambda m, p: (p, 2),
        0.6,
    ),
    (
        r"\bla semaine dernière\b|\blast week\b",
        lambda m, p: (p - dt.timedelta(days=7), 2),
        0.6,
    ),
    (
        rf"\b(?:en|in|early|late|mid-)\s*({_MO})(?:\s+(\d{{4}}))?\b",
        lambda m, p: _month(p, m.group(1), m.group(2)),
        0.6,
    ),
)


def _month(published: dt.date, month: str, year: str | None) -> tuple[dt.date, int]:
    m = MONTHS[month.lower()]
    y = int(year) if year else published.year
    if not year and (y, m) > (published.year, published.month):
        y -= 1
    # ACLED: time precision 3 is coded on the middle of the month
    return dt.date(y, m, 15), 3


_COMPILED = [(re.compile(p, re.IGNORECASE), r, c) for p, r, c in DATE_RULES]
_YEAR = re.compile(r"\b(?:en|in|since|depuis|depuis le début de|de)?\s*((?:19|20)\d{2})\b", re.I)


def find_dates(sentence: str, published: dt.date, *, offset: int = 0) -> list[DateMatch]:
    """Every date expression of a sentence, resolved; overlapping matches keep the first rule's."""
    found: list[DateMatch] = []
    taken: list[tuple[int, int]] = []
    for rx, resolve, confidence in _COMPILED:
        for m in rx.finditer(sentence):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            date, precision = resolve(m, published)
            if date is None or date > published:
                continue
            taken.append((m.start(), m.end()))
            found.append(
                DateMatch(
                    date, precision, offset + m.start(), offset + m.end(), m.group(), confidence
                )
            )
    for m in _YEAR.finditer(sentence):
        year = int(m.group(1))
        if year < published.year and not any(m.start() < e and s < m.end() for s, e in taken):
            found.append(
                DateMatch(
                    dt.date(year, 1, 1),
                    3,
                    offset + m.start(1),
                    offset + m.end(1),
                    m.group(1),
                    0.5,
                    background=True,
                )
            )
    return sorted(found, key=lambda d: d.start)
