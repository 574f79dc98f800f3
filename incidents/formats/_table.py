"""Low-level reading shared by every format: bytes, encodings, sniffing, CSV with line numbers.

Encodings: UTF-8 (with or without BOM), UTF-16 (with a BOM, or without one when every other
byte of the head is NUL: Excel's "Unicode text"), and single-byte code pages. A UTF-8 file
with a few stray bytes stays UTF-8: those bytes are read as Windows-1252 and counted. A file
that is not UTF-8 at all is Windows-1252 when its non-ASCII bytes stand alone (accented Latin
letters, a right quote as byte 0x92); when they come in runs (words in another script) charset-normalizer
chooses among Windows-1251, KOI8-R, Windows-1256, -1253, -1255 and -1254.
:func:`load_input` says which encoding it used.

Shapes: the delimiter (comma, semicolon or tab) is sniffed from line 1; column names are
stripped and lower-cased (``EVENT_ID_CNTY`` → ``event_id_cnty``), empty ones (an index column,
trailing empty columns) get a placeholder name; a HXL hashtag row (``#date+year,...``) right
under the header is skipped.

CSV tables are parsed by pyarrow (multi-threaded, every column as text). Line numbers: when
the file has exactly one physical line per row (no quoted multi-line cells, no blank lines,
checked by counting newlines, which is a ``memchr`` over the bytes) row *i* is on line
``i + 2``. Otherwise one extra pass of Python's :mod:`csv` module over the text records the
first line of every record, so errors name the line where the record starts.
"""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from ..exc import ImportFormatError, RowError
from ._workbook import is_workbook, workbook_csv

__all__ = [
    "BLOCK_SIZE",
    "MAX_HEADER",
    "Loaded",
    "TableShape",
    "csv_header",
    "csv_shape",
    "decode_text",
    "line_of_offset",
    "load_bytes",
    "load_input",
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
    (
        b"PK\x03\x04",
        "a ZIP archive (an Excel or OpenDocument workbook needs its .xlsx or .ods name)",
    ),
    (b"PK\x05\x06", "an empty ZIP archive"),
    (b"\x1f\x8b", "a gzip archive (decompress it first)"),
    (b"BZh", "a bzip2 archive (decompress it first)"),
    (b"\xfd7zXZ\x00", "an xz archive (decompress it first)"),
    (b"7z\xbc\xaf\x27\x1c", "a 7z archive"),
    (b"%PDF", "a PDF document"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Office file (a workbook needs its .xls name)"),
    (b"GIF8", "a GIF image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"PAR1", "a Parquet file"),
)
_UTF16_BOMS = ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))
#: Delimiters we sniff on line 1, in order of preference on a tie.
DELIMITERS = (",", ";", "\t")
#: Stray bytes read as Windows-1252 in an otherwise UTF-8 file.
_STRAY = "incidents-cp1252-stray"


def _cp1252_stray(err: UnicodeError) -> tuple[str, int]:
    assert isinstance(err, UnicodeDecodeError)  # registered for decoding only
    bad = err.object[err.start : err.end]
    return bad.decode("cp1252", errors="replace"), err.end


codecs.register_error(_STRAY, _cp1252_stray)


@dataclass(frozen=True)
class Loaded:
    """A file's content as UTF-8 bytes (no BOM) and how it was decoded."""

    data: bytes
    #: The encoding found, in words: ``UTF-8``, ``UTF-8 with BOM``, ``UTF-16 (little-endian)``,
    #: ``cp1252``, ``UTF-8 (2 bytes read as Windows-1252)``...
    encoding: str


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
    """The file's content as UTF-8 bytes (see :func:`load_input`)."""
    return load_input(path).data


def _utf16_without_bom(head: bytes) -> str | None:
    sample = head[: 4096 - (len(head[:4096]) % 2)]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.05 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.05 * len(odd):
        return "utf-16-be"
    return None


#: Single-byte encodings we tell apart (charset-normalizer decides between them).
_SINGLE_BYTE = ("cp1252", "cp1251", "koi8_r", "cp1256", "cp1253", "cp1255", "cp1254")


def _non_ascii_runs(data: bytes) -> float:
    """Mean length of the runs of non-ASCII bytes: about 1 for accented Latin text (é, a right quote),
    a word's length for Cyrillic, Greek or Arabic."""
    high = np.frombuffer(data, dtype=np.uint8) > 127
    if not high.any():
        return 0.0
    starts = int(high[0]) + int(np.count_nonzero(high[1:] & ~high[:-1]))
    return int(high.sum()) / starts


#: Bytes decoded at a time when checking that a part is UTF-8.
_CHECK_STEP = 2**20


