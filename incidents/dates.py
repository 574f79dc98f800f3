"""Dates as real files write them, read column by column with the convention decided from evidence.

Shapes read (a time after the date is ignored):

==========================  ==========================================================
``2024-02-16``              ISO 8601, also ``2009-02-20T00:00:00``, ``2009-02-20 00:00:00.000``
``2024/02/16``              year first with slashes or dots
``16 February 2024``        day, month name, year (ACLED's long form; ``16 Feb 2024`` too)
``01-January-2015``         the same with hyphens
``9-May-20``, ``5-Aug-24``  Excel's day-month-two-digit-year
``February 16, 2024``       month name first
``18/04/2001``              numeric day-first or month-first (``/``, ``.`` or ``-``), with or
``1/22/2014 12:00:00 AM``   without a time
==========================  ==========================================================

**Day-first or month-first** is decided per column from the evidence: a first field above 12
(``18/04/2001``) proves day-first, a second field above 12 (``1/22/2014``) proves month-first.
Rows whose two fields are equal read the same either way. When the column proves nothing, a row
such as ``05/02/2014`` is *ambiguous* and is rejected with that word, never guessed; the caller
can state the order (``order="dmy"`` or ``"mdy"``). A column holding proof of both orders is
read row by row where each row proves its own order; its ambiguous rows are rejected.

**Two-digit years** (``9-May-20``) take their century from the row's ``year`` when the source
has one, else the most recent year not in the future. With ``years`` given, every date whose
year differs from it is a problem named in the result (the row's own ``year`` contradicts it).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

__all__ = ["DATE_ORDERS", "DateColumn", "DateOrder", "read_dates"]

DateOrder = Literal["auto", "dmy", "mdy"]
DATE_ORDERS: tuple[str, ...] = ("auto", "dmy", "mdy")

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        1,
    )
    for name in names
}
_TIME = (
    r"(?:[ T]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:[AaPp]\.?[Mm]\.?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
)
_ISO = r"^(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})" + _TIME + "$"
_NAMED = r"^(?P<d>\d{1,2})[ \-.]+(?P<mon>[A-Za-z]{3,9})\.?[ \-.,]+(?P<y>\d{4}|\d{2})" + _TIME + "$"
_NAMED_US = r"^(?P<mon>[A-Za-z]{3,9})\.?\s+(?P<d>\d{1,2}),?\s+(?P<y>\d{4})" + _TIME + "$"
_NUMERIC = r"^(?P<a>\d{1,2})[/.\-](?P<b>\d{1,2})[/.\-](?P<y>\d{4}|\d{2})" + _TIME + "$"


@dataclass
class DateColumn:
    """One column read: dates (NaT where not read), the convention found, per-row problems."""

    dates: pd.Series
    #: What the column holds, in words (``"day-first (DD/MM/YYYY)"``, ``"ISO 8601"``...).
    convention: str = ""
    #: Position in the column → why that row's date is rejected (ambiguous, contradicts ``year``).
    problems: dict[int, str] = field(default_factory=dict)
    #: Numeric rows whose order the column could not decide (``order="auto"`` only).
    ambiguous: int = 0


#: Years a date can hold (pandas' nanosecond timestamps end in 1677 and 2262); a date outside
#: them is no date ("0001-01-01" is a placeholder, not the first century).
_YEARS = (1678, 2261)


def _build(y: pd.Series, m: pd.Series, d: pd.Series) -> pd.Series:
    frame = pd.DataFrame({"year": y, "month": m, "day": d}).astype("float64")
    ok = (
        frame.notna().all(axis=1)
        & frame["year"].between(*_YEARS)
        & frame["month"].between(1, 12)
        & frame["day"].between(1, 31)
    )
    out = pd.Series(pd.NaT, index=y.index, dtype="datetime64[ns]")
    if ok.any():
        out[ok] = pd.to_datetime(frame[ok].astype("int64"), errors="coerce")
    return out


def _century(written: pd.Series, years: pd.Series | None) -> pd.Series:
    """Years as written, in full: four digits stand as they are ("0001" is the year 1, which
    no date holds); two digits take their century from the row's ``year`` when it ends with
    them, else the most recent year not in the future."""
    yy = pd.to_numeric(written)
    short = written.str.len() == 2
    today = dt.date.today().year
    guess = 2000 + yy
    guess = guess.where(guess <= today, 1900 + yy)
    if years is not None:
        from_year = years.where((years % 100) == yy)
        guess = from_year.fillna(guess)
    return yy.where(~short, guess)


def read_dates(
    values: pd.Series, *, order: DateOrder = "auto", years: pd.Series | None = None
) -> DateColumn:
    """Read a column of dates in any of the shapes above (see the module's doc).

    ``order`` says how numeric ``a/b/yyyy`` dates are read: ``auto`` decides from the column,
    ``dmy`` or ``mdy`` force it. ``years`` (the source's ``year`` column, text or numbers) fixes
    two-digit centuries and is checked against every date read. Rows that are no date at all
    are NaT without a problem (the caller says "is not a date").

    Each distinct (date text, year) pair is read once: a million rows hold a few thousand.
    """
    if order not in DATE_ORDERS:
        raise ValueError(f"date order must be one of {DATE_ORDERS}, got {order!r}")
    text = values.astype("string").str.strip().reset_index(drop=True)
    text = text.mask(text == "")
    key = text.fillna("\x00")
    year_text = None
    if years is not None:
        year_text = years.astype("string").str.strip().reset_index(drop=True)
        key = key + "\x1f" + year_text.fillna("")
    codes, _ = pd.factorize(key)
    first = pd.Series(np.arange(len(codes))).groupby(codes).first().to_numpy()
    one_text = text.iloc[first].reset_index(drop=True)
    one_year = (
        None
        if year_text is None
        else pd.to_numeric(year_text.iloc[first].reset_index(drop=True), errors="coerce")
    )
    found = _read_distinct(one_text, one_year, order)
    dates = pd.Series(found.dates.to_numpy()[codes], index=values.index)
    problems: dict[int, str] = {}
    if found.problems:
        bad_codes = np.fromiter(found.problems, dtype=np.int64)
        for pos in np.flatnonzero(np.isin(codes, bad_codes)):
            problems[int(pos)] = found.problems[int(codes[pos])]
    ambiguous = sum(1 for m in problems.values() if "ambiguous" in m)
    return DateColumn(dates, found.convention, problems, ambiguous)


def _read_distinct(text: pd.Series, year_num: pd.Series | None, order: DateOrder) -> DateColumn:
    out = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    kinds: list[str] = []
    problems: dict[int, str] = {}
    todo = text.notna()

    iso = text.str.extract(_ISO)
    hit = iso["y"].notna() & todo
    if hit.any():
        out[hit] = _build(iso["y"][hit], iso["m"][hit], iso["d"][hit])
        kinds.append("ISO 8601 (YYYY-MM-DD)")
        todo &= ~hit

    for pattern, label in ((_NAMED, "day month-name year"), (_NAMED_US, "month-name day, year")):
        if not todo.any():
            break
        named = text[todo].str.extract(pattern)
        month = named["mon"].str.lower().map(_MONTHS)
        hit_sub = named["y"].notna() & month.notna()
        if not hit_sub.any():
            continue
        idx = hit_sub[hit_sub].index
        two_digit = bool((named.loc[idx, "y"].str.len() == 2).any())
        y = _century(named.loc[idx, "y"], None if year_num is None else year_num[idx])
        out[idx] = _build(y, month[idx], named.loc[idx, "d"])
        kinds.append(label + (" (two-digit years)" if two_digit else ""))
        todo[idx] = False

    ambiguous = 0
    if todo.any():
        numeric = text[todo].str.extract(_NUMERIC)
        found = numeric["y"].notna()
        if found.any():
            idx = found[found].index
            a = pd.to_numeric(numeric.loc[idx, "a"])
            b = pd.to_numeric(numeric.loc[idx, "b"])
            y = _century(numeric.loc[idx, "y"], None if year_num is None else year_num[idx])
            proves_dmy, proves_mdy = a > 12, b > 12
            if order == "dmy":
                day_first = pd.Series(True, index=idx)
                label = "day-first (DD/MM/YYYY, as stated)"
            elif order == "mdy":
                day_first = pd.Series(False, index=idx)
                label = "month-first (MM/DD/YYYY, as stated)"
            elif proves_dmy.any() and not proves_mdy.any():
                day_first = pd.Series(True, index=idx)
                label = (
                    f"day-first (DD/MM/YYYY: {int(proves_dmy.sum()):,} dates have a day above 12)"
                )
            elif proves_mdy.any() and not proves_dmy.any():
                day_first = pd.Series(False, index=idx)
                label = (
                    f"month-first (MM/DD/YYYY: {int(proves_mdy.sum()):,} dates have a day above 12)"
                )
            else:
                # No proof either way, or proof of both: each row decides only for itself.
                day_first = proves_dmy
                undecided = (a <= 12) & (b <= 12) & (a != b)
                ambiguous = int(undecided.sum())
                # ``text`` has a RangeIndex (read_dates resets it): labels are positions.
                for pos in idx[undecided.to_numpy()].tolist():
                    problems[int(pos)] = (
                        f"{text[pos]!r} is ambiguous: day-first and month-first read different "
                        "dates and nothing in the column decides (state the order: dmy or mdy)"
                    )
                both = proves_dmy.any() and proves_mdy.any()
                label = (
                    "mixed day-first and month-first (each row read by its own evidence)"
                    if both
                    else "numeric, order undecided (no day above 12)"
                )
            day = a.where(day_first, b)
            month = b.where(day_first, a)
            out[idx] = _build(y, month, day)
            kinds.append(label)

    if year_num is not None:
        got = out.dt.year
        wrong = got.notna() & year_num.notna() & (got != year_num)
        for pos in np.flatnonzero(wrong.to_numpy()).tolist():
            read: Any = out.iat[pos]  # a Timestamp (the row has a year)
            problems.setdefault(
                pos,
                f"{text.iat[pos]!r} reads as {read:%Y-%m-%d}, but the row's year is "
                f"{int(year_num.to_numpy(dtype=float)[pos])}",
            )
    for pos in problems:
        out.iat[pos] = pd.NaT
    return DateColumn(out.dt.normalize(), "; ".join(kinds), problems, ambiguous)
