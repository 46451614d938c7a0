"""Values found in a chat message: dates, countries and numbers, with where they stand.

knowledge/rules/answers.py decides which rule input each one answers; this module only finds
them, in English, Dutch and Slovenian:

- dates in the languages' common formats (15.6.2021, 15. 6. 2021, 2021-06-15, 3 March 2021,
  "maart 2021", "junija 2021", "summer 2019", "eind 2021", "2018/2019") as spans at the precision
  they were given (knowledge/rules/spans.py), and relative ones ("last year", "vorig jaar in mei",
  "lani", "two months ago") read against the day of the question;
- countries by name (the rules' list and CLDR's names through Babel, any case of a Slovenian
  name: "v Belgiji") or by code in a short answer ("BE, SI");
- numbers as digits or words ("three", "drie", "tri", "2nd", "tweede").

Word lists are data (knowledge/rules/cues.yml). Every pattern is linear in the text's length;
callers cap the text's length first.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml

from knowledge.rules.loader import load_rulebook
from knowledge.rules.spans import Span, day_span, month_span, months_span, range_span, span_of, year_span

CUES_FILE = Path(__file__).with_name("cues.yml")

_WORD = re.compile(r"[^\W_]+")
_ISO = re.compile(r"(?<![\d.])(\d{4})-(\d{1,2})-(\d{1,2})(?![\d])")
_NUMERIC = re.compile(r"(?<![\d.,/])(\d{1,2})\s?([./-])\s?(\d{1,2})\s?\2\s?(\d{4}|\d{2})(?![\d])")
_DAY_MONTH_YEAR = re.compile(
    r"(?<![\d.,/])(\d{1,2})(?:st|nd|rd|th|e|de|ste)?\.?\s+(?:of\s+)?([^\W\d_]{3,})\.?,?\s+(\d{4})(?!\d)"
)
_MONTH_DAY_YEAR = re.compile(r"(?<![^\W\d_])([^\W\d_]{3,})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})(?!\d)")
_SCHOOL_YEAR = re.compile(r"(?<![\d.\-/])(\d{4})\s?[/-]\s?(\d{4}|\d{2})(?![\d./-])")
_WORD_YEAR = re.compile(r"(?<![^\W\d_])([^\W\d_]{3,})\.?,?\s+(?:(?:of|van|leta|het jaar)\s+)?(\d{4})(?!\d)")
_YEAR = re.compile(r"(?<![\d.,/-])((?:19|20)\d{2})(?![\d.,/-]\d)")
_NUMBER = re.compile(r"(?<![\d.,/-])(\d+(?:[.,]\d+)?)(?:st|nd|rd|th|e|de|ste|\.)?(?![\d/-])")
_CLAUSE = re.compile(
    r"[,;:!?()]|\.(?!\d)|\s-\s|\b(?:and|but|while|whereas|en|maar|terwijl|ampak|vendar|medtem ko)\b"
)
_CLAUSE_SL = re.compile(r"\bin\b")
_CODE = re.compile(r"(?<![A-Za-z])([A-Z]{2})(?![A-Za-z])")

# Slovenian month names in their cases (v maju, do junija, pred julijem); CLDR gives only the nominative.
_SL_MONTH_STEMS = {
    1: "januar", 2: "februar", 3: "marc", 4: "april", 5: "maj", 6: "junij", 7: "julij",
    8: "avgust", 9: "septemb", 10: "oktob", 11: "novemb", 12: "decemb",
}  # fmt: skip
_SL_ENDINGS = ("", "a", "u", "em", "om", "ja", "ju", "jem")


@dataclass(frozen=True)
class Mention:
    """A value found in the text, with where it stands (offsets in the folded text)."""

    kind: Literal["date", "country", "number"]
    start: int
    end: int
    value: Any
    relative: bool = False
    words: str = ""
    weak: bool = False


# --- words ---------------------------------------------------------------------------------


def fold(text: str) -> str:
    """Lower-case, accents stripped (č→c, ë→e), punctuation kept; the same length as ``text``
    for Latin text, so offsets stay comparable."""
    out = []
    for ch in text:
        decomposed = unicodedata.normalize("NFKD", ch)
        base = "".join(c for c in decomposed if not unicodedata.combining(c)) or ch
        out.append(base[0].casefold() if len(base[0].casefold()) == 1 else base[0])
    return "".join(out).replace("’", "'").replace("'", " ")


@lru_cache(maxsize=1)
def cue_data() -> dict[str, Any]:
    """knowledge/rules/cues.yml, with its word lists folded."""
    data: dict[str, Any] = yaml.safe_load(CUES_FILE.read_text(encoding="utf-8"))
    return data


def norm(word: str) -> str:
    """The folded words of a text, one space apart: the form in which messages and the cue
    phrases of cues.yml are compared."""
    return " ".join(_WORD.findall(fold(word)))


@lru_cache(maxsize=1)
def month_words() -> dict[str, int]:
    """Month names and abbreviations in EN/NL/SL (rules' word list, CLDR, Slovenian cases)."""
    from babel import Locale

    found: dict[str, int] = {norm(w): m for w, m in load_rulebook().lexicon.months.items()}
    for code in ("en", "nl", "sl"):
        locale = Locale.parse(code)
        for context in ("format", "stand-alone"):
            for width in ("wide", "abbreviated"):
                for month, name in locale.months[context][width].items():
                    key = norm(name)
                    if len(key) >= 3:
                        found.setdefault(key, month)
    for month, stem in _SL_MONTH_STEMS.items():
        for ending in _SL_ENDINGS:
            found.setdefault(stem + ending, month)
    for stem, month in (("marec", 3), ("septemb", 9), ("oktob", 10), ("novemb", 11), ("decemb", 12)):
        found.setdefault(stem + "er", month)
    return found


def _phrase_index(groups: Mapping[Any, Iterable[str]]) -> list[tuple[str, Any]]:
    """(folded phrase, key) pairs, longest phrase first."""
    pairs = [(norm(str(w)), key) for key, words in groups.items() for w in words]
    return sorted(pairs, key=lambda p: -len(p[0]))


@lru_cache(maxsize=4096)
def cue_pattern(cue: str) -> re.Pattern[str]:
    parts = [re.escape(p) for p in cue.split()]
    return re.compile(r"(?<![^\W_])" + r"\s+".join(parts))


@lru_cache(maxsize=8192)
def phrase_pattern(phrase: str, tail: str = "") -> re.Pattern[str]:
    """The whole-word pattern of a (folded) phrase, compiled once: a message is read for every
    rule, and Python's own regex cache is too small for all the cue words."""
    return re.compile(
        r"(?<![^\W_])" + r"\s+".join(re.escape(p) for p in phrase.split()) + tail + r"(?![^\W_])"
    )


def phrase_at(text: str, phrase: str) -> int:
    match = phrase_pattern(phrase).search(text)
    return match.start() if match else -1


def says_cue(text: str, key: str) -> bool:
    """Whether ``text`` contains any phrase of the cue list ``key`` of cues.yml, both folded
    (``norm``) and matched as whole words."""
    folded = norm(text)
    return any(phrase_at(folded, norm(phrase)) >= 0 for phrase in cue_data()[key])


def mask(text: str, mentions: Iterable[Mention]) -> str:
    chars = list(text)
    for m in mentions:
        chars[m.start : m.end] = "#" * (m.end - m.start)
    return "".join(chars)


def clauses(masked: str, lang: str) -> list[tuple[int, int]]:
    """(start, end) of each clause: split at punctuation and at and/but (en/nl/sl)."""
    cuts = [m.start() for m in _CLAUSE.finditer(masked)]
    if lang == "sl":
        cuts += [m.start() for m in _CLAUSE_SL.finditer(masked)]
    bounds = [0, *sorted(cuts), len(masked)]
    return [(a, b) for a, b in zip(bounds, bounds[1:], strict=False) if b > a]


def clause_of(clauses: list[tuple[int, int]], position: int) -> tuple[int, int]:
    return next(((a, b) for a, b in clauses if a <= position < b), (0, 0))


# --- dates ---------------------------------------------------------------------------------


def find_dates(folded: str, as_of: dt.date) -> list[Mention]:
    """Every date in the (folded) text, most precise reading first, none overlapping."""
    months = month_words()
    found: list[Mention] = []
    taken = bytearray(len(folded))

    def add(start: int, end: int, span: Span | None, relative: bool = False) -> None:
        if span is None or any(taken[start:end]):
            return
        taken[start:end] = b"\x01" * (end - start)
        found.append(Mention("date", start, end, span, relative, folded[start:end]))

    for m in _ISO.finditer(folded):
        add(m.start(), m.end(), _day(int(m[1]), int(m[2]), int(m[3])))
    for m in _NUMERIC.finditer(folded):
        add(m.start(), m.end(), _numeric_day(m[1], m[3], m[4]))
    for m in _DAY_MONTH_YEAR.finditer(folded):
        if (month := months.get(m[2])) is not None:
            add(m.start(), m.end(), _day(int(m[3]), month, int(m[1])))
    for m in _MONTH_DAY_YEAR.finditer(folded):
        if (month := months.get(m[1])) is not None:
            add(m.start(), m.end(), _day(int(m[3]), month, int(m[2])))
    _year_parts(folded, add)
    for m in _SCHOOL_YEAR.finditer(folded):
        first, second = int(m[1]), int(m[2])
        second = second if second > 99 else first // 100 * 100 + second
        if second == first + 1:
            add(m.start(), m.end(), span_of(f"{first}/{second}"))
    for m in _WORD_YEAR.finditer(folded):
        if (month := months.get(m[1])) is not None:
            add(m.start(), m.end(), month_span(int(m[2]), month))
    _relative_dates(folded, as_of, months, add)
    for m in _YEAR.finditer(folded):
        add(m.start(), m.end(), year_span(int(m[1])))
    return sorted(found, key=lambda x: x.start)


def _day(year: int, month: int, day: int) -> Span | None:
    try:
        return day_span(dt.date(year, month, day))
    except ValueError:
        return None


def _numeric_day(first: str, second: str, year: str) -> Span | None:
    full = int(year) if len(year) == 4 else 2000 + int(year)
    day, month = int(first), int(second)
    if month > 12 >= day:  # 03/15/2021: month first
        day, month = month, day
    return _day(full, month, day)


def _year_parts(folded: str, add: Any) -> None:
    cues = cue_data()
    groups: dict[str, tuple[str, list[int]]] = {}
    for name, part in {**cues["year_parts"], **cues["seasons"]}.items():
        for word in part["words"]:
            groups[norm(word)] = (name, part["months"])
    for phrase in sorted(groups, key=len, reverse=True):
        pattern = re.compile(
            r"(?<![^\W\d_])"
            + r"\s+".join(map(re.escape, phrase.split()))
            + r"(?:\s+(?:of|van|het jaar|leta|the year|het))?\s+(\d{4})(?!\d)"
        )
        for m in pattern.finditer(folded):
            name, (first, last) = groups[phrase]
            year = int(m[1])
            notation = {"late": f"{year}-end", "spring": f"{year}-spring", "summer": f"{year}-summer"}.get(
                name, f"{year}-autumn" if name == "autumn" else f"{year}-{name}"
            )
            add(m.start(), m.end(), months_span(year, first, last, notation))
    school = "|".join(r"\s+".join(map(re.escape, norm(w).split())) for w in cues["school_year"])
    for m in re.finditer(rf"(?:{school})\s+(\d{{4}})\s?[/-]\s?(\d{{4}}|\d{{2}})", folded):
        first, second = int(m[1]), int(m[2])
        second = second if second > 99 else first // 100 * 100 + second
        if second == first + 1:
            add(m.start(), m.end(), span_of(f"{first}/{second}"))


def _relative_dates(folded: str, as_of: dt.date, months: Mapping[str, int], add: Any) -> None:
    """ "last year", "vorig jaar in mei", "lani maja", "two months ago", "yesterday", "last May"."""
    relative = cue_data()["relative"]
    month_hits = [
        (m.start(), m.end(), months[m.group()])
        for m in _WORD.finditer(folded)
        if m.group() in months
        and len(m.group()) >= 3
        and m.group() not in ("mar", "may")
        or m.group() == "may"
        and _near_year_word(folded, m.start())
    ]
    for table in ("years_back", "months_back", "weeks_back", "days_back"):
        for phrase, back in _phrase_index(relative[table]):
            at = phrase_at(folded, phrase)
            if at < 0:
                continue
            end = at + len(phrase)
            near = _nearest(month_hits, at, end) if table == "years_back" else None
            if near is not None:  # "vorig jaar in mei": that month of that year
                add(min(at, near[0]), max(end, near[1]), month_span(as_of.year - int(back), near[2]), True)
            else:
                add(at, end, _back(table, int(back), as_of), True)
    lasts = [norm(w) for w in relative["last_before_month"]]
    for start, end, month in month_hits:
        before = folded[max(0, start - 12) : start].split()
        after = folded[end : end + 12].split()
        if (before and before[-1] in lasts) or (after and after[0] in lasts):
            year = as_of.year if month < as_of.month else as_of.year - 1
            add(start, end, month_span(year, month), True)
    for start, end, month in month_hits:  # a month alone: the last one not in the future
        year = as_of.year if month <= as_of.month else as_of.year - 1
        add(start, end, month_span(year, month), True)


def _back(table: str, back: int, as_of: dt.date) -> Span:
    """The span ``back`` years, months, weeks or days before ``as_of`` (this year: until today)."""
    if table == "years_back":
        year = as_of.year - back
        return year_span(year) if year < as_of.year else range_span(dt.date(year, 1, 1), as_of)
    if table == "months_back":
        first = _add_months(as_of.replace(day=1), -back)
        return month_span(first.year, first.month)
    if table == "weeks_back":
        monday = as_of - dt.timedelta(days=as_of.weekday()) - dt.timedelta(weeks=back)
        return range_span(monday, min(monday + dt.timedelta(days=6), as_of))
    return day_span(as_of - dt.timedelta(days=back))


def _near_year_word(folded: str, at: int) -> bool:
    """Whether "may" is the month: "in may", "last may", "may last year" (not "I may have")."""
    before = folded[max(0, at - 6) : at].split()
    return bool(before and before[-1] in ("in", "last", "since", "of", "early", "late", "mid")) or bool(
        re.search(r"\b(?:last|this|year|ago)\b", folded[at : at + 16])
    )


def _nearest(hits: list[tuple[int, int, int]], start: int, end: int) -> tuple[int, int, int] | None:
    near = [h for h in hits if abs(h[0] - end) <= 12 or abs(start - h[1]) <= 12]
    return min(near, key=lambda h: min(abs(h[0] - end), abs(start - h[1]))) if near else None


def _add_months(day: dt.date, count: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)


# --- countries -----------------------------------------------------------------------------


@lru_cache(maxsize=1)
def country_names() -> list[tuple[str, str]]:
    """(folded name, ISO code) for every country the rules know, in EN/NL/SL (rules' list and
    CLDR), longest first; Slovenian names also by their stem, for their cases ("v Belgiji")."""
    from babel import Locale

    lexicon = load_rulebook().lexicon
    names: dict[str, str] = {norm(n): code for n, code in lexicon.countries.items() if len(n) > 2}
    for lang in ("en", "nl", "sl"):
        territories = Locale.parse(lang).territories
        for code in lexicon.by_code:
            if code in territories:
                names.setdefault(norm(territories[code]), code)
    for code, country in lexicon.by_code.items():
        for name in (country.sl, country.en):
            key = norm(name)
            stem = key[:-1] if key[-1:] in "aeio" and len(key) > 5 else key
            if " " not in stem and len(stem) >= 5:
                names.setdefault("~" + stem, code)
    return sorted(names.items(), key=lambda item: -len(item[0]))


def find_countries(text: str, folded: str, masked: str) -> list[Mention]:
    """Countries named in the text (any case of a Slovenian name), or given as codes in a short
    answer or a list ("BE, SI"); not inside dates."""
    found: list[Mention] = []
    taken = bytearray(len(folded))
    for name, code in country_names():
        stem = name.startswith("~")
        phrase = name[1:] if stem else name
        tail = r"[^\W\d_]{0,4}" if stem else ""
        for m in phrase_pattern(phrase, tail).finditer(masked):
            if not any(taken[m.start() : m.end()]):
                taken[m.start() : m.end()] = b"\x01" * (m.end() - m.start())
                found.append(Mention("country", m.start(), m.end(), code))
    codes = load_rulebook().lexicon.by_code
    words = _WORD.findall(text)
    listy = 0 < len(words) <= 6 and all(
        w.isupper() and len(w) == 2 or w.casefold() in ("and", "en", "in", "&") for w in words
    )
    for m in _CODE.finditer(text):
        if m[1] in codes and listy and not any(taken[m.start() : m.end()]):
            found.append(Mention("country", m.start(), m.end(), m[1]))
    return sorted(found, key=lambda x: x.start)


# --- numbers -------------------------------------------------------------------------------


def find_numbers(masked: str) -> list[Mention]:
    """Numbers written as digits or words (dates and countries are masked out)."""
    cues = cue_data()
    words = {norm(str(w)): int(n) for n, ws in cues["number_words"].items() for w in ws}
    weak = {norm(w) for w in cues["weak_number_words"]}
    found = [
        Mention("number", m.start(1), m.end(1), float(m[1].replace(",", ".")) + _half(masked, m.end()))
        for m in _NUMBER.finditer(masked)
    ]
    for phrase, number in sorted(words.items(), key=lambda p: -len(p[0])):
        at = phrase_at(masked, phrase)
        while at >= 0:
            end = at + len(phrase)
            if not any(m.start < end and at < m.end for m in found):
                found.append(
                    Mention("number", at, end, float(number) + _half(masked, end), weak=phrase in weak)
                )
            nxt = phrase_at(masked[end:], phrase)
            at = end + nxt if nxt >= 0 else -1
    return sorted(found, key=lambda x: x.start)


_HALF = re.compile(r"\s+(?:and a half|en een half|en half|in pol)\b")


def _half(masked: str, end: int) -> float:
    """0.5 for "two and a half", "twee en een half", "dve in pol"."""
    return 0.5 if _HALF.match(masked, end) else 0.0
