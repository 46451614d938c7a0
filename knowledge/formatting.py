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
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from babel import dates, lists, numbers

from knowledge.schema import Lang

# CLDR locales: British English for day-month-year order, as EU documents write dates.
LOCALES: dict[Lang, str] = {"en": "en_GB", "nl": "nl", "sl": "sl"}

# CLDR date patterns (d day, M month number, MMMM month name, LLLL month name on its own, y year).
# en and nl are CLDR's "long" date format; sl is CLDR's numeric one (skeleton yMd).
DAY_PATTERNS: dict[Lang, str] = {"en": "d MMMM y", "nl": "d MMMM y", "sl": "d. M. y"}
MONTH_PATTERNS: dict[Lang, str] = {"en": "LLLL y", "nl": "LLLL y", "sl": "LLLL y"}


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
