"""Vectorised validation of incident tables.

Every input path (one record typed by hand, a 1M-row ACLED file) goes through
:func:`validate_frame`, so the rules live in one place and run as column operations.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .exc import RowError
from .schema import CLAIM_STATUSES, COLUMNS, COUNT_COLUMNS, GEO_PRECISIONS, TIME_PRECISIONS
from .taxonomy import DISORDER_TYPES, EVENT_TYPES, SUB_EVENT_TYPES, default_disorder_type

__all__ = [
    "EARLIEST_DATE",
    "MAX_TEXT",
    "MAX_WHOLE",
    "ValidationReport",
    "parse_dates",
    "validate_frame",
    "validate_groups",
]

EARLIEST_DATE = pd.Timestamp("1900-01-01")
#: Largest whole number accepted in a count or code column (beyond it floats lose units).
MAX_WHOLE = 2**53
#: Longest text accepted in one cell (characters); longer cells are rejected, not cut.
MAX_TEXT = 100_000
_BOUNDS = {
    "fatalities": ("fatalities_low", "fatalities_high"),
    "injured": ("injured_low", "injured_high"),
}
_PAIR = "\x1f"
_VALID_PAIRS = {e + _PAIR + s for e, subs in SUB_EVENT_TYPES.items() for s in subs}
assert not any(_PAIR in name for e, subs in SUB_EVENT_TYPES.items() for name in (e, *subs))
#: Required columns that may be empty in the input: they have a default or are derived.
_DEFAULTED = ("disorder_type", "claim_status", "time_precision", "geo_precision")


@dataclass
class ValidationReport:
    """The rows that passed (canonical columns and dtypes) and one error per rejected row."""

    valid: pd.DataFrame
    errors: list[RowError] = field(default_factory=list)
    #: 1-based input line of each valid row, aligned with ``valid``.
    lines: pd.Series | None = None


#: An ISO date with a time (and maybe a zone): the date as written is the event's date.
_DATE_TIME = (
    r"^(\d{4}-\d{2}-\d{2})[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|[+-]\d{2}(?::?\d{2})?)?$"
)


def parse_dates(values: pd.Series) -> pd.Series:
    """Parse ISO dates (``2025-07-03``, also with a time and zone: the date as written) and
    ACLED's long form (``03 July 2025``); NaT when neither."""
    text = values.astype("string").str.strip()
    parsed = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
    missing = parsed.isna() & text.notna()
    if missing.any():
        text = text.str.replace(_DATE_TIME, r"\1", regex=True)
        parsed[missing] = pd.to_datetime(text[missing], format="%Y-%m-%d", errors="coerce")
        still = parsed.isna() & text.notna()
        if still.any():
            parsed[still] = pd.to_datetime(text[still], format="%d %B %Y", errors="coerce")
        still = parsed.isna() & text.notna()
        if still.any():
            parsed[still] = _iso_dates(text[still])
    return parsed.dt.normalize()


def _iso_dates(text: pd.Series) -> pd.Series:
    """Other ISO 8601 forms (``20250703``...), one by one; NaT for anything else (time zones
    in odd places, out-of-range years)."""
    out = []
    for value in text.tolist():
        try:
            stamp = pd.to_datetime(value, format="ISO8601")
        except (ValueError, OverflowError, TypeError):
            stamp = pd.NaT
        if stamp is not pd.NaT and stamp.tzinfo is not None:
            stamp = stamp.tz_localize(None)
        out.append(stamp)
    return pd.Series(out, index=text.index, dtype="datetime64[s]")


def _text(values: pd.Series) -> pd.Series:
    """Text with surrounding whitespace trimmed and byte order marks (U+FEFF: invisible, left
    by files joined or saved by some editors) removed; empty text is missing."""
    out = values.astype("string").str.replace("\ufeff", "", regex=False).str.strip()
    return out.mask(out == "")


