"""The helpdesk's opening hours: a weekly schedule with a time zone and a country's public holidays.

An admin edits the schedule on the console's admin page (stored as JSON in ``app_settings``);
until one is saved the default is Monday to Friday 9:00-17:00 in ``NSO_HELPDESK_TIMEZONE``,
closed on ``NSO_HELPDESK_HOLIDAYS``' public holidays. The schedule decides whether the helpdesk
is open now and when it opens next; ``conversation.texts`` turns that into the teacher's language.

The free-text hours (``NSO_OPENING_HOURS``, or the text an admin set) are still what ``{hours}``
says until a schedule is saved; after that ``{hours}`` is the schedule, written in CLDR's words.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
from babel import dates
from sqlalchemy.exc import SQLAlchemyError

from conversation.db import session_scope
from conversation.models import AppSetting
from settings import Settings

log = logging.getLogger(__name__)
KEY = "opening_hours"
SCHEDULE_KEY = "opening_schedule"
HOLIDAY_COUNTRIES = ("BE", "NL", "SI")
"""Countries whose public holidays the ``holidays`` package gives and the NSOs need."""
LOCALES = {"en": "en_GB", "nl": "nl", "sl": "sl"}
SEARCH_DAYS = 370
"""How far ahead the next opening is looked for (a schedule with no open day has none)."""

Hours = tuple[dt.time, dt.time]


class ScheduleError(ValueError):
    """An opening schedule that cannot be used (unknown time zone, closing before opening...)."""


@dataclass(frozen=True)
class Schedule:
    """The helpdesk's week: opening and closing time per weekday (Monday first, None = closed)."""

    days: tuple[Hours | None, ...]
    timezone: str
    holidays: str = ""
    """ISO code of the country whose public holidays close the helpdesk; empty = none."""

    def __post_init__(self) -> None:
        if len(self.days) != 7:
            raise ScheduleError("a schedule has seven days")
        for hours in self.days:
            if hours is not None and hours[0] >= hours[1]:
                raise ScheduleError("a day closes after it opens")
        if self.holidays and self.holidays not in HOLIDAY_COUNTRIES:
            raise ScheduleError(f"public holidays of {self.holidays!r} are not known")
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ScheduleError(f"unknown time zone {self.timezone!r}") from exc

    @property
    def zone(self) -> ZoneInfo:
        """The schedule's time zone."""
        return ZoneInfo(self.timezone)

    def hours_on(self, day: dt.date) -> Hours | None:
        """The opening hours on ``day``: None on a closed weekday or a public holiday."""
        if self.holidays and day in _holidays(self.holidays, day.year):
            return None
        return self.days[day.weekday()]

    def is_open(self, at: dt.datetime) -> bool:
        """Whether the helpdesk is open at the (aware) moment ``at``."""
        local = at.astimezone(self.zone)
        hours = self.hours_on(local.date())
        return hours is not None and hours[0] <= local.time().replace(tzinfo=None) < hours[1]

    def next_opening(self, at: dt.datetime) -> dt.datetime | None:
        """The next moment after ``at`` the helpdesk opens, in its time zone (None: never)."""
        local = at.astimezone(self.zone)
        for offset in range(SEARCH_DAYS):
            day = local.date() + dt.timedelta(days=offset)
            hours = self.hours_on(day)
            if hours is None:
                continue
            opens = dt.datetime.combine(day, hours[0], tzinfo=self.zone)
            if opens > local:
                return opens
        return None

    def to_json(self) -> str:
        """The schedule as stored in ``app_settings``."""
        days = [None if h is None else [h[0].strftime("%H:%M"), h[1].strftime("%H:%M")] for h in self.days]
        return json.dumps({"days": days, "timezone": self.timezone, "holidays": self.holidays})

    @classmethod
    def from_json(cls, raw: str) -> Schedule:
        """Read a stored schedule.

        Raises:
            ScheduleError: If it is not a valid schedule.
        """
        try:
            data = json.loads(raw)
            days = tuple(
                None if h is None else (dt.time.fromisoformat(h[0]), dt.time.fromisoformat(h[1]))
                for h in data["days"]
            )
            return cls(days=days, timezone=str(data["timezone"]), holidays=str(data.get("holidays", "")))
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            raise ScheduleError("not an opening schedule") from exc


@lru_cache(maxsize=32)
def _holidays(country: str, year: int) -> holidays.HolidayBase:
    return holidays.country_holidays(country, years=year)


def default_schedule(settings: Settings) -> Schedule:
    """Monday to Friday 9:00-17:00 in the configured time zone and holiday country."""
    week: Hours = (dt.time(9), dt.time(17))
    return Schedule(
        days=(week,) * 5 + (None, None),
        timezone=settings.helpdesk_timezone,
        holidays=settings.helpdesk_holidays,
    )


