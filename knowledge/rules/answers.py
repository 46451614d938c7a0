"""Read a free-text chat answer ("since March last year", "yes, it is multiannual", "3 teachers")
into a rule input.

``parse_input`` reads clean values (15.6.2021, ja, BE). People in a chat wrap them in words, so
this module tries the clean reading first and then, by input type, a date anywhere in the text
(dateparser, in the user's language), the first number, a yes/no from the message's intent, or a
single known word. It fails with the clean reader's error, which quotes what the user typed.

Every pattern here is linear in the text's length (a word is matched from its first letter
only), and answers longer than ``MAX_ANSWER_CHARS`` are refused before any reading.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping

from knowledge.rules.engine import list_rules, parse_input
from knowledge.rules.errors import InvalidInputError
from knowledge.rules.loader import load_rulebook
from knowledge.rules.parsing import normalize
from knowledge.rules.schema import InputSpec

_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
_NUMERIC_DATE = re.compile(r"\d{1,2}\s*[./-]\s*\d{1,2}\s*[./-]\s*\d{2,4}")
# The look-behind starts a month name only at the beginning of a word: without it every letter
# of a long word would be a start, and the scan quadratic.
_MONTH_YEAR = re.compile(r"(?<![^\W\d_])([^\W\d_]+)\.?\s+(\d{4})")
_YEAR_ONLY = re.compile(r"^\W*(?:(?:in|en|v|leta|year)\W*)?\d{4}\W*$", re.IGNORECASE)
_WORD = re.compile(r"[^\W_]+(?:[-'][^\W_]+)*")
INTENT_BOOLS = {"affirm": True, "deny": False}
MAX_ANSWER_CHARS = 2000
"""Longest chat answer read (the chat's own message limit); a longer one is refused unread."""


def input_spec(rule: str, name: str) -> InputSpec:
    """The spec of one input of a rule (raises InvalidInputError if unknown)."""
    spec = next((i for r in list_rules() if r.name == rule for i in r.inputs if i.name == name), None)
    if spec is None:
        raise InvalidInputError(name, f"not an input of {rule}")
    return spec


def read_answer(
    rule: str, name: str, text: str, *, lang: str, as_of: dt.date, intent: str | None = None
) -> object:
    """Parse ``text`` as input ``name`` of ``rule``; returns the value ``evaluate`` accepts.

    Args:
        rule: Rule name.
        name: Input name.
        text: What the user typed.
        lang: The user's language, for month names and relative dates.
        as_of: The date relative expressions ("last year") refer to.
        intent: The NLU intent of the message (affirm/deny answer yes/no questions).

    Returns:
        The parsed value (date, bool, int, float, country code, choice or list).

    Raises:
        InvalidInputError: If no reading works or the text is longer than ``MAX_ANSWER_CHARS``;
            the message quotes (the start of) the user's text.
    """
    if len(text) > MAX_ANSWER_CHARS:
        spec = input_spec(rule, name)
        raise InvalidInputError(
            name, f"too long: {len(text)} characters, at most {MAX_ANSWER_CHARS}", example=spec.example
        )
    try:
        return parse_input(rule, name, text)
    except InvalidInputError as first:
        spec = input_spec(rule, name)
        for candidate in _candidates(spec, text, lang, as_of, intent):
            try:
                return parse_input(rule, name, candidate)
            except InvalidInputError:
                continue
        raise first from None


def _candidates(spec: InputSpec, text: str, lang: str, as_of: dt.date, intent: str | None) -> list[object]:
    readers: dict[str, Callable[[], list[object]]] = {
        "date": lambda: _dates(text, lang, as_of),
        "int": lambda: [m.group().replace(",", ".") for m in _NUMBER.finditer(text)],
        "number": lambda: [m.group().replace(",", ".") for m in _NUMBER.finditer(text)],
        "bool": lambda: ([INTENT_BOOLS[intent]] if intent in INTENT_BOOLS else []) + _words(text),
    }
    return readers.get(spec.type, lambda: _words(text))()


def _words(text: str) -> list[object]:
    words = _WORD.findall(text)
    pairs = [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]
    return [*pairs, *words]


def _dates(text: str, lang: str, as_of: dt.date) -> list[object]:
    """Dates in free text: "junija 2021", "since March last year", "two years ago".

    A numeric date that failed the strict reader (31.02.2021) is not guessed at, and a bare
    year is too vague to decide a deadline, so neither yields a candidate.
    """
    if _NUMERIC_DATE.search(text):
        return []
    months = load_rulebook().lexicon.months
    for word, year in _MONTH_YEAR.findall(text):
        month = months.get(normalize(word))
        if month is not None:
            return [dt.date(int(year), month, 1).isoformat()]
    return _relative_dates(text, lang, as_of, months)


def _relative_dates(text: str, lang: str, as_of: dt.date, months: Mapping[str, int]) -> list[object]:
    from dateparser.search import search_dates

    settings = {
        "PREFER_DAY_OF_MONTH": "first",
        "PREFER_DATES_FROM": "past",
        "DATE_ORDER": "DMY",
        "RELATIVE_BASE": dt.datetime.combine(as_of, dt.time()),
    }
    found = search_dates(text, languages=[lang, "en"], settings=settings) or []
    found = [(part, when) for part, when in found if not _YEAR_ONLY.match(part)]
    month_words = [when for part, when in found if normalize(part) in months]
    others = [when for part, when in found if normalize(part) not in months]
    if month_words and others:  # "maart" + "vorig jaar": the month of the year meant
        return [month_words[0].replace(year=others[0].year).date().isoformat()]
    return [when.date().isoformat() for _, when in found]