def _number(values: pd.Series, text: pd.Series | None = None) -> pd.Series:
    """Numbers of a column (NaN where empty or not a number); ``text`` is its :func:`_text`
    when already known."""
    if pd.api.types.is_numeric_dtype(values):
        return values.astype("float64")
    if text is not None and not text.notna().any():  # an empty column (common): all NaN
        return pd.Series(np.nan, index=text.index, name=text.name, dtype="float64")
    return pd.to_numeric(_text(values) if text is None else text, errors="coerce").astype("float64")


@dataclass
class _Texts:
    """:func:`_text` of many columns, computed in one pass over all of them (the per-call
    cost of pandas, not the rows, is what a small part pays)."""

    #: ``_text`` of each column.
    text: dict[str, pd.Series]
    #: Missing or only whitespace in the input (``astype("string").str.strip() == ""``).
    blank: dict[str, np.ndarray]
    #: Of the first ``checked`` columns: holds a NUL character; longer than MAX_TEXT.
    nul: dict[str, np.ndarray]
    long: dict[str, np.ndarray]


def _as_strings(raw: dict[str, pd.Series], names: list[str]) -> tuple[list[str], list[pd.Series]]:
    """The columns as ``string`` series, those of one text dtype stacked and converted by one
    call (a value's text does not depend on its neighbours); their names in that order."""
    groups: dict[object, list[str]] = {}
    for name in names:
        dtype = raw[name].dtype
        text = isinstance(dtype, pd.StringDtype) or dtype == np.dtype(object)
        groups.setdefault(dtype if text else name, []).append(name)
    order: list[str] = []
    pieces = []
    for members in groups.values():
        block = pd.concat([raw[m] for m in members], ignore_index=True)
        pieces.append(block.astype("string"))
        order += members
    return order, pieces


def _texts(raw: dict[str, pd.Series], names: list[str], checked: int) -> _Texts:
    """The columns ``names`` as :func:`_text` would give each, from one stacked series; NUL
    and length checks on the first ``checked`` of them."""
    if not names:
        return _Texts({}, {}, {}, {})
    index = raw[names[0]].index
    n = len(index)
    first, pieces = _as_strings(raw, names[:checked])
    rest, more = _as_strings(raw, names[checked:])
    names = first + rest  # grouped by dtype: the first ``checked`` are still the checked ones
    stacked = pd.concat(pieces + more, ignore_index=True)
    bom = stacked.str.contains("\ufeff", regex=False).to_numpy(dtype=bool, na_value=False)
    # U+FEFF is not whitespace: a cell holding one is never blank, even once it is removed.
    if bom.any():
        stacked = stacked.str.replace("\ufeff", "", regex=False)
    stacked = stacked.str.strip()
    # (masks as numpy arrays: pandas' nullable booleans and integers cost more than the text)
    stacked = stacked.mask((stacked == "").to_numpy(dtype=bool, na_value=False))
    missing = stacked.isna().to_numpy() & ~bom
    nul = np.zeros(0, dtype=bool)
    long = np.zeros(0, dtype=bool)
    if checked:
        head = stacked.iloc[: checked * n]
        nul = head.str.contains("\x00", regex=False).to_numpy(dtype=bool, na_value=False)
        length = pc.utf8_length(pa.array(head.array, type=pa.large_string()))
        long = pc.fill_null(pc.greater(length, MAX_TEXT), False).to_numpy(zero_copy_only=False)
    values = stacked.array
    out = _Texts({}, {}, {}, {})
    for k, name in enumerate(names):
        part = slice(k * n, (k + 1) * n)
        out.text[name] = pd.Series(values[part], index=index, name=raw[name].name, copy=False)
        out.blank[name] = missing[part]
        if k < checked:
            out.nul[name], out.long[name] = nul[part], long[part]
    return out