def _stored(settings: Settings, key: str) -> str | None:
    with session_scope(settings.database_url) as session:
        row = session.get(AppSetting, key)
        return row.value if row is not None else None


def saved_schedule(settings: Settings) -> Schedule | None:
    """The schedule an admin saved, if any (a database error or a broken value: None)."""
    try:
        raw = _stored(settings, SCHEDULE_KEY)
        return Schedule.from_json(raw) if raw is not None else None
    except SQLAlchemyError:
        log.warning("opening hours: database unavailable, using the default schedule", exc_info=True)
    except ScheduleError:
        log.warning("opening hours: the stored schedule is not valid, using the default", exc_info=True)
    return None


def schedule(settings: Settings) -> Schedule:
    """The schedule in effect: the admin's, else the default."""
    return saved_schedule(settings) or default_schedule(settings)


def set_schedule(settings: Settings, new: Schedule | None, agent_id: int | None) -> None:
    """Store the schedule (None: back to the default schedule and the free-text hours)."""
    _put(settings, SCHEDULE_KEY, new.to_json() if new is not None else "", agent_id)


def _put(settings: Settings, key: str, value: str, agent_id: int | None) -> None:
    with session_scope(settings.database_url) as session:
        row = session.get(AppSetting, key)
        if not value:
            if row is not None:
                session.delete(row)
        elif row is None:
            session.add(AppSetting(key=key, value=value, updated_by=agent_id))
        else:
            row.value, row.updated_by = value, agent_id


def opening_hours(settings: Settings, lang: str = "en") -> str:
    """The opening hours as told to teachers, in ``lang``.

    A saved schedule, written out ("Mon–Fri 09:00–17:00"); without one the free text an admin
    set, or ``NSO_OPENING_HOURS``; without those the default schedule, in ``lang`` (a free text
    is in one language only, so it is the exception). A database error falls back to the default: the handoff
    reply must still go out.
    """
    saved = saved_schedule(settings)
    if saved is not None:
        return describe(saved, lang)
    return free_text_hours(settings) or describe(default_schedule(settings), lang)


def free_text_hours(settings: Settings) -> str:
    """The free-text hours an admin set, or ``NSO_OPENING_HOURS`` (also on a database error)."""
    try:
        return _stored(settings, KEY) or settings.opening_hours
    except SQLAlchemyError:
        log.warning("opening hours: database unavailable, using the configured default", exc_info=True)
        return settings.opening_hours


def set_opening_hours(settings: Settings, value: str, agent_id: int | None) -> str:
    """Store new free-text opening hours; an empty value restores the configured default.

    Returns:
        The free-text opening hours now in effect.
    """
    value = " ".join(value.split())
    _put(settings, KEY, value, agent_id)
    return value or settings.opening_hours


def describe(week: Schedule, lang: str) -> str:
    """The week in ``lang``: runs of days with the same hours, e.g. 'Mon–Fri 09:00–17:00'."""
    locale = LOCALES.get(lang, "en_GB")
    monday = dt.date(2024, 1, 1)  # a Monday
    names = [dates.format_date(monday + dt.timedelta(days=i), "EEE", locale=locale) for i in range(7)]
    runs: list[tuple[int, int, Hours]] = []
    for i, hours in enumerate(week.days):
        if hours is None:
            continue
        if runs and runs[-1][1] == i - 1 and runs[-1][2] == hours:
            runs[-1] = (runs[-1][0], i, hours)
        else:
            runs.append((i, i, hours))
    parts = []
    for first, last, (opens, closes) in runs:
        days = names[first] if first == last else f"{names[first]}–{names[last]}"
        parts.append(f"{days} {format_time(opens, lang)}–{format_time(closes, lang)}")
    return ", ".join(parts)


def format_time(at: dt.time, lang: str) -> str:
    """A clock time in ``lang`` (CLDR short format: 09:00)."""
    return dates.format_time(at, "short", locale=LOCALES.get(lang, "en_GB"))


def format_weekday(day: dt.date, lang: str, *, with_date: bool = False) -> str:
    """A weekday ('Monday', 'maandag', 'ponedeljek'), with the date when it is weeks away."""
    pattern = "EEEE d MMMM" if with_date else "EEEE"
    if lang == "sl":
        pattern = "EEEE, d. M." if with_date else "EEEE"  # numeric, as knowledge.formatting writes sl days
    text = dates.format_date(day, pattern, locale=LOCALES.get(lang, "en_GB"))
    if lang == "sl":  # after "v" Slovenian takes the accusative: v sredo, v soboto, v nedeljo
        weekday, sep, rest = text.partition(",")
        text = (weekday[:-1] + "o" if weekday.endswith("a") else weekday) + sep + rest
    return text
