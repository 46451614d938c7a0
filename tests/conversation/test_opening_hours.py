"""Opening hours: the weekly schedule, public holidays, and 'open now' / 'we reply on Monday' in EN/NL/SL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from conversation.opening_hours import (
    Schedule,
    ScheduleError,
    default_schedule,
    describe,
    opening_hours,
    schedule,
    set_opening_hours,
    set_schedule,
)
from conversation.texts import availability_text, system_text
from settings import Settings

pytestmark = pytest.mark.unit

BRUSSELS = ZoneInfo("Europe/Brussels")
NINE_TO_FIVE = (dt.time(9), dt.time(17))
WEEKDAYS = Schedule(days=(NINE_TO_FIVE,) * 5 + (None, None), timezone="Europe/Brussels", holidays="BE")


def at(year: int, month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    """A moment in Brussels."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=BRUSSELS)


@pytest.fixture
def settings_db(nso_env: Callable[[Mapping[str, str]], Settings], tmp_path: Path) -> Settings:
    return nso_env({"database_url": f"sqlite:///{tmp_path / 'hours.db'}"})


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (at(2026, 12, 7, 9, 0), True),  # Monday, opening time
        (at(2026, 12, 7, 16, 59), True),
        (at(2026, 12, 7, 17, 0), False),  # closing time
        (at(2026, 12, 5, 11), False),  # Saturday
        (at(2026, 12, 25, 11), False),  # Christmas, a Friday: a Belgian public holiday
        (dt.datetime(2026, 12, 7, 8, 30, tzinfo=dt.UTC), True),  # 9:30 in Brussels
    ],
)
def test_schedule_is_open_follows_week_time_zone_and_holidays(moment: dt.datetime, expected: bool) -> None:
    assert WEEKDAYS.is_open(moment) is expected


def test_schedule_next_opening_skips_weekend_and_holidays() -> None:
    assert WEEKDAYS.next_opening(at(2026, 12, 5, 11)) == at(2026, 12, 7, 9)  # Saturday → Monday
    assert WEEKDAYS.next_opening(at(2026, 12, 24, 18)) == at(2026, 12, 28, 9)  # over Christmas
    assert WEEKDAYS.next_opening(at(2026, 12, 7, 8)) == at(2026, 12, 7, 9)  # later today


def test_schedule_holidays_differ_per_country() -> None:
    slovenia = Schedule(days=WEEKDAYS.days, timezone="Europe/Ljubljana", holidays="SI")
    june_25 = dt.datetime(2026, 6, 25, 10, tzinfo=ZoneInfo("Europe/Ljubljana"))  # Statehood Day (SI)
    assert not slovenia.is_open(june_25) and WEEKDAYS.is_open(june_25)


@pytest.mark.parametrize(
    "make",
    [
        lambda: Schedule(days=(NINE_TO_FIVE,) * 6, timezone="Europe/Brussels"),
        lambda: Schedule(days=((dt.time(17), dt.time(9)),) * 7, timezone="Europe/Brussels"),
        lambda: Schedule(days=(None,) * 7, timezone="Mars/Olympus"),
        lambda: Schedule(days=(None,) * 7, timezone="Europe/Brussels", holidays="FR"),
    ],
)
def test_schedule_invalid_is_refused(make: Callable[[], Schedule]) -> None:
    with pytest.raises(ScheduleError):
        make()


def test_schedule_json_round_trip() -> None:
    assert Schedule.from_json(WEEKDAYS.to_json()) == WEEKDAYS
    with pytest.raises(ScheduleError):
        Schedule.from_json('{"days": 3}')


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("en", "Mon–Fri 09:00–17:00, Sat 10:00–12:00"), ("nl", "ma–vr 09:00–17:00, za 10:00–12:00")],
)
def test_describe_groups_days_in_the_language(lang: str, expected: str) -> None:
    week = Schedule(days=WEEKDAYS.days[:5] + ((dt.time(10), dt.time(12)), None), timezone="Europe/Brussels")
    assert describe(week, lang) == expected