class _Collector:
    """Collects the first error of each row, in row order."""

    def __init__(self, n: int, lines: np.ndarray, ids: pd.Series):
        self.bad = np.zeros(n, dtype=bool)
        self.found: dict[int, RowError] = {}
        self.lines = lines
        self.ids = ids

    def flag(self, mask: pd.Series | np.ndarray, column: str, message) -> None:
        mask = np.asarray(mask, dtype=bool) & ~self.bad
        for pos in np.flatnonzero(mask).tolist():
            text = message(pos) if callable(message) else message
            ident: Any = self.ids.iat[pos]  # a pandas scalar: str or NA
            self.found[pos] = RowError(
                int(self.lines[pos]), column, text, None if pd.isna(ident) else str(ident)
            )
        self.bad |= mask


def _show(value: object, limit: int = 60) -> str:
    text = repr(str(value))
    return text if len(text) <= limit else text[: limit - 4] + "...'"


def _check_sources(raw: pd.Series, col: _Collector) -> pd.Series:
    """Parse the JSON ``sources`` column; each entry needs an outlet, URLs must be http(s)."""
    out = pd.Series(pd.NA, index=raw.index, dtype="string")
    present = raw.notna()
    for pos in np.flatnonzero(present.to_numpy()).tolist():
        text = str(raw.iat[pos])
        problem = _source_problem(text)
        if problem:
            col.flag(_one(len(raw), pos), "sources", problem)
        else:
            out.iat[pos] = json.dumps(json.loads(text), ensure_ascii=False, sort_keys=True)
    return out


def _source_problem(text: str) -> str | None:
    try:
        items = json.loads(text)
    except json.JSONDecodeError as err:
        return f"not valid JSON ({err.msg} at character {err.pos})"
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        return "must be a JSON list of objects"
    for n, item in enumerate(items, 1):
        if not str(item.get("outlet") or "").strip():
            return f"source {n} has no outlet"
        url = item.get("url")
        if url not in (None, "") and urlsplit(str(url)).scheme.lower() not in ("http", "https"):
            return f"source {n}: only http(s) URLs are accepted, got {_show(url)}"
        published = item.get("published")
        if published not in (None, "") and pd.isna(
            pd.to_datetime(str(published), errors="coerce", format="ISO8601")
        ):
            return f"source {n}: published {_show(published)} is not an ISO date"
    return None


def _day(stamp: object) -> str:
    """YYYY-MM-DD of any timestamp, even one outside Python's dates (year -1559)."""
    assert isinstance(stamp, pd.Timestamp)  # a parsed date that compared as out of range
    return f"{stamp.year:04d}-{stamp.month:02d}-{stamp.day:02d}"


def _one(n: int, pos: int) -> np.ndarray:
    mask = np.zeros(n, dtype=bool)
    mask[pos] = True
    return mask


def _check_required(raw: dict[str, pd.Series], col: _Collector, texts: _Texts) -> None:
    """Required values present (precisions and claim status have defaults, disorder is derived)."""
    for c in COLUMNS:
        if c.required and c.name not in _DEFAULTED:
            missing = _blank(raw, texts, c.name)
            hint = (
                " (or import with a geocoder to place the row from its location)"
                if c.kind == "float"
                else ""
            )
            col.flag(missing, c.name, "is required" + hint)


def _blank(raw: dict[str, pd.Series], texts: _Texts, name: str) -> np.ndarray:
    """Missing or only whitespace (a number or a date is never only whitespace)."""
    if name in texts.blank:
        return texts.blank[name]
    return raw[name].isna().to_numpy()


def _check_text(col: _Collector, out: dict[str, pd.Series], texts: _Texts) -> None:
    for c in COLUMNS:
        if c.kind == "text":
            out[c.name] = texts.text[c.name]
            col.flag(texts.long[c.name], c.name, f"longer than {MAX_TEXT:,} characters")
        if c.kind in ("text", "json"):
            col.flag(texts.nul[c.name], c.name, "holds a NUL character (binary data, not text)")


