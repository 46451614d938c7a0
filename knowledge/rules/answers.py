"""Read a rule's inputs from what a teacher types in a chat, in English, Dutch or Slovenian.

``parse_input`` reads clean values (15.6.2021, ja, BE). People in a chat wrap them in sentences
and give several at once: "our group had a post on 10.5.2021, will it be migrated?", "both
founders are in Belgium", "we have 3 active teachers and one NQL", "vorig jaar in mei". So
``read_facts`` reads every input of a rule a message gives: the dates, countries and numbers
knowledge/rules/mentions.py finds (a date at the precision it was given, a relative one checked
for plausibility), yes/no by phrase or as the answer to a yes/no question, and the rules' choices.

Which input a value answers is decided by words near it (knowledge/rules/cues.yml): a date near
"registered" is the project's registration, a country near "partner" the co-founder's. A value
no word ties to an input answers the input being asked.

Texts longer than ``MAX_ANSWER_CHARS`` are refused before any reading; every pattern is linear
in the text's length.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from knowledge.rules.engine import list_rules, parse_input
from knowledge.rules.errors import InvalidInputError
from knowledge.rules.loader import load_rulebook
from knowledge.rules.mentions import (
    Mention,
    clause_of,
    clauses,
    cue_data,
    cue_pattern,
    find_countries,
    find_dates,
    find_numbers,
    fold,
    mask,
    norm,
    phrase_at,
    phrase_pattern,
)
from knowledge.rules.message_kinds import yes_or_no
from knowledge.rules.schema import InputSpec
from knowledge.rules.spans import Span, span_of

MAX_ANSWER_CHARS = 2000
"""Longest chat answer read (the chat's own message limit); a longer one is refused unread."""
CUE_WINDOW = 4
"""Words on either side of a number in which a cue ties it to an input."""

Doubt = Literal["future", "too_early", "after_platform"]
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Reading:
    """What one message says about a rule's inputs.

    Attributes:
        values: Slot values by input name, each accepted by the rules (a date as an ISO day or a
            span notation, knowledge/rules/spans.py).
        doubts: Inputs whose reading is implausible (a future day; a relative date after the old
            platform closed), with why; their values are in ``values`` too, for the question.
        relative: The words a relative date was read from, by input ("vorig jaar in mei").
    """

    values: dict[str, object] = field(default_factory=dict)
    doubts: dict[str, Doubt] = field(default_factory=dict)
    relative: dict[str, str] = field(default_factory=dict)


def input_spec(rule: str, name: str) -> InputSpec:
    """The spec of one input of a rule (raises InvalidInputError if unknown)."""
    spec = next((i for r in list_rules() if r.name == rule for i in r.inputs if i.name == name), None)
    if spec is None:
        raise InvalidInputError(name, f"not an input of {rule}")
    return spec


def rule_specs(rule: str) -> list[InputSpec]:
    """The inputs of a rule, in the order it asks them."""
    return next((list(r.inputs) for r in list_rules() if r.name == rule), [])


def read_answer(
    rule: str, name: str, text: str, *, lang: str, as_of: dt.date, intent: str | None = None
) -> object:
    """Parse ``text`` as the answer to input ``name`` of ``rule``.

    Args:
        rule: Rule name.
        name: Input name.
        text: What the user typed.
        lang: The user's language.
        as_of: The day relative expressions ("last year") refer to.
        intent: The NLU intent of the message (affirm/deny answer yes/no questions).

    Returns:
        The value as a slot stores it: a date as an ISO day or a span notation, a bool, a number,
        a country code, a choice or a list.

    Raises:
        InvalidInputError: If no reading works or the text is longer than ``MAX_ANSWER_CHARS``;
            the message quotes (the start of) the user's text.
    """
    spec = input_spec(rule, name)
    if len(text) > MAX_ANSWER_CHARS:
        raise InvalidInputError(
            name, f"too long: {len(text)} characters, at most {MAX_ANSWER_CHARS}", example=spec.example
        )
    try:
        return storable(parse_input(rule, name, text))
    except InvalidInputError as first:
        reading = read_facts(rule, text, lang=lang, as_of=as_of, requested=name, intent=intent)
        if name in reading.values:
            return reading.values[name]
        raise first from None


def storable(value: object) -> object:
    """A parsed value as a slot holds it (dates as ISO days)."""
    return value.isoformat() if isinstance(value, dt.date) else value


def read_facts(
    rule: str,
    text: str,
    *,
    lang: str,
    as_of: dt.date,
    requested: str | None = None,
    intent: str | None = None,
    known: Iterable[str] = (),
) -> Reading:
    """Read every input of ``rule`` that ``text`` gives.

    Args:
        rule: Rule name.
        text: The user's message.
        lang: Its language (Slovenian "in" means "and").
        as_of: The day of the question, for relative dates and plausibility.
        requested: The input the assistant just asked for: a value no cue ties to another input
            answers it, and a bare yes/no (or the NLU's affirm/deny) answers it if it is yes/no.
        intent: The NLU intent of the message.
        known: Inputs that already have a value; an untied value prefers the others.

    Returns:
        The reading; empty if the text is longer than ``MAX_ANSWER_CHARS``.
    """
    specs = {spec.name: spec for spec in rule_specs(rule)}
    if not specs or len(text) > MAX_ANSWER_CHARS:
        return Reading()
    folded = fold(text)
    dates = find_dates(folded, as_of)
    masked = mask(folded, dates)
    countries = find_countries(text, folded, masked)
    without = mask(masked, countries)
    draft = _Draft(specs, folded, clauses(without, lang), requested, set(known), intent, as_of)
    draft.dates(dates)
    draft.countries(countries)
    draft.numbers(find_numbers(without), dates)
    draft.booleans()
    draft.choices()
    checked = {name: value for name, value in draft.values.items() if _accepted(rule, name, value)}
    doubts = {
        name: doubt
        for name, value in checked.items()
        if (span := span_of(value)) is not None
        and specs[name].type == "date"
        and (doubt := plausibility(name, span, as_of, relative=name in draft.relative)) is not None
    }
    return Reading(checked, doubts, {n: w for n, w in draft.relative.items() if n in checked})


def _accepted(rule: str, name: str, value: object) -> bool:
    """Whether the rules accept the value (a date input: any span)."""
    if input_spec(rule, name).type == "date":
        return span_of(value) is not None
    try:
        parse_input(rule, name, value)
    except InvalidInputError:
        return False
    return True


def plausibility(name: str, span: Span, as_of: dt.date, *, relative: bool) -> Doubt | None:
    """Why a date read for ``name`` is implausible, or None.

    A date after the day of the question is never right; one before eTwinning began is a typo;
    a relative date ("vorig jaar in mei") about the old platform that falls after the old
    platform closed means the teacher counted from another year.
    """
    if span.first > as_of:
        return "future"
    cues = cue_data()
    if span.last < dt.date.fromisoformat(str(cues["history_start"])):
        return "too_early"
    if relative and name in cues["old_platform_dates"]:
        end = _old_platform_end()
        if end is not None and span.first > end:
            return "after_platform"
    return None


def _old_platform_end() -> dt.date | None:
    moment = load_rulebook().operands.get(str(cue_data()["old_platform_end_fact"]))
    last = getattr(moment, "last", None)
    return last if isinstance(last, dt.date) else None


# --- assigning values to inputs ------------------------------------------------------------


def _cue_distance(folded: str, clause: tuple[int, int], mention: Mention, cues: Iterable[str]) -> int | None:
    """Characters from the mention to the nearest cue in its clause (None: no cue there)."""
    start, end = clause
    best: int | None = None
    for cue in cues:
        for m in cue_pattern(norm(cue)).finditer(folded, start, end):
            if m.start() < mention.end and mention.start < m.end():
                continue
            distance = mention.start - m.end() if m.end() <= mention.start else m.start() - mention.end + 1
            best = distance if best is None else min(best, distance)
    return best


def _window(folded: str, mention: Mention) -> tuple[int, int]:
    """The span of ``CUE_WINDOW`` words on either side of a mention."""
    before = [m.start() for m in _WORD.finditer(folded, 0, mention.start)]
    after = [m.end() for m in _WORD.finditer(folded, mention.end)]
    start = before[-CUE_WINDOW] if len(before) >= CUE_WINDOW else 0
    end = after[CUE_WINDOW - 1] if len(after) >= CUE_WINDOW else len(folded)
    return (start, end)


def _number(value: float) -> object:
    """A whole number as an int (the rules refuse 2.5 for an int input), else the float."""
    return int(value) if float(value).is_integer() else value


@dataclass
class _Draft:
    """The values read so far from one message, and what ties values to inputs."""

    specs: Mapping[str, InputSpec]
    folded: str
    clauses: list[tuple[int, int]]
    requested: str | None
    filled: set[str]
    intent: str | None
    as_of: dt.date
    values: dict[str, object] = field(default_factory=dict)
    relative: dict[str, str] = field(default_factory=dict)

    def of_type(self, *types: str) -> list[str]:
        """The rule's inputs of these types, in the rule's order."""
        return [n for n, s in self.specs.items() if s.type in types]

    def tied(
        self,
        mention: Mention,
        cue_lists: Mapping[str, Iterable[str]],
        clause: tuple[int, int] | None = None,
    ) -> str | None:
        """The input still empty whose cue stands nearest the mention in its clause (or ``clause``)."""
        where = clause or clause_of(self.clauses, mention.start)
        scored = [
            (distance, name)
            for name, cues in cue_lists.items()
            if name not in self.values  # taken by a nearer value
            and (distance := _cue_distance(self.folded, where, mention, cues)) is not None
        ]
        return min(scored)[1] if scored else None

    def untied_target(self, names: list[str]) -> str | None:
        """Where a value no cue ties goes: the asked input, else the first one still empty."""
        if self.requested in names and self.requested not in self.values:
            return self.requested
        return next((n for n in names if n not in self.filled and n not in self.values), None)

    def set_date(self, name: str, mention: Mention) -> None:
        """Store a date mention as its span's notation (and the words of a relative one)."""
        self.values[name] = mention.value.notation
        if mention.relative:
            self.relative[name] = mention.words

    def dates(self, dates: list[Mention]) -> None:
        """A rule with one date input takes the last date; otherwise cues decide."""
        names = self.of_type("date")
        if not names or not dates:
            return
        if len(names) == 1:
            self.set_date(names[0], dates[-1])
            return
        cue_lists = cue_data()["date_cues"]
        untied = []
        for mention in dates:
            name = self.tied(mention, {n: cue_lists.get(n, []) for n in names})
            if name is None or name in self.values:
                untied.append(mention)
            else:
                self.set_date(name, mention)
        for mention in untied:
            if (name := self.untied_target(names)) is not None:
                self.set_date(name, mention)

    def countries(self, countries: list[Mention]) -> None:
        """All countries answer a list input; "both" gives both founders one; cues decide the rest."""
        if not countries:
            return
        for name in self.of_type("country_list"):
            self.values[name] = list(dict.fromkeys(m.value for m in countries))
        names = self.of_type("country")
        if not names:
            return
        cues = cue_data()
        both = any(phrase_at(self.folded, norm(w)) >= 0 for w in cues["both"])
        if both and len(names) == 2 and len({m.value for m in countries}) == 1:
            self.values.update(dict.fromkeys(names, countries[0].value))
            return
        untied = []
        for mention in countries:
            tied = self.tied(mention, {n: cues["country_cues"].get(n, []) for n in names})
            if tied is None or tied in self.values:
                untied.append(mention)
            else:
                self.values[tied] = mention.value
        for mention in untied:
            if (target := self.untied_target(names)) is not None:
                self.values[target] = mention.value

    def numbers(self, numbers: list[Mention], dates: list[Mention]) -> None:
        """Numbers tied by the noun near them; "since 2019" counts years; a bare one answers."""
        names = self.of_type("int", "number")
        if not names:
            return
        cues = cue_data()
        since = cues["since"]
        for name in (n for n in names if n in since["inputs"]):
            for mention in dates:
                before = self.folded[max(0, mention.start - 24) : mention.start]
                year = mention.value.first.year
                if (
                    any(cue_pattern(norm(w)).search(before) for w in since["words"])
                    and year <= self.as_of.year
                ):
                    self.values[name] = float(self.as_of.year - year)
        cue_lists = {n: cues["number_cues"].get(n, []) for n in names}
        untied: list[Mention] = []
        for mention in sorted(numbers, key=lambda m: m.weak):  # "en", "een" only after the others
            tied = self.tied(mention, cue_lists, _window(self.folded, mention))
            if tied is not None and tied not in self.values:
                self.values[tied] = _number(mention.value)
            elif not mention.weak:
                untied.append(mention)
        if self.requested in names and self.requested not in self.values and untied:
            self.values[self.requested] = _number(untied[0].value)

    def booleans(self) -> None:
        """Phrases that answer a yes/no input anywhere; a bare yes/no answers the asked one."""
        phrases = cue_data()["booleans"]
        for name in self.of_type("bool"):
            for answer in ("no", "yes"):
                if any(phrase_at(self.folded, norm(p)) >= 0 for p in phrases.get(name, {}).get(answer, [])):
                    self.values[name] = answer == "yes"
                    break
        if self.requested in self.of_type("bool") and self.requested not in self.values:
            given = yes_or_no(self.folded, self.intent)
            if given is not None:
                self.values[self.requested] = given

    def choices(self) -> None:
        """The rules' choices by name or synonym; a list input only when it is asked."""
        lexicon = load_rulebook().lexicon
        for name in self.of_type("choice", "choice_list"):
            spec = self.specs[name]
            if spec.type == "choice_list" and name != self.requested:
                continue
            hits: dict[str, int] = {}
            for word, choice in sorted(lexicon.choices.items(), key=lambda p: -len(p[0])):
                if (
                    choice not in (spec.choices or [])
                    or choice in hits
                    or (len(word) <= 2 and name != self.requested)
                ):
                    continue
                if (at := _word_at(self.folded, word)) >= 0:
                    hits[choice] = at
            ordered = sorted(hits, key=hits.__getitem__)
            if ordered and spec.type == "choice_list":
                self.values[name] = ordered
            elif len(ordered) == 1 or (ordered and name == self.requested):
                self.values[name] = ordered[0]


_PLURAL = r"(?:s|es|en|ren|i|ji|ev|e)?"
"""Endings a choice's word may carry in a message: "pupils", "leerlingen", "dijaki"."""


def _word_at(folded: str, word: str) -> int:
    """Where ``word`` (a choice's name or synonym) stands in the text, also in its plural; -1 if
    nowhere. Words of up to three letters ("ta") must stand as they are."""
    if len(word) <= 3:
        return phrase_at(folded, word)
    match = phrase_pattern(word, _PLURAL).search(folded)
    return match.start() if match else -1
