"""Dates as precise as the teacher gave them, and verdicts that hold for every day they allow.

A teacher writes "february 2022", "in 2020", "summer 2019" or "vorig jaar in mei": a stretch of
days, not a day. Turning that into its first day invents a precision nobody gave ("1 February
2022" and a confident "yes" although the window closed on the 21st). So a date input is kept as a
``Span`` (first and last day, and how it was said), stored in a slot in a short notation, and
``assess`` decides the rule for every day of the span: when they all lead to the same case, that
case is the answer, written with the teacher's own precision ("in February 2022"); when the span
straddles a boundary of the rule, the answer is to ask for the day, naming the boundary.

The notation extends the knowledge base's (knowledge/periods.py): 2021-06-15, 2022-02, 2022,
2022-H2, 2023-spring, 2023-end, plus 2021-early (January to March), 2021-mid (April to
September), 2021-winter (December 2020 to February 2021), 2018/2019 (a school year, September to
August) and 2026-11-09..2026-11-15 (any range of days).
"""

from __future__ import annotations

import calendar
import datetime as dt
import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass

from knowledge.formatting import format_day, format_month, format_when
from knowledge.periods import Period, parse_period
from knowledge.rules.engine import decide, evaluate, parse_input
from knowledge.rules.errors import InvalidInputError
from knowledge.rules.loader import load_rulebook
from knowledge.rules.schema import AS_OF, Verdict
from knowledge.schema import Lang

MAX_DAYS = 800
"""Longest span decided day by day; a longer one is sampled weekly (rules change at day boundaries
that sources give, and two sampled weeks bracket each)."""
MAX_COMBINATIONS = 20_000
"""Most combinations of days tried when several date inputs are vague at once."""

_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$")
_SCHOOL_YEAR = re.compile(r"^(\d{4})/(\d{4})$")
_PART = re.compile(r"^(\d{4})-(early|mid|winter)$")
_PARTS = {"early": (1, 3), "mid": (4, 9)}
# How a vague date reads in a sentence where its day would stand (en/nl put "on"/"op" before a day).
_DAY_PREPOSITIONS: dict[Lang, tuple[str, ...]] = {"en": ("on ",), "nl": ("op ",), "sl": ()}
_LABELS: dict[str, dict[Lang, str]] = {
    "early": {"en": "early {year}", "nl": "begin {year}", "sl": "na začetku leta {year}"},
    "mid": {"en": "mid-{year}", "nl": "midden {year}", "sl": "sredi leta {year}"},
    "winter": {
        "en": "winter {previous}/{year}",
        "nl": "de winter van {previous}-{year}",
        "sl": "pozimi {previous}/{year}",
    },
    "school_year": {
        "en": "the {year}/{next} school year",
        "nl": "het schooljaar {year}-{next}",
        "sl": "šolsko leto {year}/{next}",
    },
    "range": {
        "en": "between {first} and {last}",
        "nl": "tussen {first} en {last}",
        "sl": "med {first} in {last}",
    },
}


@dataclass(frozen=True)
class Span:
    """A date known to lie between ``first`` and ``last``, in the notation it was read as."""

    first: dt.date
    last: dt.date
    notation: str

    @property
    def is_day(self) -> bool:
        """Whether the span is a single day."""
        return self.first == self.last

    def days(self, limit: int = MAX_DAYS) -> list[dt.date]:
        """Every day of the span, or one a week (with the last) when it is longer than ``limit``."""
        count = (self.last - self.first).days + 1
        step = 1 if count <= limit else 7
        found = [self.first + dt.timedelta(days=i) for i in range(0, count, step)]
        return found if found[-1] == self.last else [*found, self.last]

    def label(self, lang: Lang) -> str:
        """The span as a sentence writes it: "15 June 2021", "in February 2022", "in 2020"."""
        if self.is_day:
            return format_day(self.first, lang)
        period = _period(self.notation)
        if period is not None:
            return format_when(period, "in", lang)
        return _own_label(self, lang)

    def name(self, lang: Lang) -> str:
        """The span on its own, as a subject or after a verb: "February 2022", "2020"."""
        if self.is_day:
            return format_day(self.first, lang)
        period = _period(self.notation)
        if period is not None and period.precision == "month" and period.year and period.month:
            return format_month(period.year, period.month, lang)
        if period is not None and period.precision == "year":
            return str(period.year)
        label = self.label(lang)
        return label[3:] if lang in ("en", "nl") and label.startswith("in ") else label