def _check_unique(ids: pd.Series, col: _Collector) -> None:
    dup = ids.duplicated(keep="first") & ids.notna()
    col.flag(dup, "event_id", lambda p: f"{_show(ids.iat[p])} appears more than once in the input")


def _check_dates(
    raw: dict[str, pd.Series],
    col: _Collector,
    out: dict[str, pd.Series],
    today: pd.Timestamp,
    texts: _Texts,
) -> None:
    """``event_date`` (required) and ``event_date_end`` (optional, not before the start)."""
    for name, required in (("event_date", True), ("event_date_end", False)):
        text = raw[name]
        dates = parse_dates(text)
        unread = dates.isna() if required else dates.isna() & texts.text[name].notna()
        col.flag(
            unread,
            name,
            lambda p, text=text: (
                f"{_show(text.iat[p])} is not a date (use YYYY-MM-DD or '03 July 2025')"
            ),
        )
        col.flag(dates < EARLIEST_DATE, name, lambda p, d=dates: f"{_day(d.iat[p])} is before 1900")
        col.flag(dates > today, name, lambda p, d=dates: f"{_day(d.iat[p])} is in the future")
        out[name] = dates
    start, end = out["event_date"], out["event_date_end"]
    col.flag(
        (end < start).fillna(False),
        "event_date_end",
        lambda p: f"{_day(end.iat[p])} is before event_date {_day(start.iat[p])}",
    )


def _check_codes(
    raw: dict[str, pd.Series], col: _Collector, out: dict[str, pd.Series], texts: _Texts
) -> None:
    """Integers with a fixed set of values (time precision defaults to 1, the exact day)."""
    for name, allowed, default in (
        ("time_precision", TIME_PRECISIONS, 1),
        ("geo_precision", GEO_PRECISIONS, None),
    ):
        number = _number(raw[name], texts.text.get(name))
        if default is not None:
            number = number.fillna(default)
        bad = ~number.isin(allowed)
        col.flag(
            bad,
            name,
            lambda p, name=name, allowed=allowed: (
                f"{_show(raw[name].iat[p])} is not one of {allowed}"
            ),
        )
        out[name] = number.where(~bad).astype("Int64")


def _check_taxonomy(col: _Collector, out: dict[str, pd.Series]) -> None:
    """ACLED's event and sub-event types; the disorder type is derived when empty."""
    event_type, sub_type = out["event_type"], out["sub_event_type"]
    col.flag(
        event_type.notna() & ~event_type.isin(EVENT_TYPES),
        "event_type",
        lambda p: f"{_show(event_type.iat[p])} is not an ACLED event type",
    )
    # each (event type, sub-event type) as one text: no name holds the separator
    pairs = event_type.fillna("") + _PAIR + sub_type.fillna("")
    col.flag(
        sub_type.notna() & ~pairs.isin(_VALID_PAIRS),
        "sub_event_type",
        lambda p: f"{_show(sub_type.iat[p])} is not a sub-event type of {_show(event_type.iat[p])}",
    )
    disorder = out["disorder_type"]
    known = {name: default_disorder_type(name) for name in sub_type.dropna().unique()}
    derived = sub_type.map(known, na_action="ignore").astype("string")
    disorder = disorder.fillna(derived)
    col.flag(
        disorder.notna() & ~disorder.isin(DISORDER_TYPES),
        "disorder_type",
        lambda p: f"{_show(disorder.iat[p])} is not an ACLED disorder type",
    )
    out["disorder_type"] = disorder


def _check_coordinates(
    raw: dict[str, pd.Series], col: _Collector, out: dict[str, pd.Series], texts: _Texts
) -> None:
    for name, limit in (("latitude", 90.0), ("longitude", 180.0)):
        number = _number(raw[name], texts.text.get(name))
        col.flag(
            raw[name].notna() & number.isna(),
            name,
            lambda p, name=name: f"{_show(raw[name].iat[p])} is not a number",
        )
        col.flag(
            (number.abs() > limit) | np.isinf(number),
            name,
            lambda p, number=number, limit=limit: (
                f"{number.iat[p]} is outside -{limit:g}..{limit:g}"
            ),
        )
        out[name] = number


