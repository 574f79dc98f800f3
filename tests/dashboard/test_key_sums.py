"""key_sums: the per-key sums of the hexagon and day aggregates, equal to np.bincount's."""

from __future__ import annotations

import numpy as np
import pytest

from dashboard.maps.aggregate import key_sums

KEYS = np.array([4, 0, 4, 2, 2, 2, 7])


@pytest.mark.parametrize(
    "weights, minlength",
    [
        (np.ones(7, dtype=np.int64), 0),  # a plain count
        (np.ones(7, dtype=np.int64), 12),  # longer than the keys need
        (np.zeros(7, dtype=np.int64), 3),  # shorter than the keys need
        (np.zeros(7, dtype=np.int64), 10),
        (np.array([0, 1, 1, 0, 1, 0, 0]), 0),  # flags
        (np.array([0, 1, 1, 0, 1, 0, 0]), 11),
        (np.array([0, 0, 0, 0, 0, 0, 1]), 2),  # the last key flagged alone
        (np.array([1, 0, 0, 0, 0, 0, 0]), 0),  # the last key not flagged: still counted
        (np.array([True, False, True, False, False, True, False]), 9),
        (np.array([0, 5, 2, 0, 1, 0, 3]), 0),  # figures
        (np.array([0, -1, 1, 0, 1, 0, 0]), 0),  # negative: summed as given
        (np.array([0.5, 1, 1, 0, 1, 0, 0]), 0),  # float weights
    ],
)
def test_equals_bincount(weights, minlength):
    got = key_sums(KEYS, weights, minlength)
    want = np.bincount(KEYS, weights=weights, minlength=minlength)
    assert got.dtype == np.float64 and len(got) == len(want)
    np.testing.assert_array_equal(got, want)


def test_no_rows():
    empty = np.array([], dtype=np.int64)
    np.testing.assert_array_equal(key_sums(empty, empty, 4), np.zeros(4))


def test_mostly_zero_weights():
    keys = np.arange(40) % 9
    weights = np.zeros(40, dtype=np.int64)
    weights[[3, 17]] = [5, 2]
    np.testing.assert_array_equal(
        key_sums(keys, weights, 0), np.bincount(keys, weights=weights, minlength=0)
    )
