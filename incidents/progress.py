"""Progress of long imports: rows written, rows per second and time left.

:class:`TerminalProgress` draws one line on a terminal (``\\r``-rewritten, at most every
0.2 s) and is not used when the output is not a terminal (:func:`terminal_progress` returns
None), so logs and pipes stay clean. Any callable ``(done, total) -> None`` can stand in for
it (the Import page drives a progress bar with one).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

__all__ = ["ProgressCallback", "TerminalProgress", "describe_progress", "terminal_progress"]

ProgressCallback = Callable[[int, int], None]


def describe_progress(done: int, total: int, elapsed: float) -> str:
    """``120,000 / 1,000,000 rows, 45,000 rows/s, 20 s left``."""
    rate = done / elapsed if elapsed > 0 else 0.0
    text = f"{done:,} / {total:,} rows"
    if rate > 0:
        text += f", {rate:,.0f} rows/s"
        if done < total:
            text += f", {max(total - done, 0) / rate:,.0f} s left"
    return text


class TerminalProgress:
    """A one-line progress display on ``stream`` (see the module doc)."""

    def __init__(self, stream: TextIO, *, interval: float = 0.2, clock=time.monotonic):
        self.stream = stream
        self.interval = interval
        self.clock = clock
        self.started = clock()
        self.shown = float("-inf")
        self.drawn = False

    def __call__(self, done: int, total: int) -> None:
        now = self.clock()
        if now - self.shown < self.interval and done < total:
            return
        self.shown = now
        self.stream.write("\r" + describe_progress(done, total, now - self.started) + "   ")
        self.stream.flush()
        self.drawn = True

    def close(self) -> None:
        if self.drawn:
            self.stream.write("\n")
            self.stream.flush()


def terminal_progress(stream: TextIO | None = None) -> TerminalProgress | None:
    """A :class:`TerminalProgress` on ``stream`` (stderr) when it is a terminal, else None."""
    stream = sys.stderr if stream is None else stream
    return TerminalProgress(stream) if stream.isatty() else None