def _check_counts(
    raw: dict[str, pd.Series], col: _Collector, out: dict[str, pd.Series], texts: _Texts
) -> None:
    """Counts and codes: whole, non-negative; and low <= best <= high for every figure."""
    names = (*COUNT_COLUMNS, "iso", "geonames_id")
    numbers = [_number(raw[name], texts.text.get(name)).to_numpy() for name in names]
    table = np.column_stack(numbers)
    nan = np.isnan(table)
    with np.errstate(invalid="ignore"):
        negative = table < 0
        huge = np.abs(table) > MAX_WHOLE
        fraction = ~nan & (table != np.floor(table))
    kept = np.where(huge, np.nan, table).round()
    for k, name in enumerate(names):
        number = numbers[k]
        col.flag(
            ~_blank(raw, texts, name) & nan[:, k],
            name,
            lambda p, name=name: f"{_show(raw[name].iat[p])} is not a number",
        )
        col.flag(negative[:, k], name, lambda p, number=number: f"{number[p]:g} is negative")
        col.flag(huge[:, k], name, lambda p, name=name: f"{_show(raw[name].iat[p])} is too large")
        col.flag(
            fraction[:, k],
            name,
            lambda p, number=number: f"{number[p]:g} is not a whole number",
        )
        out[name] = pd.Series(kept[:, k], index=raw[name].index).astype("Int64")
    where = {name: k for k, name in enumerate(names)}
    for best, (low, high) in _BOUNDS.items():
        b, lo, hi = out[best], out[low], out[high]
        # NaN (empty or rejected) compares False, as a missing figure bounds nothing.
        vb, vlo, vhi = (kept[:, where[name]] for name in (best, low, high))
        with np.errstate(invalid="ignore"):
            above, below, crossed = vlo > vb, vb > vhi, vlo > vhi
        col.flag(
            above,
            low,
            lambda p, b=b, lo=lo, low=low, best=best: (
                f"{low} {lo.iat[p]} is greater than {best} {b.iat[p]}"
            ),
        )
        col.flag(
            below,
            high,
            lambda p, b=b, hi=hi, high=high, best=best: (
                f"{high} {hi.iat[p]} is less than {best} {b.iat[p]}"
            ),
        )
        col.flag(
            crossed,
            high,
            lambda p, lo=lo, hi=hi, high=high, low=low: (
                f"{high} {hi.iat[p]} is less than {low} {lo.iat[p]}"
            ),
        )


def _check_claims(col: _Collector, out: dict[str, pd.Series]) -> None:
    """A claim status (default confirmed); claimed and disputed incidents name who claims."""
    status = out["claim_status"].str.lower().fillna("confirmed")
    col.flag(
        ~status.isin(CLAIM_STATUSES),
        "claim_status",
        lambda p: f"{_show(status.iat[p])} is not one of {CLAIM_STATUSES}",
    )
    col.flag(
        status.isin(("claimed", "disputed")) & out["claimed_by"].isna(),
        "claimed_by",
        lambda p: f"a {status.iat[p]} incident must say who claims it",
    )
    out["claim_status"] = status


def _text_columns(raw: dict[str, pd.Series]) -> tuple[list[str], int]:
    """The columns read as text (every text and JSON column first, then the dates and the
    numbers given as text) and how many of them are text or JSON."""
    checked = [c.name for c in COLUMNS if c.kind in ("text", "json")]
    others = [
        c.name
        for c in COLUMNS
        if c.kind == "date" or (c.kind not in ("text", "json") and _as_text(raw[c.name]))
    ]
    return checked + others, len(checked)


def _as_text(values: pd.Series) -> bool:
    return not pd.api.types.is_numeric_dtype(values)


