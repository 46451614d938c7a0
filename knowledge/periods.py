"""Dates exactly as precise as the sources give them, and what can be said about them on a day.

A source gives a date to the day ("31 May 2022"), to the month ("v maju 2022"), to the half year
("second semester 2022"), to the season ("voorjaar 2023"), to the year ("In 2022"), as the end of
a year ("eind 2023"), or as a day without its year ("tot 30/9"). The knowledge base writes each
one in a short notation at that precision (``Period``); nothing here invents a finer date.

A dated fact is a period plus the way the source relates to it (``Relation``): "before July 2022"
names July 2022 but means the day before it begins. Together they bound the fact's *moment*, the
one day that matters, to an interval of days (``Moment``):

- for a deadline the last day on which one can still act,
- for an event the day it happens,
- for a cutoff the boundary day the data are split at.

A moment known only to the half year lies somewhere in that half year, so on a given day a
deadline has certainly passed, is certainly still ahead, or is uncertain (``State``). The
convention is written once, for the knowledge base and the rules alike, in knowledge/kb/README.md.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal, get_args

Precision = Literal["day", "day_no_year", "month", "semester", "season", "year", "year_end"]
Relation = Literal["in", "before", "until", "by", "after"]
Kind = Literal["deadline", "cutoff", "event"]
State = Literal["ahead", "uncertain", "past"]
Season = Literal["spring", "summer", "autumn"]

RELATIONS: tuple[Relation, ...] = get_args(Relation)
# Meteorological seasons of the northern hemisphere, as first and last month. Winter straddles
# two years and no source names one, so it has no notation.
SEASON_MONTHS: dict[Season, tuple[int, int]] = {"spring": (3, 5), "summer": (6, 8), "autumn": (9, 11)}
# "The end of a year" is read as its last quarter.
YEAR_END_MONTHS = (10, 12)

_NOTATIONS: tuple[tuple[Precision, re.Pattern[str]], ...] = (
    ("day", re.compile(r"^(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})$")),
    ("month", re.compile(r"^(?P<year>\d{4})-(?P<month>\d{2})$")),
    ("semester", re.compile(r"^(?P<year>\d{4})-H(?P<part>[12])$")),
    ("season", re.compile(r"^(?P<year>\d{4})-(?P<part>spring|summer|autumn)$")),
    ("year_end", re.compile(r"^(?P<year>\d{4})-end$")),
    ("year", re.compile(r"^(?P<year>\d{4})$")),
    ("day_no_year", re.compile(r"^--(?P<month>\d{2})-(?P<day>\d{2})$")),
)
NOTATION_HELP = "2022-05-31, 2022-05, 2022-H2, 2023-spring, 2023-end, 2022 or --09-30 (day without year)"


@dataclass(frozen=True)
class Period:
    """A stretch of time at the precision a source gives it.

    Attributes:
        precision: How precise the source is.
        year: The year; None for a day without its year.
        month: The month (day, day_no_year and month precision).
        day: The day of the month (day and day_no_year precision).
        part: "1" or "2" for a semester, the season's name for a season.
    """

    precision: Precision
    year: int | None
    month: int | None = None
    day: int | None = None
    part: str | None = None

    def __str__(self) -> str:
        """The notation the knowledge base writes (``parse_period`` reads it back)."""
        if self.precision == "day_no_year":
            return f"--{self.month:02d}-{self.day:02d}"
        if self.precision == "day":
            return f"{self.year}-{self.month:02d}-{self.day:02d}"
        suffix = {
            "month": f"-{self.month or 0:02d}",
            "semester": f"-H{self.part}",
            "season": f"-{self.part}",
            "year_end": "-end",
        }.get(self.precision, "")
        return f"{self.year}{suffix}"

    def spans(self, within: tuple[dt.date, dt.date] | None = None) -> list[tuple[dt.date, dt.date]]:
        """First and last day of the period; of each possible one for a day without its year.

        Args:
            within: For a day without its year, the days between which it must lie.

        Returns:
            One (first, last) pair, or one per year the day can fall in (possibly none).

        Raises:
            ValueError: If a day without its year is given no ``within``.
        """
        if self.precision == "day_no_year":
            if within is None:
                raise ValueError("a day without its year needs the days it lies between (within)")
            assert self.month is not None and self.day is not None
            found = []
            for year in range(within[0].year, within[1].year + 1):
                try:
                    day = dt.date(year, self.month, self.day)
                except ValueError:  # 29 February of a common year
                    continue
                if within[0] <= day <= within[1]:
                    found.append((day, day))
            return found
        assert self.year is not None
        year = self.year
        if self.precision == "day":
            assert self.month is not None and self.day is not None
            day = dt.date(year, self.month, self.day)
            return [(day, day)]
        months = {
            "month": (self.month, self.month),
            "semester": (1, 6) if self.part == "1" else (7, 12),
            "season": SEASON_MONTHS.get(self.part, (0, 0)),  # type: ignore[call-overload]
            "year_end": YEAR_END_MONTHS,
            "year": (1, 12),
        }[self.precision]
        first, last = int(months[0] or 0), int(months[1] or 0)
        return [(dt.date(year, first, 1), dt.date(year, last, calendar.monthrange(year, last)[1]))]


@lru_cache(maxsize=512)
def parse_period(notation: str) -> Period:
    """Read the knowledge base's date notation.

    Args:
        notation: One of 2022-05-31, 2022-05, 2022-H2, 2023-spring, 2023-end, 2022, --09-30.

    Returns:
        The period.

    Raises:
        ValueError: If the notation is none of these or names a day that does not exist.
    """
    text = notation.strip()
    for precision, pattern in _NOTATIONS:
        match = pattern.match(text)
        if match is None:
            continue
        parts = match.groupdict()
        period = Period(
            precision=precision,
            year=int(parts["year"]) if parts.get("year") else None,
            month=int(parts["month"]) if parts.get("month") else None,
            day=int(parts["day"]) if parts.get("day") else None,
            part=parts.get("part"),
        )
        _check_exists(period)
        return period
    raise ValueError(f"not a date notation: {notation!r} (use {NOTATION_HELP})")


def _check_exists(period: Period) -> None:
    if period.month is not None and not 1 <= period.month <= 12:
        raise ValueError(f"no month {period.month} in {period}")
    if period.day is not None:
        year = period.year if period.year is not None else 2024  # a leap year: 29 February exists
        dt.date(year, period.month or 1, period.day)  # raises ValueError for 31 April


@dataclass(frozen=True)
class Moment:
    """The day a dated fact is about, known to lie between ``first`` and ``last``.

    Attributes:
        kind: deadline (the last day to act), event (the day it happens) or cutoff (a boundary).
        period: The period the source names.
        relation: How the source relates to it: in (on or during), before, until, by, after.
        first: The earliest day the moment can be.
        last: The latest day the moment can be.
    """

    kind: Kind
    period: Period
    relation: Relation
    first: dt.date
    last: dt.date

    @property
    def day(self) -> dt.date | None:
        """The moment's day when the source pins it down (before July 2022: 30 June); else None."""
        return self.first if self.first == self.last else None

    def state(self, as_of: dt.date) -> State:
        """Where the moment stands on ``as_of``.

        A deadline is still ahead on its own last day and has passed the day after; an event or a
        cutoff is past from its day on. A moment known only to a stretch of days is uncertain
        inside that stretch.

        Args:
            as_of: The day of the question.

        Returns:
            ahead, uncertain or past.
        """
        if self.kind == "deadline":
            if as_of > self.last:
                return "past"
            return "ahead" if as_of <= self.first else "uncertain"
        if as_of >= self.last:
            return "past"
        return "ahead" if as_of < self.first else "uncertain"


def moment_of(
    kind: Kind, period: Period, relation: Relation = "in", within: tuple[dt.date, dt.date] | None = None
) -> Moment:
    """Bound the moment of a dated fact.

    in: any day of the period; before: the day before it begins; until and by: from the day
    before it begins to its last day (the source does not say whether the period itself still
    counts); after: the day after it ends.

    Args:
        kind: deadline, event or cutoff.
        period: The period the source names.
        relation: How the source relates to it.
        within: For a day without its year, the days between which it must lie.

    Returns:
        The moment.

    Raises:
        ValueError: If a day without its year has no possible day inside ``within``.
    """
    spans = period.spans(within)
    if not spans:
        raise ValueError(f"{period} falls on no day between {within[0]} and {within[1]}")  # type: ignore[index]
    lows, highs = zip(*(_bounds(relation, first, last) for first, last in spans), strict=True)
    return Moment(kind, period, relation, min(lows), max(highs))


def _bounds(relation: Relation, first: dt.date, last: dt.date) -> tuple[dt.date, dt.date]:
    one = dt.timedelta(days=1)
    if relation == "before":
        return first - one, first - one
    if relation in ("until", "by"):
        return first - one, last
    if relation == "after":
        return last + one, last + one
    return first, last
