"""How a file kept in a cache gets damaged (a crash mid-write, a bad disk, a hand): the damage
tests of the snapshot and of the compressed front end share these."""

from __future__ import annotations

from pathlib import Path

__all__ = ["flip", "truncate", "zero"]


def truncate(path: Path) -> None:
    """The first half of the file only."""
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def zero(path: Path) -> None:
    """As many bytes as before, all zero."""
    path.write_bytes(bytes(path.stat().st_size))


def flip(path: Path, *, span: int = 100) -> None:
    """The bits of the ``span`` bytes on each side of the middle inverted in part (XOR 0x5A)."""
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    for i in range(max(middle - span, 0), min(middle + span, len(data))):
        data[i] ^= 0x5A
    path.write_bytes(bytes(data))