def validate_frame(
    frame: pd.DataFrame,
    *,
    lines: pd.Series | np.ndarray | None = None,
    today: dt.date | None = None,
) -> ValidationReport:
    """Check every rule of the data model on a table of incidents.

    ``frame`` may hold text (as read from a file) or typed values; missing optional
    columns are added empty. ``lines`` gives each row's line number in its file for error
    messages (default: 1, 2, 3...). Returns the valid rows with canonical dtypes and one
    :class:`RowError` per rejected row (the first rule it breaks, in the order of the checks).
    """
    n = len(frame)
    frame = frame.reset_index(drop=True)
    line_arr = np.arange(1, n + 1) if lines is None else np.asarray(lines)
    empty = pd.Series(pd.NA, index=frame.index, dtype="string")
    raw = {c.name: frame[c.name] if c.name in frame.columns else empty for c in COLUMNS}
    texts = _texts(raw, *_text_columns(raw))
    ids = texts.text["event_id"]
    col = _Collector(n, line_arr, ids)
    out: dict[str, pd.Series] = {}

    _check_required(raw, col, texts)
    _check_text(col, out, texts)
    _check_unique(ids, col)
    _check_dates(raw, col, out, pd.Timestamp(today or dt.date.today()), texts)
    _check_codes(raw, col, out, texts)
    _check_taxonomy(col, out)
    _check_coordinates(raw, col, out, texts)
    _check_counts(raw, col, out, texts)
    _check_claims(col, out)
    out["sources"] = _check_sources(texts.text["sources"], col)

    typed = pd.DataFrame({c.name: out[c.name] for c in COLUMNS})
    keep = ~col.bad
    return ValidationReport(
        valid=typed[keep].reset_index(drop=True),
        errors=[col.found[p] for p in sorted(col.found)],
        lines=pd.Series(line_arr[keep]),
    )


def validate_groups(
    frame: pd.DataFrame, *, lines: pd.Series | np.ndarray | None = None
) -> ValidationReport:
    """Check shared casualty figures: an id, whole non-negative counts, low <= best <= high."""
    from .schema import GROUP_COLUMNS

    n = len(frame)
    frame = frame.reset_index(drop=True)
    line_arr = np.arange(1, n + 1) if lines is None else np.asarray(lines)
    empty = pd.Series(pd.NA, index=frame.index, dtype="string")
    raw = {name: frame[name] if name in frame.columns else empty for name in GROUP_COLUMNS}
    ids = _text(raw["group_id"])
    col = _Collector(n, line_arr, ids)
    col.flag(ids.isna(), "group_id", "is required")
    col.flag(
        ids.duplicated() & ids.notna(),
        "group_id",
        lambda p: f"{_show(ids.iat[p])} appears more than once",
    )
    out: dict[str, pd.Series] = {"group_id": ids, "description": _text(raw["description"])}
    for name in COUNT_COLUMNS:
        number = _number(raw[name])
        bad = (number < 0) | (number.abs() > MAX_WHOLE) | (number != np.floor(number))
        col.flag(
            bad & number.notna(),
            name,
            lambda p, number=number: f"{number.iat[p]:g} is not a whole non-negative number",
        )
        out[name] = number.where(~bad).round().astype("Int64")
    for best, (low, high) in _BOUNDS.items():
        b, lo, hi = out[best], out[low], out[high]
        col.flag(
            ((lo > b) | (b > hi) | (lo > hi)).fillna(False),
            best,
            lambda p, b=b, lo=lo, hi=hi: (
                f"need low <= best <= high, got {lo.iat[p]}, {b.iat[p]}, {hi.iat[p]}"
            ),
        )
    out["sources"] = _check_sources(_text(raw["sources"]), col)
    typed = pd.DataFrame({name: out[name] for name in GROUP_COLUMNS})
    keep = ~col.bad
    return ValidationReport(
        typed[keep].reset_index(drop=True),
        [col.found[p] for p in sorted(col.found)],
        pd.Series(line_arr[keep]),
    )
