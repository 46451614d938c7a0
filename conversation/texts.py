"""The user-facing system texts of the conversation (conversation/texts.yml), in EN/NL/SL.

They are what the gateway and the helpdesk say themselves, without Rasa: the assistant is
unavailable, an agent joined, the conversation went back to the assistant or was closed, and
whether the helpdesk is open now or when it replies.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path

import yaml

from conversation.opening_hours import format_time, format_weekday, opening_hours, schedule
from settings import Settings

MESSAGES_FILE = Path(__file__).resolve().parent / "texts.yml"


@lru_cache(maxsize=1)
def _texts() -> dict[str, dict[str, str]]:
    data: dict[str, dict[str, str]] = yaml.safe_load(MESSAGES_FILE.read_text(encoding="utf-8"))
    return data


def system_text(key: str, lang: str, settings: Settings, **values: str) -> str:
    """A gateway message in ``lang`` (texts in conversation/texts.yml); ``values`` fill its fields.

    ``{hours}`` is the opening hours and ``{availability}`` whether the helpdesk is open now.
    """
    text = _texts()[key][lang]
    filled = {"hours": opening_hours(settings, lang), **values}
    if "{availability}" in text:
        filled.setdefault("availability", availability_text(settings, lang))
    return text.format(**filled)


def availability_text(settings: Settings, lang: str, now: dt.datetime | None = None) -> str:
    """'The helpdesk is open now…' or 'closed now; we reply on Monday from 09:00', in ``lang``.

    Args:
        settings: Where the schedule is stored.
        lang: The teacher's language (en, nl, sl).
        now: The moment to judge (default: now).

    Returns:
        One sentence from texts.yml, with the next opening's day and time in CLDR's words.
    """
    texts = _texts()
    at = now or dt.datetime.now(dt.UTC)
    week = schedule(settings)
    if week.is_open(at):
        return texts["helpdesk_open"][lang]
    opens = week.next_opening(at)
    if opens is None:
        return texts["helpdesk_closed_no_hours"][lang]
    days_away = (opens.date() - at.astimezone(week.zone).date()).days
    if days_away == 0:
        day = texts["opens_today"][lang]
    elif days_away == 1:
        day = texts["opens_tomorrow"][lang]
    else:
        day = texts["opens_on"][lang].format(day=format_weekday(opens.date(), lang, with_date=days_away > 6))
    return texts["helpdesk_closed"][lang].format(day=day, time=format_time(opens.time(), lang))
