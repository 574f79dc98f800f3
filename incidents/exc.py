"""The package's error tree: every error it raises on purpose is an :class:`IncidentsError`.

Messages speak of the library's own arguments (``format``, ``on_conflict``, a geocoder),
never of command-line flags; the CLI adds its own hints.

::

    IncidentsError
    ├── ValidationError       records break the data model's rules (also a ValueError)
    ├── ImportFormatError     not a table we can read, or wrong format options (also a ValueError)
    ├── ImportRejected        a strict import found invalid rows and wrote nothing
    ├── StoreError            the store cannot be opened, created or written
    │   └── StoreSchemaError  its tables are damaged: each problem named, with the repair
    ├── ExportError           an export cannot be written
    ├── FilterError           a filter value is not valid (also a ValueError)
    └── CountError            a casualty count is negative or its bounds disagree (also a ValueError)

:class:`SnapshotWarning` (a ``UserWarning``) says a damaged or unrecorded snapshot was rebuilt
from the store. :class:`RowError` is not an exception: it is one rejected row, listed by
:class:`ValidationError`, :class:`ImportRejected` and import reports.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "CountError",
    "ExportError",
    "FilterError",
    "ImportFormatError",
    "ImportRejected",
    "IncidentsError",
    "RowError",
    "SnapshotWarning",
    "StoreError",
    "StoreSchemaError",
    "ValidationError",
]


class IncidentsError(Exception):
    """Root of every error this package raises on purpose."""


@dataclass(frozen=True)
class RowError:
    """One rejected input row: ``line`` is the 1-based line (or feature) number in the file."""

    line: int
    field: str
    message: str
    event_id: str | None = None

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line else "record"
        ident = f" ({self.event_id})" if self.event_id else ""
        return f"{where}{ident}: {self.field}: {self.message}"


class ValidationError(IncidentsError, ValueError):
    """One or more records break the data model's rules."""

    def __init__(self, errors: list[RowError]):
        self.errors = list(errors)
        head = "; ".join(str(e) for e in self.errors[:5])
        more = f" (and {len(self.errors) - 5} more)" if len(self.errors) > 5 else ""
        super().__init__(f"{len(self.errors)} invalid record(s): {head}{more}")


class ImportFormatError(IncidentsError, ValueError):
    """The file is not a table this package can read (wrong format, binary, missing columns),
    or the options say how to read it wrongly (an unknown format or ACLED zeros choice)."""


class ImportRejected(IncidentsError):
    """A strict import found invalid rows and wrote nothing."""

    def __init__(self, errors: list[RowError]):
        self.errors = list(errors)
        super().__init__(f"{len(self.errors)} row(s) rejected; nothing was imported (strict mode)")


class StoreError(IncidentsError):
    """The store cannot be opened, created or written."""


class StoreSchemaError(StoreError):
    """The store's tables are not what they must be; ``problems`` lists each one and
    ``repairable`` says whether :meth:`incidents.Store.repair` can fix them all."""

    def __init__(self, message: str, problems: list[str], *, repairable: bool):
        self.problems = list(problems)
        self.repairable = repairable
        super().__init__(message)


class SnapshotWarning(UserWarning):
    """A columnar snapshot was damaged, stale or unverifiable and was rebuilt from the store."""


class ExportError(IncidentsError):
    """An export cannot be written."""


class FilterError(IncidentsError, ValueError):
    """A filter value (from a URL or the command line) is not valid."""


class CountError(IncidentsError, ValueError):
    """A casualty count is negative, or its low, best and high figures are out of order."""
