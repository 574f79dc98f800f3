"""Dates as real files write them: shapes, day-first or month-first from evidence, year checks."""

from __future__ import annotations

import pandas as pd
import pytest

from incidents.dates import read_dates


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2024-02-16", "2024-02-16"),
        ("2009-02-20T00:00:00", "2009-02-20"),
        ("2009-02-20 00:00:00.000", "2009-02-20"),
        ("2024/02/16", "2024-02-16"),
        ("16 February 2024", "2024-02-16"),
        ("16 Feb 2024", "2024-02-16"),
        ("01-January-2015", "2015-01-01"),
        ("9-May-20", "2020-05-09"),
        ("5-Aug-24", "2024-08-05"),
        ("February 16, 2024", "2024-02-16"),
        ("18/04/2001", "2001-04-18"),
        ("14/08/2020 00:00:00", "2020-08-14"),
        ("1/22/2014 12:00:00 AM", "2014-01-22"),
        ("3/3/2014", "2014-03-03"),  # both fields equal: the same date either way
    ],
)
def test_each_shape_reads_alone(text, expected):
    got = read_dates(pd.Series([text]))
    assert got.dates.iat[0] == pd.Timestamp(expected) and got.problems == {}


@pytest.mark.parametrize(
    "texts, expected, convention",
    [
        (
            ["1/22/2014 12:00:00 AM", "05/02/2014 00:00"],
            ["2014-01-22", "2014-05-02"],
            "month-first",
        ),
        (["18/04/2001", "05/02/2014"], ["2001-04-18", "2014-02-05"], "day-first"),
        (["05.02.2014", "25.12.2014"], ["2014-02-05", "2014-12-25"], "day-first"),
    ],
)
def test_the_column_decides_the_order(texts, expected, convention):
    got = read_dates(pd.Series(texts))
    assert got.dates.tolist() == [pd.Timestamp(e) for e in expected]
    assert convention in got.convention and got.problems == {}


def test_an_undecided_column_rejects_only_rows_that_differ():
    got = read_dates(pd.Series(["05/02/2014", "3/3/2014", "07/02/2014"]))
    assert sorted(got.problems) == [0, 2] and "ambiguous" in got.problems[0]
    assert pd.isna(got.dates.iat[0]) and got.dates.iat[1] == pd.Timestamp("2014-03-03")
    assert got.ambiguous == 2


@pytest.mark.parametrize("order, expected", [("dmy", "2014-02-05"), ("mdy", "2014-05-02")])
def test_a_stated_order_reads_ambiguous_rows(order, expected):
    got = read_dates(pd.Series(["05/02/2014"]), order=order)
    assert got.dates.iat[0] == pd.Timestamp(expected) and got.problems == {}


def test_a_column_with_proof_of_both_orders_reads_each_row_by_its_own():
    got = read_dates(pd.Series(["18/04/2001", "1/22/2014", "05/02/2014"]))
    assert got.dates.iat[0] == pd.Timestamp("2001-04-18")
    assert got.dates.iat[1] == pd.Timestamp("2014-01-22")
    assert list(got.problems) == [2] and "mixed" in got.convention


def test_two_digit_years_take_their_century_from_the_year_column():
    got = read_dates(pd.Series(["9-May-20", "9-May-20"]), years=pd.Series(["1920", "2020"]))
    assert got.dates.tolist() == [pd.Timestamp("1920-05-09"), pd.Timestamp("2020-05-09")]


def test_a_date_contradicting_its_year_is_a_problem():
    got = read_dates(pd.Series(["2014-05-02", "2014-05-02"]), years=pd.Series(["2014", "2015"]))
    assert list(got.problems) == [1] and "year is 2015" in got.problems[1]


@pytest.mark.parametrize(
    "text",
    [
        "garbage",
        "31/31/2014",
        "2014-02-30",
        "",
        None,
        "0001-01-01",
        "9999-12-31",
        "13/02/0001",
        "13-Feb-0001",
    ],
)
def test_no_date_is_nat_without_a_problem(text):
    got = read_dates(pd.Series([text], dtype="string"))
    assert pd.isna(got.dates.iat[0]) and got.problems == {}