def _is_utf8(data: bytes) -> bool:
    """Whether ``data`` decodes as UTF-8, checked a slice at a time: decoding a 64 MiB part
    whole would build a text of up to 256 MiB only to throw it away."""
    if data.isascii():
        return True
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(data)
    try:
        for start in range(0, len(data), _CHECK_STEP):
            decoder.decode(
                view[start : start + _CHECK_STEP], final=start + _CHECK_STEP >= len(data)
            )
    except UnicodeDecodeError:
        return False
    return True


def _decode(data: bytes) -> tuple[bytes, str]:
    """UTF-8 bytes and the name of the encoding found (the bytes themselves when already UTF-8)."""
    if _is_utf8(data):
        return data, "UTF-8"
    from charset_normalizer import from_bytes

    # Mostly UTF-8 with a few stray bytes (a pasted Windows quote): keep UTF-8.
    text = data.decode("utf-8", errors=_STRAY)
    multibyte = sum(1 for ch in text[:2_000_000] if ord(ch) > 127)
    bad = data.decode("utf-8", errors="replace").count("\ufffd")
    if multibyte > 2 * bad:
        return text.encode("utf-8"), f"UTF-8 ({bad:,} byte(s) not UTF-8, read as Windows-1252)"
    encoding = "cp1252"
    if _non_ascii_runs(data[: 4 * 2**20]) >= 2.5:  # whole words in another script
        best = from_bytes(data[: 4 * 2**20], cp_isolation=list(_SINGLE_BYTE)).best()
        encoding = best.encoding if best is not None else encoding
    try:
        decoded = data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        encoding = "cp1252"
        decoded = data.decode(encoding, errors="replace")
    return decoded.encode("utf-8"), encoding


def load_input(path: str | Path) -> Loaded:
    """The file's content as UTF-8 bytes without BOM, after checking it is text at all.

    Raises :class:`ImportFormatError` for a missing or empty file, or a binary file (image,
    archive, database...; a NUL byte anywhere). Text in another encoding than UTF-8 is decoded
    whole before any reader sees it (see the module doc).
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
    encoding = "UTF-8"
    if is_workbook(path, data[:8]):
        data, sheet = workbook_csv(path)
        return Loaded(data, f"workbook (sheet {sheet!r})")
    if data.startswith(BOM):
        data = data[len(BOM) :]
        encoding = "UTF-8 with BOM"
    head = data[:_HEAD]
    utf16 = next((name for bom, name in _UTF16_BOMS if head.startswith(bom)), None)
    if utf16 is not None:
        data = data[2:]
    else:
        utf16 = _utf16_without_bom(head)
    if utf16 is not None:
        text = data.decode(utf16, errors="replace")
        data = text.encode("utf-8")
        head = data[:_HEAD]
        encoding = "UTF-16 (" + ("little" if utf16.endswith("le") else "big") + "-endian)"
    if not data.strip():
        raise ImportFormatError(f"{path}: the file is empty")
    for magic, what in _MAGIC:
        if head.startswith(magic):
            raise ImportFormatError(f"{path}: not a CSV or GeoJSON table: this is {what}")
    nul = data.find(b"\x00")
    if nul >= 0:
        raise ImportFormatError(
            f"{path}: not a CSV or GeoJSON table: the file holds binary data "
            f"(a NUL byte on line {line_of_offset(data, nul)})"
        )
    if utf16 is None:
        data, found = _decode(data)
        if found != "UTF-8":
            encoding = found
    # Files joined with `cat` carry the second file's BOM at the start of a line: drop it.
    if b"\n" + BOM in data:
        data = data.replace(b"\n" + BOM, b"\n")
    return Loaded(data, encoding)


def _with_path(path: Path, err: ImportFormatError) -> ImportFormatError:
    return ImportFormatError(f"{path}: {err}")


def decode_text(data: bytes) -> str:
    """The whole file as text, or :class:`ImportFormatError` naming the first non-UTF-8 line."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise _not_utf8(data, err) from None


@dataclass(frozen=True)
class TableShape:
    """How a CSV is laid out: its delimiter, column names and rows to skip under the header."""

    names: list[str]
    delimiter: str = ","
    #: Records right under the header that are not data (a HXL hashtag row).
    skip: int = 0
    #: The names as written in the file (before lower-casing).
    written: tuple[str, ...] = ()

    @property
    def described(self) -> str:
        label = {",": "comma", ";": "semicolon", "\t": "tab"}[self.delimiter]
        return label + (", HXL hashtag row skipped" if self.skip else "")


def _first_line(data: bytes, start: int = 0) -> tuple[str, int]:
    end = data.find(b"\n", start, start + MAX_HEADER + 1)
    if end < 0:
        if len(data) - start > MAX_HEADER:
            raise ImportFormatError(
                f"not a CSV or GeoJSON table: line 1 is longer than {MAX_HEADER // 1024} KiB without a line break"
            )
        end = len(data)
    return decode_text(data[start:end]).rstrip("\r"), end


