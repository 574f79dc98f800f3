"""Big CSV files read in parts, so an import holds one part in memory, never the whole file.

:func:`open_stream` returns a :class:`Stream` for a CSV (ACLED, UCDP, ours, or any table
through a column mapping) larger than ``chunk_bytes``, and None for anything else (a small
file, JSON, a workbook, UTF-16: :func:`incidents.formats.read_incidents` reads those whole).

- **Parts** end at a record boundary: a line break outside quotes (the quotes before it are
  even in number), so a quoted note with line breaks is never cut. Each part is read by the
  format's own reader with the header line put back in front; its rows keep their line
  numbers in the file.
- **Encoding, delimiter, format** are decided on the first part, as for a whole file. Each
  part is then decoded by the same rules (UTF-8; stray bytes read as Windows-1252; a file
  that is not UTF-8 as its code page); the encodings met are reported.
- **A first pass** reads only the date, year and id columns of the whole file.
- **Dates**: the day-first or month-first convention of each date column is decided on the
  whole column before any row is read: the first pass keeps the distinct values of the
  date columns and ``year`` (a few thousand at a million rows). Every part
  is then read with the convention decided, so no part can decide otherwise than the whole
  file would, and the convention reported is the column's.
- **Repeated ids** across parts: the first pass finds the ids that appear more than once
  (64-bit digests); only their rows are remembered, as digests (:class:`._rows.SeenIds`).
  Identical copies are dropped; rows that differ are rejected naming the line kept and the
  column that differs (rows of one id in different parts are not merged).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..dates import DateOrder, read_dates
from ..exc import ImportFormatError
from . import acled, ours_csv, ucdp
from ._rows import SeenIds, Tally, finish, id_keys
from ._table import (
    BOM,
    MAX_HEADER,
    TableShape,
    _decode,
    _is_utf8,
    csv_shape,
    read_csv_table,
)
from ._workbook import is_workbook
from .acled import AcledZeros
from .mapped import ColumnMapping, apply_mapping
from .result import ReadResult

__all__ = ["CHUNK_BYTES", "Stream", "open_stream", "record_parts"]

#: Bytes of the file read at a time (about 100,000 ACLED rows).
CHUNK_BYTES = 64 * 2**20
_READERS = {"csv": ours_csv, "acled": acled, "ucdp": ucdp}
#: Where each reader finds the dates and the year, in the file's own column names.
_ID_SOURCES = {"acled": "event_id_cnty", "ucdp": "id", "csv": "event_id"}
_DATE_SOURCES = {
    "acled": {"event_date": "event_date"},
    "ucdp": {"event_date": "date_start", "event_date_end": "date_end"},
    "csv": {"event_date": "event_date", "event_date_end": "event_date_end"},
}


def record_parts(path: Path, chunk_bytes: int, *, prefix: bytes = b"") -> Iterator[bytes]:
    """The file in pieces of about ``chunk_bytes``, each ending at a record boundary (a line
    break outside quotes) or at the end of the file. Every piece but the first starts with
    ``prefix`` (a header line for the reader), put there in the same copy as the piece."""
    with open(path, "rb") as handle:
        # read into the same memory each time (fresh pages cost page faults)
        buffer = bytearray(max(1, min(chunk_bytes, os.fstat(handle.fileno()).st_size)))
        view = memoryview(buffer)
        carry = b""
        lead = b""  # the prefix, from the second piece on
        while True:
            got = handle.readinto(buffer)
            if not got:
                if carry:
                    yield lead + carry
                return
            # The boundary is nearly always in the new block: the part is then copied once.
            cut = _last_boundary(buffer, carry.count(b'"'), end=got)
            if cut >= 0:
                yield b"".join((lead, carry, view[: cut + 1]))
                lead = prefix
                carry = bytes(view[cut + 1 : got])
                continue
            data = b"".join((carry, view[:got]))
            # No boundary in a long stretch (an unclosed quote): hand it on whole, the
            # reader reports the overlong record.
            if len(data) <= 4 * chunk_bytes + MAX_HEADER:
                carry = data
                continue
            yield lead + data
            lead = prefix
            carry = b""


def _last_boundary(data: bytes | bytearray, quotes_before: int = 0, end: int | None = None) -> int:
    """Offset of the last ``\\n`` of ``data[:end]`` with an even number of quotes before it
    (-1 if none), ``quotes_before`` quotes coming before ``data``."""
    quotes_after = 0
    pos = len(data) if end is None else end
    total = quotes_before + data.count(b'"', 0, pos)
    while True:
        nl = data.rfind(b"\n", 0, pos)
        if nl < 0:
            return -1
        quotes_after += data.count(b'"', nl, pos)
        if (total - quotes_after) % 2 == 0:
            return nl
        pos = nl


@dataclass
class Stream:
    """A big CSV being read in parts (see the module doc)."""

    path: Path
    kind: str
    shape: TableShape
    header: bytes
    chunk_bytes: int
    zeros: AcledZeros = "unknown"
    mapping: ColumnMapping | None = None
    date_order: DateOrder = "auto"
    #: What was found about the file, in words (complete once every part is read).
    conventions: dict[str, str] = field(default_factory=dict)
    #: Bytes of the file read so far, and its size (for progress).
    bytes_read: int = 0
    size: int = 0
    _orders: dict[str, DateOrder] = field(default_factory=dict)
    _labels: dict[str, str] = field(default_factory=dict)
    _encodings: dict[str, int] = field(default_factory=dict)
    _bom: bool = False
    #: Digests of the ids the first pass found more than once (None: not known).
    _repeated: np.ndarray | None = None

    @property
    def format(self) -> str:
        return "table" if self.mapping is not None else self.kind

    @property
    def unit(self) -> str:
        return "line"

    # -- parts ---------------------------------------------------------------------------
    def _decoded_parts(self) -> Iterator[tuple[bytes, int, bool]]:
        """(UTF-8 text of a part with the header in front, line of its first row in the
        file minus the header's, whether it is the first part)."""
        line = 1
        first = True
        prefix = self._prefix
        for raw in self._raw_parts():
            start = 0 if first else len(prefix)  # the file's own bytes begin here
            self.bytes_read += len(raw) - start
            if first and raw.startswith(BOM):
                raw, start = raw[len(BOM) :], 0
            nul = raw.find(b"\x00", start)
            if nul >= 0:
                at = line + raw.count(b"\n", start, nul)
                raise ImportFormatError(
                    "not a CSV or GeoJSON table: the file holds binary data "
                    f"(a NUL byte on line {at})"
                )
            if not start:
                text, encoding = _decode(raw)
            elif _is_utf8(raw):
                text, encoding = raw, "UTF-8"
            else:  # the header line is UTF-8 already: decode the file's bytes only
                body, encoding = _decode(raw[start:])
                text = prefix + body
            self._encodings[encoding] = self._encodings.get(encoding, 0) + 1
            if b"\n" + BOM in text:
                text = text.replace(b"\n" + BOM, b"\n")
            yield text, 0 if first else line - 2, first
            line += raw.count(b"\n", start)
            first = False

    @property
    def _prefix(self) -> bytes:
        """What a part after the first starts with: the header line (already UTF-8)."""
        return self.header + b"\n"

    def _raw_parts(self) -> Iterator[bytes]:
        """:func:`record_parts` (with the header line in front of every part but the first),
        the first one holding at least the header, the rows under it that are skipped (HXL)
        and a row."""
        head = b""
        need = 2 + self.shape.skip
        prefix = self._prefix
        parts = record_parts(self.path, self.chunk_bytes, prefix=prefix)
        for raw in parts:
            head += raw[len(prefix) :] if head else raw
            if head.count(b"\n") >= need:
                break
        if head:
            yield head
        yield from parts

    def _read_part(self, data: bytes, first: bool) -> ReadResult:
        shape = self.shape if first else dataclasses.replace(self.shape, skip=0)
        if self.mapping is not None:
            frame, lines, errors = read_csv_table(data, shape, shape.names)
            return apply_mapping(frame, lines, self.mapping, errors)
        if self.kind == "acled":
            return acled.read(data, shape, zeros=self.zeros)
        return _READERS[self.kind].read(data, shape)

    def _date_columns(self) -> dict[str, str]:
        if self.mapping is not None:
            found = {
                ours: theirs.strip().lower()
                for ours, theirs in self.mapping.columns.items()
                if ours in ("event_date", "event_date_end")
            }
        else:
            found = dict(_DATE_SOURCES[self.kind])
        return {ours: theirs for ours, theirs in found.items() if theirs in self.shape.names}

    def _id_column(self) -> str | None:
        if self.mapping is not None:
            theirs = self.mapping.columns.get("event_id")
            name = theirs.strip().lower() if theirs else None
        else:
            name = _ID_SOURCES[self.kind]
        return name if name in self.shape.names else None

    def _ids(self, values: pd.Series) -> pd.Series:
        """The ids a reader makes of the id column's text."""
        if self.kind == "ucdp" and self.mapping is None:
            return "UCDP-" + ucdp.code(values)
        return values.astype("string")

    def first_pass(self) -> None:
        """Read only the date and id columns of the whole file: decide each date column's
        convention on all its values, and find the ids that appear more than once."""
        columns = self._date_columns() if self.date_order == "auto" else {}
        year = "year" if "year" in self.shape.names and self.mapping is None else None
        ident = self._id_column()
        names = set(columns.values()) | ({year} if year and columns else set())
        wanted = sorted(names | ({ident} if ident else set()))
        if not wanted:
            return
        distinct: pd.DataFrame | None = None
        keys: list[np.ndarray] = []
        for data, _line, first in self._decoded_parts():
            shape = self.shape if first else dataclasses.replace(self.shape, skip=0)
            frame, _lines, _errors = read_csv_table(data, shape, wanted)
            if ident is not None:
                ids = self._ids(frame[ident])
                keys.append(id_keys(ids[ids.notna()]))
            if columns:
                dates = sorted(set(columns.values()) | ({year} if year else set()))
                part = frame[dates].astype("string").drop_duplicates()
                distinct = (
                    part if distinct is None else pd.concat([distinct, part]).drop_duplicates()
                )
        self.bytes_read = 0
        self._encodings.clear()
        if ident is not None:
            every = np.sort(np.concatenate(keys)) if keys else np.empty(0, dtype=np.uint64)
            self._repeated = np.unique(every[1:][every[1:] == every[:-1]])
        if distinct is None:
            return
        for ours, theirs in columns.items():
            years = distinct[year] if year and ours == "event_date" else None
            found = read_dates(distinct[theirs], order=self.date_order, years=years)
            label = found.convention
            if "day-first (DD/MM/YYYY:" in label:
                self._orders[ours] = "dmy"
            elif "month-first (MM/DD/YYYY:" in label:
                self._orders[ours] = "mdy"
            else:
                self._orders[ours] = self.date_order
            if label:
                checked = " (checked against the year column)" if years is not None else ""
                self._labels[ours] = label + checked

    def parts(self) -> Iterator[ReadResult]:
        """Each part's rows in our columns, finished (ids, dates, repeats), not validated."""
        seen = SeenIds(self._repeated)
        tally = Tally()
        for data, offset, first in self._decoded_parts():
            read = self._read_part(data, first)
            if offset:
                read.lines = read.lines + offset
                read.errors = [dataclasses.replace(e, line=e.line + offset) for e in read.errors]
            conventions = dict(read.conventions)
            read = finish(read, date_order=self._orders or self.date_order, seen=seen, tally=tally)
            for key, words in {**read.conventions, **conventions}.items():
                self.conventions.setdefault(key, words)
            self.conventions.update(self._labels)
            tally.describe(self.conventions)
            self.conventions["encoding"] = self._encoding_words()
            read.conventions = self.conventions
            yield read

    def _encoding_words(self) -> str:
        names = [n for n in self._encodings if n != "UTF-8"] or ["UTF-8"]
        if names == ["UTF-8"] and self._bom:
            return "UTF-8 with BOM"
        if len(names) == 1:
            return names[0]
        return "; ".join(f"{n} ({k} part(s) of the file)" for n, k in self._encodings.items())


def open_stream(
    path: Path,
    *,
    format: str = "auto",
    acled_zeros: AcledZeros = "unknown",
    date_order: DateOrder = "auto",
    mapping: ColumnMapping | None = None,
    chunk_bytes: int = CHUNK_BYTES,
) -> Stream | None:
    """A :class:`Stream` over a CSV larger than ``chunk_bytes``, or None (read it whole)."""
    if format not in ("auto", "csv", "acled", "ucdp"):
        return None
    try:
        size = path.stat().st_size
        if not path.is_file() or size <= chunk_bytes:
            return None
        with open(path, "rb") as handle:
            head = handle.read(min(chunk_bytes, 4 * 2**20) + MAX_HEADER)
    except OSError:
        return None
    if is_workbook(path, head[:8]) or head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None
    bom = head.startswith(BOM)
    body = head[len(BOM) :] if bom else head
    if body.lstrip()[:1] in (b"{", b"[") or b"\x00" in body[:4096]:
        return None
    end = body.find(b"\n")
    if end < 0:
        return None
    second = body.find(b"\n", end + 1)
    sample, _encoding = _decode(body[: second + 1] if second >= 0 else body)
    shape = csv_shape(sample)
    first_line = sample.split(b"\n", 1)[0].rstrip(b"\r")
    if mapping is not None:
        kind = "csv"
    else:
        from . import _csv_kind

        kind = _csv_kind(shape.names) if format == "auto" else format
    for module, name in ((acled, "acled"), (ucdp, "ucdp"), (ours_csv, "csv")):
        if kind == name and mapping is None:
            from .result import require

            require(shape.names, module.REQUIRED, module.NAME)
    stream = Stream(
        path,
        kind,
        shape,
        first_line,
        chunk_bytes,
        zeros=acled_zeros,
        mapping=mapping,
        date_order=date_order,
        size=size,
    )
    stream._bom = bom
    stream.conventions.update(encoding="UTF-8 with BOM" if bom else "UTF-8")
    stream.conventions["delimiter"] = shape.described
    return stream
