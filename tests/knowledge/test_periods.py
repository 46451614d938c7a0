"""knowledge.periods: dates at the source's precision, the interval their moment lies in, and
where that moment stands on a given day (ahead, uncertain, past)."""

from __future__ import annotations

import datetime as dt

import pytest

from knowledge.periods import Kind, Period, Relation, moment_of, parse_period

pytestmark = pytest.mark.unit
D = dt.date


@pytest.mark.parametrize(
    ("notation", "precision", "first", "last"),
    [
        ("2022-05-31", "day", D(2022, 5, 31), D(2022, 5, 31)),
        ("2022-05", "month", D(2022, 5, 1), D(2022, 5, 31)),
        ("2022-02", "month", D(2022, 2, 1), D(2022, 2, 28)),
        ("2022-H1", "semester", D(2022, 1, 1), D(2022, 6, 30)),
        ("2022-H2", "semester", D(2022, 7, 1), D(2022, 12, 31)),
        ("2023-spring", "season", D(2023, 3, 1), D(2023, 5, 31)),
        ("2023-end", "year_end", D(2023, 10, 1), D(2023, 12, 31)),
        ("2007", "year", D(2007, 1, 1), D(2007, 12, 31)),
    ],
)
def test_parse_period_each_notation_spans_its_days(
    notation: str, precision: str, first: dt.date, last: dt.date
) -> None:
    period = parse_period(notation)
    assert period.precision == precision
    assert period.spans() == [(first, last)]
    assert str(period) == notation


@pytest.mark.parametrize(
    "notation", ["2022-13", "2022-02-30", "2022-H3", "2023-winter", "22-05", "--02-30", "may"]
)
def test_parse_period_invalid_notation_raises_value_error(notation: str) -> None:
    with pytest.raises(ValueError):
        parse_period(notation)


def test_day_without_year_needs_within_and_spans_each_possible_year() -> None:
    period = parse_period("--09-30")
    assert (period.precision, period.year, str(period)) == ("day_no_year", None, "--09-30")
    with pytest.raises(ValueError, match="within"):
        period.spans()
    assert period.spans((D(2022, 5, 31), D(2023, 10, 17))) == [
        (D(2022, 9, 30), D(2022, 9, 30)),
        (D(2023, 9, 30), D(2023, 9, 30)),
    ]


@pytest.mark.parametrize(
    ("notation", "relation", "first", "last"),
    [
        ("2022-06-15", "in", D(2022, 6, 15), D(2022, 6, 15)),
        ("2022-07", "before", D(2022, 6, 30), D(2022, 6, 30)),  # "before July 2022"
        ("2022-07", "by", D(2022, 6, 30), D(2022, 7, 31)),  # "by July 2022": before it or in it
        ("2022-H2", "until", D(2022, 6, 30), D(2022, 12, 31)),  # "until the second semester 2022"
        ("2022-H2", "in", D(2022, 7, 1), D(2022, 12, 31)),  # "in the second semester of 2022"
        ("2022-08", "after", D(2022, 9, 1), D(2022, 9, 1)),  # "po avgustu 2022"
        ("2023-spring", "in", D(2023, 3, 1), D(2023, 5, 31)),  # "voorjaar 2023"
    ],
)
def test_moment_of_bounds_the_day_by_relation(
    notation: str, relation: Relation, first: dt.date, last: dt.date
) -> None:
    bounded = moment_of("deadline", parse_period(notation), relation)
    assert (bounded.first, bounded.last) == (first, last)
    assert bounded.day == (first if first == last else None)


def test_moment_of_day_without_year_until_spans_both_possible_years() -> None:
    bounded = moment_of("deadline", parse_period("--09-30"), "until", (D(2022, 5, 31), D(2023, 10, 17)))
    assert (bounded.first, bounded.last) == (D(2022, 9, 29), D(2023, 9, 30))


def test_moment_of_day_without_year_outside_within_raises() -> None:
    with pytest.raises(ValueError, match="falls on no day"):
        moment_of("deadline", parse_period("--09-30"), "in", (D(2022, 10, 1), D(2023, 9, 1)))


@pytest.mark.parametrize(
    ("as_of", "state"),
    [
        (D(2022, 6, 29), "ahead"),
        (D(2022, 6, 30), "ahead"),
        (D(2022, 7, 1), "uncertain"),
        (D(2022, 12, 31), "uncertain"),
        (D(2023, 1, 1), "past"),
    ],
)
def test_deadline_until_second_semester_is_uncertain_inside_it_and_passed_after(
    as_of: dt.date, state: str
) -> None:
    deadline = moment_of("deadline", Period("semester", 2022, part="2"), "until")
    assert deadline.state(as_of) == state


@pytest.mark.parametrize(
    ("kind", "as_of", "state"),
    [
        ("deadline", D(2022, 6, 14), "ahead"),
        ("deadline", D(2022, 6, 15), "ahead"),  # the last day to act
        ("deadline", D(2022, 6, 16), "past"),
        ("event", D(2022, 6, 14), "ahead"),
        ("event", D(2022, 6, 15), "past"),  # past from its day on
        ("cutoff", D(2022, 6, 15), "past"),
    ],
)
def test_day_moment_deadline_is_ahead_on_its_day_event_is_past(
    kind: Kind, as_of: dt.date, state: str
) -> None:
    assert moment_of(kind, parse_period("2022-06-15")).state(as_of) == state


@pytest.mark.parametrize(
    ("as_of", "state"), [(D(2023, 2, 28), "ahead"), (D(2023, 3, 1), "uncertain"), (D(2023, 5, 31), "past")]
)
def test_event_in_spring_is_uncertain_during_spring(as_of: dt.date, state: str) -> None:
    assert moment_of("event", parse_period("2023-spring")).state(as_of) == state
