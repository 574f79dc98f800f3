"""Low-level reading shared by every format: bytes, encodings, sniffing, CSV with line numbers.

CSV tables are parsed by pyarrow (multi-threaded, every column as text). Line numbers: when
the file has exactly one physical line per row (no quoted multi-line cells, no blank lines,
checked by counting newlines, which is a ``memchr`` over the bytes) row *i* is on line
``i + 2``. Otherwise one extra pass of Python's :mod:`csv` module over the text records the
first line of every record, so errors name the line where the record starts.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from ..exc import ImportFormatError, RowError

__all__ = [
    "BLOCK_SIZE",
    "MAX_HEADER",
    "csv_header",
    "decode_text",
    "line_of_offset",
    "load_bytes",
    "read_csv_table",
]

#: Largest CSV row we parse (bytes). A cell holds at most 100,000 characters, so a longer
#: row cannot be valid; a hostile file with one huge line fails fast instead of eating memory.
BLOCK_SIZE = 16 * 2**20
#: Longest header line we accept.
MAX_HEADER = 2**20
_HEAD = 64 * 1024
BOM = b"\xef\xbb\xbf"

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"PK\x03\x04", "a ZIP archive (or an Excel .xlsx/.ods file: save it as CSV UTF-8)"),
    (b"PK\x05\x06", "an empty ZIP archive"),
    (b"\x1f\x8b", "a gzip archive (decompress it first)"),
    (b"BZh", "a bzip2 archive (decompress it first)"),
    (b"\xfd7zXZ\x00", "an xz archive (decompress it first)"),
    (b"7z\xbc\xaf\x27\x1c", "a 7z archive"),
    (b"%PDF", "a PDF document"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Office file (.xls): save it as CSV UTF-8"),
    (b"GIF8", "a GIF image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"PAR1", "a Parquet file"),
    (b"\xff\xfe", "UTF-16 text: save it as UTF-8"),
    (b"\xfe\xff", "UTF-16 text: save it as UTF-8"),
)


def line_of_offset(data: bytes, offset: int) -> int:
    """1-based line number of a byte offset."""
    return data.count(b"\n", 0, offset) + 1


def _not_utf8(data: bytes, err: UnicodeDecodeError, base: int = 0) -> ImportFormatError:
    offset = base + err.start
    line = data.count(b"\n", 0, offset) + 1
    return ImportFormatError(
        f"line {line} is not UTF-8 (byte 0x{data[offset]:02x}); save the file as UTF-8 "
        "(in Excel: 'CSV UTF-8'; with iconv: iconv -f latin1 -t utf-8)"
    )


def load_bytes(path: str | Path) -> bytes:
    """The file's bytes without a UTF-8 BOM, after checking it is text at all.

    Raises :class:`ImportFormatError` for a missing or empty file, a binary file (image,
    archive, database...) or a file that is not UTF-8 (checked whole: no reader meets a bad
    byte later).
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ImportFormatError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ImportFormatError(f"{path}: is a directory, not a file") from None
    except OSError as err:
        raise ImportFormatError(f"{path}: cannot be read ({err.strerror})") from None
    if data.startswith(BOM):
        data = data[len(BOM) :]
    if not data.strip():
        raise ImportFormatError(f"{path}: the file is empty")
    head = data[:_HEAD]
    for magic, what in _MAGIC:
        if head.startswith(magic):
            raise ImportFormatError(f"{path}: not a CSV or GeoJSON table: this is {what}")
    nul = data.find(b"\x00")
    if nul >= 0:
        raise ImportFormatError(
            f"{path}: not a CSV or GeoJSON table: the file holds binary data "
            f"(a NUL byte on line {line_of_offset(data, nul)})"
        )
    _check_utf8(path, data)
    # Files joined with `cat` carry the second file's BOM at the start of a line: drop it.
    if b"\n" + BOM in data:
        data = data.replace(b"\n" + BOM, b"\n")
    return data


def _check_utf8(path: Path, data: bytes) -> None:
    """The whole file is UTF-8, or a clear error naming the first line that is not.

    Arrow validates the bytes in place (no copy; about three times Python's decoder), so no
    reader meets a bad byte half-way through a file."""
    offsets = pa.py_buffer(np.array([0, len(data)], dtype=np.int64).tobytes())
    raw = pa.Array.from_buffers(pa.large_binary(), 1, [None, offsets, pa.py_buffer(data)])
    try:
        raw.cast(pa.large_string())
    except pa.ArrowInvalid:
        try:  # the slow way, only for a bad file: Python's decoder names the offset
            data.decode("utf-8")
        except UnicodeDecodeError as err:
            raise _with_path(path, _not_utf8(data, err)) from None


def _with_path(path: Path, err: ImportFormatError) -> ImportFormatError:
    return ImportFormatError(f"{path}: {err}")


