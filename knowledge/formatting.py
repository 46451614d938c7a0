"""Dates, numbers and lists written for users, in English, Dutch or Slovenian.

The one place that turns values into words: answer notes (knowledge/notes.py) and rule verdicts
(knowledge/rules/render.py) both call it, so a date reads the same in an answer and in a verdict.
Month names, digits, separators and the word for "and" come from CLDR through Babel; only the
choice of pattern per language is ours.

Slovenian days are written as numbers ("15. 6. 2022", CLDR's own numeric Slovenian date), not with
a month name. In a Slovenian sentence the month name takes the case of the word before it: "do
15. junija", "pred 15. junijem", "po 15. juniju", "med 1. januarjem in 21. februarjem". The rule
texts put dates after all of these, and no single spelled-out form fits them all, while a number
fits every one. A month on its own ("maj 2022") stands in the nominative, as CLDR writes it.

A date the sources give less precisely than to the day ("v maju 2022", "second semester 2022",
"tot 30/9") is written at that precision, with the source's relation to it, by ``format_when``:
"in May 2022", "in het tweede semester van 2022", "do 30. 9.". Its phrases are data
(knowledge/dates.yml), and so are the Slovenian month names after a preposition ("do julija",
"pred julijem", "v maju"), which CLDR does not decline.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from babel import dates, lists, numbers

from knowledge.periods import Period, Relation
from knowledge.schema import Lang

DATES_FILE = Path(__file__).with_name("dates.yml")

# CLDR locales: British English for day-month-year order, as EU documents write dates.
LOCALES: dict[Lang, str] = {"en": "en_GB", "nl": "nl", "sl": "sl"}

# CLDR date patterns (d day, M month number, MMMM month name, LLLL month name on its own, y year).
# en and nl are CLDR's "long" date format; sl is CLDR's numeric one (skeleton yMd).
DAY_PATTERNS: dict[Lang, str] = {"en": "d MMMM y", "nl": "d MMMM y", "sl": "d. M. y"}
MONTH_PATTERNS: dict[Lang, str] = {"en": "LLLL y", "nl": "LLLL y", "sl": "LLLL y"}
# A day without its year ("30 September", "30 september", "30. 9."); sl numeric as DAY_PATTERNS.
DAY_MONTH_PATTERNS: dict[Lang, str] = {"en": "d MMMM", "nl": "d MMMM", "sl": "d. M."}


def format_day(day: dt.date, lang: Lang) -> str:
    """Write a date to the day, the way the language writes it in running text.

    Args:
        day: The date.
        lang: The user's language.

    Returns:
        "15 June 2022", "15 juni 2022" or "15. 6. 2022".
    """
    return dates.format_date(day, DAY_PATTERNS[lang], locale=LOCALES[lang])


def format_month(year: int, month: int, lang: Lang) -> str:
    """Write a month of a year, for dates the sources give only to the month.

    Args:
        year: The year.
        month: The month, 1 to 12.
        lang: The user's language.

    Returns:
        "May 2022", "mei 2022" or "maj 2022".

    Raises:
        ValueError: If ``month`` is not 1 to 12.
    """
    return dates.format_date(dt.date(year, month, 1), MONTH_PATTERNS[lang], locale=LOCALES[lang])


@lru_cache(maxsize=1)
def date_words() -> dict[str, Any]:
    """knowledge/dates.yml: phrases for dates at each precision, Slovenian month cases, source words."""
    with DATES_FILE.open(encoding="utf-8") as fh:
        data: dict[str, Any] = yaml.safe_load(fh)
    return data


def phrase_key(period: Period) -> str:
    """The key of ``period``'s phrase in knowledge/dates.yml (semester_2, spring, month, ...)."""
    if period.precision == "semester":
        return f"semester_{period.part}"
    if period.precision == "season":
        return str(period.part)
    return period.precision


def format_when(period: Period, relation: Relation, lang: Lang) -> str:
    """Write a dated fact as precisely as its source, with the source's relation to it.

    A day on its own ("in" a day) is written bare, so that a sentence can put its own "on",
    "by" or "before" in front; every other phrase carries its preposition.

    Args:
        period: The period the source names.
        relation: How the source relates to it (in, before, until, by, after).
        lang: The user's language.

    Returns:
        "15 June 2022", "in May 2022", "vóór juli 2022", "do drugega polletja leta 2022",
        "spomladi 2023", "tot 30 september".
    """
    template: str = date_words()["phrases"][relation][phrase_key(period)][lang]
    values: dict[str, str] = {"year": "" if period.year is None else str(period.year)}
    if period.month is not None:
        anchor = dt.date(period.year or 2024, period.month, period.day or 1)
        if period.day is not None:
            values["day"] = format_day(anchor, lang)
            values["day_month"] = dates.format_date(anchor, DAY_MONTH_PATTERNS[lang], locale=LOCALES[lang])
        if period.year is not None:
            values["month_year"] = format_month(period.year, period.month, lang)
        values.update(
            {f"month_{case}": name for case, name in date_words()["sl_months"][period.month].items()}
        )
    return template.format_map(values)


def format_number(value: float, lang: Lang) -> str:
    """Write a number with the language's separators and without a useless ".0".

    Args:
        value: The number.
        lang: The user's language.

    Returns:
        "2", "2.5" or "2,5", "1,500" or "1.500".
    """
    return numbers.format_decimal(value, locale=LOCALES[lang])


def format_list(items: Iterable[str], lang: Lang) -> str:
    """Join words into a list the way a sentence does, with the language's "and".

    Args:
        items: The words, already written in ``lang``.
        lang: The user's language.

    Returns:
        "Belgium, France and Spain", "België, Frankrijk en Spanje", "Belgija, Francija in Španija";
        one word alone; an empty string for none.
    """
    return lists.format_list(list(items), locale=LOCALES[lang])