def span_of(value: object) -> Span | None:
    """Read a slot value as a span: a date, an ISO day or a notation; None for anything else."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return Span(value, value, value.isoformat())
    if not isinstance(value, str):
        return None
    text = value.strip()
    try:
        return _parse(text)
    except ValueError:
        return None


def day_span(day: dt.date) -> Span:
    """A span of one day."""
    return Span(day, day, day.isoformat())


def month_span(year: int, month: int) -> Span:
    """The span of a month."""
    return Span(dt.date(year, month, 1), _month_end(year, month), f"{year}-{month:02d}")


def year_span(year: int) -> Span:
    """The span of a year."""
    return Span(dt.date(year, 1, 1), dt.date(year, 12, 31), str(year))


def months_span(year: int, first_month: int, last_month: int, notation: str) -> Span:
    """The span from the first day of one month to the last of another (a year before if later)."""
    start_year = year - 1 if first_month > last_month else year
    return Span(dt.date(start_year, first_month, 1), _month_end(year, last_month), notation)


def range_span(first: dt.date, last: dt.date) -> Span:
    """A span of any range of days."""
    if first == last:
        return day_span(first)
    return Span(first, last, f"{first.isoformat()}..{last.isoformat()}")


def _parse(text: str) -> Span:
    if match := _RANGE.match(text):
        first, last = dt.date.fromisoformat(match[1]), dt.date.fromisoformat(match[2])
        if first > last:
            raise ValueError(text)
        return range_span(first, last)
    if match := _SCHOOL_YEAR.match(text):
        year = int(match[1])
        if int(match[2]) != year + 1:
            raise ValueError(text)
        return Span(dt.date(year, 9, 1), dt.date(year + 1, 8, 31), text)
    if match := _PART.match(text):
        year, part = int(match[1]), match[2]
        if part == "winter":
            return months_span(year, 12, 2, text)
        first_month, last_month = _PARTS[part]
        return months_span(year, first_month, last_month, text)
    period = parse_period(text)  # raises ValueError
    if period.precision == "day_no_year":
        raise ValueError(text)
    (first, last), *_ = period.spans()
    return Span(first, last, text)


def _period(notation: str) -> Period | None:
    try:
        period = parse_period(notation)
    except ValueError:
        return None
    return period if period.precision != "day_no_year" else None


def _own_label(span: Span, lang: Lang) -> str:
    if match := _PART.match(span.notation):
        year = int(match[1])
        return _LABELS[match[2]][lang].format(year=year, previous=year - 1)
    if match := _SCHOOL_YEAR.match(span.notation):
        return _LABELS["school_year"][lang].format(year=match[1], next=match[2])
    return _LABELS["range"][lang].format(first=format_day(span.first, lang), last=format_day(span.last, lang))


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


# --- deciding a rule over spans --------------------------------------------------------------


@dataclass(frozen=True)
class Assessment:
    """A rule's verdict for inputs that may hold vague dates.

    Attributes:
        verdict: The verdict; ``need_more`` lists what to ask next (a vague input included when
            its span straddles a boundary).
        vague: The date input whose span straddles a boundary of the rule, if any.
        boundary: The first day on which the answer differs from the span's first day.
        spans: The vague (not single-day) date inputs, as given.
    """

    verdict: Verdict
    vague: str | None = None
    boundary: dt.date | None = None
    spans: Mapping[str, Span] | None = None


def assess(rule: str, inputs: Mapping[str, object], lang: Lang, as_of: dt.date) -> Assessment:
    """Evaluate ``rule`` with inputs whose dates may be spans.

    Args:
        rule: The rule's name.
        inputs: Slot values by input name: dates as ISO days or span notations, other values as
            ``evaluate`` takes them.
        lang: The answer's language.
        as_of: The day of the question.

    Returns:
        The assessment: the rule's verdict when every day of each span leads to the same case
        (its explanation written with the span), else ``need_more`` for the vague input.

    Raises:
        UnknownRuleError: If the rule does not exist.
        InvalidInputError: If an input cannot be read.
    """
    book = load_rulebook()
    definition = book.rules.get(rule)
    if definition is None:
        return Assessment(evaluate(rule, inputs, lang, as_of))  # raises UnknownRuleError
    date_inputs = {spec.name for spec in definition.inputs if spec.type == "date"}
    spans = {
        name: span
        for name, value in inputs.items()
        if name in date_inputs and (span := span_of(value)) is not None and not span.is_day
    }
    days = {name: span_of(value) for name, value in inputs.items() if name in date_inputs}
    for name, value in inputs.items():
        if name in date_inputs and days[name] is None:
            raise InvalidInputError(name, f"not a date: {value!r}")
    plain = {n: (s.first.isoformat() if (s := days.get(n)) else v) for n, v in inputs.items()}
    if not spans:
        return Assessment(evaluate(rule, plain, lang, as_of))
    parsed = {name: parse_input(rule, name, value) for name, value in plain.items()}
    names = list(spans)
    choices = [spans[n].days() for n in names]
    while _count(choices) > MAX_COMBINATIONS:
        widest = max(range(len(choices)), key=lambda i: len(choices[i]))
        choices[widest] = choices[widest][::2] + [choices[widest][-1]]
    outcomes: list[tuple[tuple[dt.date, ...], object]] = []
    missing: list[str] = []
    for combination in itertools.product(*choices):
        values = {**parsed, **dict(zip(names, combination, strict=True)), AS_OF: as_of}
        decision = decide(definition, values, book.operands)
        if decision.outcome is None:
            missing += [m for m in decision.missing if m not in missing]
        outcomes.append((combination, decision.outcome))
    shown = _representatives(rule, plain, spans, lang, as_of)
    verdict = evaluate(rule, {**plain, **{n: d.isoformat() for n, d in shown.items()}}, lang, as_of)
    if missing:
        order = [spec.name for spec in definition.inputs if spec.name in missing]
        return Assessment(verdict.model_copy(update={"verdict": "need_more", "missing": order}), spans=spans)
    distinct = {id(outcome) for _, outcome in outcomes}
    if len(distinct) == 1:
        return Assessment(_with_spans(verdict, spans, shown, lang), spans=spans)
    first_outcome = outcomes[0][1]
    changed = next(combination for combination, outcome in outcomes if outcome is not first_outcome)
    index = next(i for i, c in enumerate(changed) if c != choices[i][0]) if len(names) > 1 else 0
    need = verdict.model_copy(update={"verdict": "need_more", "missing": [names[index]]})
    return Assessment(need, vague=names[index], boundary=changed[index], spans=spans)


def _count(choices: list[list[dt.date]]) -> int:
    total = 1
    for days in choices:
        total *= len(days)
    return total


def _representatives(
    rule: str, plain: Mapping[str, object], spans: Mapping[str, Span], lang: Lang, as_of: dt.date
) -> dict[str, dt.date]:
    """A day of each span to write the verdict with, one whose words the text uses nowhere else.

    The verdict is rendered with a day standing in for each span and that day's words are then
    replaced by the span's; a day that is also a date of the rule's facts (the window opened on
    1 January 2021, the first day of "early 2021") would replace the fact's date too.
    """
    shown: dict[str, dt.date] = {}
    for name, span in spans.items():
        days = span.days()
        middle = days[len(days) // 2 :] + days[: len(days) // 2]
        other = days[0] if days[0] != middle[0] else days[-1]
        others = {**plain, **{n: s.first.isoformat() for n, s in spans.items()}, name: other.isoformat()}
        text = evaluate(rule, others, lang, as_of).explanation
        shown[name] = next((d for d in middle[:31] if format_day(d, lang) not in text), middle[0])
    return shown


def _with_spans(
    verdict: Verdict, spans: Mapping[str, Span], shown: Mapping[str, dt.date], lang: Lang
) -> Verdict:
    """Write each vague input as the teacher gave it where the verdict wrote its stand-in day."""
    explanation = verdict.explanation
    reasons = list(verdict.reasons)
    for name, span in spans.items():
        explanation = _replace_day(explanation, shown[name], span, lang)
        reasons = [
            r.model_copy(update={"text": _replace_day(r.text, shown[name], span, lang)}) for r in reasons
        ]
    return verdict.model_copy(update={"explanation": explanation, "reasons": reasons})


def _replace_day(text: str, stand_in: dt.date, span: Span, lang: Lang) -> str:
    day = format_day(stand_in, lang)
    label = span.label(lang)
    for preposition in _DAY_PREPOSITIONS[lang]:
        text = text.replace(preposition + day, label)
    bare = label if lang == "sl" else _bare_label(span, lang)
    return text.replace(day, bare)


def _bare_label(span: Span, lang: Lang) -> str:
    """The label without its leading "in" (en/nl), for places where no preposition stood."""
    label = span.label(lang)
    return label[3:] if label.startswith("in ") else label
