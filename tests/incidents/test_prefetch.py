from __future__ import annotations

import threading

import pytest

from incidents.prefetch import prefetched


def test_items_come_in_order_made_in_another_thread():
    makers = []

    def items():
        for n in range(5):
            makers.append(threading.current_thread() is not threading.main_thread())
            yield n

    assert list(prefetched(items())) == [0, 1, 2, 3, 4]
    assert makers == [True] * 5


def test_at_most_one_item_is_made_ahead():
    made = []
    handled = threading.Event()

    def items():
        for n in range(4):
            made.append(n)
            yield n

    it = prefetched(items())
    assert next(it) == 0
    # while the caller holds item 0, item 1 is made, and item 2 is not
    for _ in range(200):
        if len(made) == 2:
            break
        handled.wait(0.01)
    handled.wait(0.1)
    assert made == [0, 1]
    assert list(it) == [1, 2, 3]


def test_an_error_making_an_item_is_raised_where_the_item_would_come():
    def items():
        yield 1
        raise ValueError("part 2 is bad")

    it = prefetched(items())
    assert next(it) == 1
    with pytest.raises(ValueError, match="part 2 is bad"):
        next(it)


def test_a_caller_that_stops_early_stops_the_thread_and_closes_the_items():
    closed = threading.Event()

    def items():
        try:
            n = 0
            while True:
                yield n
                n += 1
        finally:
            closed.set()

    before = threading.active_count()
    it = prefetched(items())
    assert next(it) == 0
    it.close()
    assert closed.is_set()
    assert threading.active_count() == before