def _sniff_delimiter(line: str) -> str:
    outside = []
    quoted = False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif not quoted:
            outside.append(ch)
    bare = "".join(outside)
    counts = {d: bare.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def csv_shape(data: bytes) -> TableShape:
    """The delimiter and normalised column names of line 1, and whether a HXL row follows.

    Names are stripped and lower-cased; an empty name becomes ``_column_N`` (N 1-based).
    Raises for a header that is too long, has one column, or names a column twice.
    """
    line, end = _first_line(data)
    delimiter = _sniff_delimiter(line)
    try:
        written = next(csv.reader([line], delimiter=delimiter), [])
    except csv.Error as err:
        raise ImportFormatError(f"not a CSV table: line 1 cannot be read ({err})") from None
    written = [n.strip() for n in written]
    if len(written) < 2:
        raise ImportFormatError(
            "not a CSV or GeoJSON table: line 1 does not name columns separated by commas"
        )
    names = [n.lower() if n else f"_column_{i}" for i, n in enumerate(written, 1)]
    seen: set[str] = set()
    for name, shown in zip(names, written, strict=True):
        if name in seen:
            raise ImportFormatError(f"column {shown!r} appears twice in the header (line 1)")
        seen.add(name)
    skip = 0
    if end < len(data):
        raw = data[end + 1 : end + 1 + MAX_HEADER].split(b"\n", 1)[0]
        second = raw.decode("utf-8", errors="replace").rstrip("\r")
        # A HXL row: every non-empty cell a hashtag (checked only on a short line opening with '#').
        if second.lstrip('" ').startswith("#") and len(second) < 100_000:
            cells = [c.strip() for c in next(csv.reader([second], delimiter=delimiter), [])]
            skip = int(all(not c or c.startswith("#") for c in cells))
    return TableShape(names, delimiter, skip, tuple(written))


def csv_header(data: bytes) -> list[str]:
    """The normalised column names on line 1 (see :func:`csv_shape`)."""
    return csv_shape(data).names


def _physical_lines(data: bytes) -> int:
    n = data.count(b"\n")
    return n if data.endswith(b"\n") else n + 1


def _record_starts(text: str, shape: TableShape) -> tuple[np.ndarray, np.ndarray]:
    """(first line of every non-blank record after the header, its number of fields)."""
    old = csv.field_size_limit()
    csv.field_size_limit(max(old, BLOCK_SIZE))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=shape.delimiter)
    starts: list[int] = []
    counts: list[int] = []
    try:
        for _ in range(1 + shape.skip):
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


def _python_table(text: str, shape: TableShape, wanted: list[str]) -> pd.DataFrame:
    """Slow path: every well-formed record read by :mod:`csv` (used only when pyarrow and
    :mod:`csv` disagree on a malformed file)."""
    names = shape.names
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=shape.delimiter)
    for _ in range(1 + shape.skip):
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
    data: bytes, shape: TableShape | list[str], wanted: list[str]
) -> tuple[pd.DataFrame, np.ndarray, list[RowError]]:
    """Read the ``wanted`` columns of a CSV (header on line 1, see :func:`csv_shape`) as text.

    Returns the rows (empty cells are NA), each row's 1-based starting line and one
    :class:`RowError` per record with the wrong number of fields (those rows are left out).
    """
    if not isinstance(shape, TableShape):
        shape = TableShape(list(shape))
    names = shape.names
    invalid: list[int] = []

    def on_invalid(row) -> str:
        invalid.append(1)
        return "skip"

    def parse(newlines: bool) -> pa.Table:
        return pacsv.read_csv(
            pa.BufferReader(pa.py_buffer(data)),
            # The header's names as csv_header read them (stripped: "a, b" names column "b").
            read_options=pacsv.ReadOptions(
                block_size=BLOCK_SIZE,
                use_threads=True,
                column_names=names,
                skip_rows=1,
                skip_rows_after_names=shape.skip,
            ),
            parse_options=pacsv.ParseOptions(
                delimiter=shape.delimiter,
                newlines_in_values=newlines,
                invalid_row_handler=on_invalid,
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

    physical = _physical_lines(data) - shape.skip
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
        first = 2 + shape.skip
        return frame, np.arange(first, rows + first, dtype=np.int64), []
    # Multi-line cells, blank lines or malformed records: find where each record starts.
    text = decode_text(data)
    starts, counts = _record_starts(text, shape)
    good = counts == len(names)
    errors = [
        RowError(int(s), "columns", f"has {int(c)} fields, the header has {len(names)}")
        for s, c in zip(starts[~good], counts[~good])
    ]
    if int(good.sum()) != rows:  # pyarrow and csv disagree on a malformed file: trust csv
        frame = _python_table(text, shape, wanted)
    return frame, starts[good], errors