@pytest.mark.parametrize(
    ("moment", "lang", "expected"),
    [
        (at(2026, 12, 7, 10), "en", "The helpdesk is open now: a person will join you here shortly."),
        (
            at(2026, 12, 7, 10),
            "nl",
            "De helpdesk is nu open: een medewerker komt zo dadelijk bij je in dit gesprek.",
        ),
        (at(2026, 12, 5, 11), "en", "The helpdesk is closed now; we reply on Monday from 09:00."),
        (at(2026, 12, 5, 11), "nl", "De helpdesk is nu gesloten; we antwoorden op maandag vanaf 09:00."),
        (
            at(2026, 12, 5, 11),
            "sl",
            "Služba za pomoč je zdaj zaprta; odgovorili vam bomo v ponedeljek od 09:00 dalje.",
        ),
        (
            at(2026, 12, 8, 18),
            "sl",
            "Služba za pomoč je zdaj zaprta; odgovorili vam bomo jutri od 09:00 dalje.",
        ),
        (at(2026, 12, 8, 7), "en", "The helpdesk is closed now; we reply today from 09:00."),
    ],
)
def test_availability_text_says_open_or_next_opening_in_language(
    settings_db: Settings, moment: dt.datetime, lang: str, expected: str
) -> None:
    set_schedule(settings_db, WEEKDAYS, None)
    assert availability_text(settings_db, lang, moment) == expected


def test_availability_text_slovenian_weekday_takes_the_accusative(settings_db: Settings) -> None:
    wednesdays = Schedule(days=(None, None, NINE_TO_FIVE, None, None, None, None), timezone="Europe/Brussels")
    set_schedule(settings_db, wednesdays, None)
    assert "v sredo od 09:00" in availability_text(settings_db, "sl", at(2026, 12, 7, 10))


def test_availability_text_weeks_away_names_the_date(settings_db: Settings) -> None:
    fridays = Schedule(
        days=(None,) * 4 + (NINE_TO_FIVE, None, None), timezone="Europe/Brussels", holidays="BE"
    )
    set_schedule(settings_db, fridays, None)  # 25 December and 1 January are Fridays and holidays
    moment = at(2026, 12, 24, 10)
    assert availability_text(settings_db, "en", moment).endswith("we reply on Friday 8 January from 09:00.")
    assert "v petek, 8. 1. od 09:00" in availability_text(settings_db, "sl", moment)


def test_availability_text_never_open_says_as_soon_as_it_opens(settings_db: Settings) -> None:
    closed_week = Schedule(days=(None,) * 7, timezone="Europe/Brussels")
    set_schedule(settings_db, closed_week, None)
    assert "as soon as it opens again" in availability_text(settings_db, "en", at(2026, 12, 7, 10))


def test_opening_hours_without_schedule_is_the_free_text_then_the_schedule(settings_db: Settings) -> None:
    assert schedule(settings_db) == default_schedule(settings_db)
    # Nothing configured: the default schedule in the teacher's language, not an English text.
    assert opening_hours(settings_db, "nl") == "ma–vr 09:00–17:00"
    assert opening_hours(settings_db, "sl") == "pon.–pet. 09:00–17:00"
    set_opening_hours(settings_db, "Mon-Thu 10-16", None)
    assert opening_hours(settings_db, "nl") == "Mon-Thu 10-16"
    set_schedule(settings_db, WEEKDAYS, None)
    assert opening_hours(settings_db, "nl") == "ma–vr 09:00–17:00"
    set_schedule(settings_db, None, None)
    assert opening_hours(settings_db, "en") == "Mon-Thu 10-16"


def test_system_text_assistant_unavailable_tells_availability(settings_db: Settings) -> None:
    text = system_text("assistant_unavailable", "en", settings_db)
    assert text.startswith("Sorry, the assistant cannot answer right now.")
    assert "The helpdesk is" in text


def test_opening_hours_unreadable_database_falls_back_to_defaults(
    nso_env: Callable[[Mapping[str, str]], Settings], tmp_path: Path
) -> None:
    broken = nso_env({"database_url": f"sqlite:///{tmp_path / 'missing-dir' / 'x.db'}"})
    assert opening_hours(broken) == "Mon–Fri 09:00–17:00"  # the default schedule
    assert schedule(broken) == default_schedule(broken)
