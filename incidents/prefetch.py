"""Make the next item of an iterator in a background thread while the caller works on this one.

A big import reads and checks a part of the file (the CSV parser, validation) while the part
before it is written to the store: SQLite and Arrow do most of their work without holding
Python's global lock, so on a machine with two cores the two halves overlap. At most one item
is made ahead, so memory holds one part more than without.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Generator, Iterator
from typing import TypeVar

__all__ = ["prefetched"]

T = TypeVar("T")

_ITEM, _ERROR, _END = "item", "error", "end"


def prefetched(items: Iterator[T]) -> Generator[T, None, None]:
    """``items`` in order, each made in a thread while the caller handles the one before.

    An exception raised while making an item is raised here, where that item would have come
    (with its traceback). When the caller stops early (an error of its own, ``close``), the
    thread stops after the item it is making and ``items`` is closed in it.
    """
    slot = threading.Semaphore(1)  # one item made ahead, no more
    ready = threading.Semaphore(0)
    made: deque[tuple[str, object]] = deque()
    stop = threading.Event()

    def make() -> None:
        try:
            while True:
                slot.acquire()
                if stop.is_set():
                    return
                try:
                    item = next(items)
                except StopIteration:
                    made.append((_END, None))
                    return
                except BaseException as err:  # handed to the caller, raised there
                    made.append((_ERROR, err))
                    return
                made.append((_ITEM, item))
                ready.release()
        finally:
            ready.release()  # (the end, an error or a stop: the caller stops waiting)
            close = getattr(items, "close", None)
            if close is not None:
                close()

    thread = threading.Thread(target=make, name="prefetch", daemon=True)
    thread.start()
    try:
        while True:
            ready.acquire()
            kind, value = made.popleft()
            if kind == _END:
                return
            if kind == _ERROR:
                assert isinstance(value, BaseException)
                raise value
            slot.release()
            yield value  # type: ignore[misc]
    finally:
        stop.set()
        slot.release()
        thread.join()