def decode_text(data: bytes) -> str:
    """The whole file as text, or :class:`ImportFormatError` naming the first non-UTF-8 line."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise _not_utf8(data, err) from None


def csv_header(data: bytes) -> list[str]:
    """The column names on line 1 (stripped). Raises for a header that is too long or empty."""
    end = data.find(b"\n", 0, MAX_HEADER + 1)
    if end < 0:
        if len(data) > MAX_HEADER:
            raise ImportFormatError(
                f"not a CSV or GeoJSON table: line 1 is longer than {MAX_HEADER // 1024} KiB without a line break"
            )
        end = len(data)
    line = decode_text(data[:end]).rstrip("\r")
    try:
        names = next(csv.reader([line]), [])
    except csv.Error as err:
        raise ImportFormatError(f"not a CSV table: line 1 cannot be read ({err})") from None
    names = [n.strip() for n in names]
    if len(names) < 2:
        raise ImportFormatError(
            "not a CSV or GeoJSON table: line 1 does not name columns separated by commas"
        )
    seen: set[str] = set()
    for name in names:
        if name in seen and name:
            raise ImportFormatError(f"column {name!r} appears twice in the header (line 1)")
        seen.add(name)
    return names


def _physical_lines(data: bytes) -> int:
    n = data.count(b"\n")
    return n if data.endswith(b"\n") else n + 1


def _record_starts(text: str, ncols: int) -> tuple[np.ndarray, np.ndarray]:
    """(first line of every non-blank record after the header, its number of fields)."""
    old = csv.field_size_limit()
    csv.field_size_limit(max(old, BLOCK_SIZE))
    reader = csv.reader(io.StringIO(text, newline=""))
    starts: list[int] = []
    counts: list[int] = []
    try:
        next(reader, None)
        prev = reader.line_num
        for record in reader:
            if record:
                starts.append(prev + 1)
                counts.append(len(record))
            prev = reader.line_num
    except csv.Error as err:
        raise ImportFormatError(f"line {reader.line_num} cannot be read as CSV ({err})") from None
    return np.asarray(starts, dtype=np.int64), np.asarray(counts, dtype=np.int64)


def _python_table(text: str, names: list[str], wanted: list[str]) -> pd.DataFrame:
    """Slow path: every well-formed record read by :mod:`csv` (used only when pyarrow and
    :mod:`csv` disagree on a malformed file)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    next(reader, None)
    idx = [names.index(w) for w in wanted]
    rows = [[r[i] for i in idx] for r in reader if r and len(r) == len(names)]
    frame = pd.DataFrame(rows, columns=wanted, dtype="string")
    return frame.mask(frame.apply(lambda s: s.str.strip() == ""))


def _long_line(data: bytes) -> ImportFormatError:
    ends = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 10)
    bounds = np.concatenate(([-1], ends, [len(data)]))
    lengths = np.diff(bounds) - 1
    over = np.flatnonzero(lengths > BLOCK_SIZE)
    if len(over):
        line = int(over[0]) + 1
        return ImportFormatError(
            f"line {line} is {lengths[over[0]] / 2**20:.0f} MiB long; no valid row is longer than "
            f"{BLOCK_SIZE // 2**20} MiB (a cell holds at most 100,000 characters): not a table we can import"
        )
    return ImportFormatError(
        f"a row is longer than {BLOCK_SIZE // 2**20} MiB (an unclosed quote?): not a table we can import"
    )


def read_csv_table(
    data: bytes, names: list[str], wanted: list[str]
) -> tuple[pd.DataFrame, np.ndarray, list[RowError]]:
    """Read the ``wanted`` columns of a CSV (header ``names`` on line 1) as text.

    Returns the rows (empty cells are NA), each row's 1-based starting line and one
    :class:`RowError` per record with the wrong number of fields (those rows are left out).
    """
    invalid: list[int] = []

    def on_invalid(row) -> str:
        invalid.append(1)
        return "skip"

    def parse(newlines: bool) -> pa.Table:
        return pacsv.read_csv(
            pa.BufferReader(pa.py_buffer(data)),
            # The header's names as csv_header read them (stripped: "a, b" names column "b").
            read_options=pacsv.ReadOptions(
                block_size=BLOCK_SIZE, use_threads=True, column_names=names, skip_rows=1
            ),
            parse_options=pacsv.ParseOptions(
                newlines_in_values=newlines, invalid_row_handler=on_invalid
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.string() for n in names if n},
                include_columns=wanted,
                null_values=[""],
                strings_can_be_null=True,
                quoted_strings_can_be_null=True,
                check_utf8=True,
            ),
        )

    physical = _physical_lines(data)
    try:
        table = parse(newlines=False)
        if (invalid or physical != table.num_rows + 1) and b'"' in data:
            invalid.clear()  # maybe quoted multi-line cells: parse again allowing them
            table = parse(newlines=True)
    except pa.ArrowInvalid as err:
        message = str(err)
        if "UTF8" in message or "UTF-8" in message:
            decode_text(data)  # raises naming the line
        if "straddl" in message or "block" in message:
            raise _long_line(data) from None
        raise ImportFormatError(
            f"not a CSV table we can read: {message.splitlines()[0][:200]}"
        ) from None
    rows = table.num_rows
    frame = table.to_pandas()
    if not invalid and physical == rows + 1:
        return frame, np.arange(2, rows + 2, dtype=np.int64), []
    # Multi-line cells, blank lines or malformed records: find where each record starts.
    text = decode_text(data)
    starts, counts = _record_starts(text, len(names))
    good = counts == len(names)
    errors = [
        RowError(int(s), "columns", f"has {int(c)} fields, the header has {len(names)}")
        for s, c in zip(starts[~good], counts[~good])
    ]
    if int(good.sum()) != rows:  # pyarrow and csv disagree on a malformed file: trust csv
        frame = _python_table(text, names, wanted)
    return frame, starts[good], errors
