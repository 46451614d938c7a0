"""Evaluate a rule for one teacher's case: parse the inputs, pick the outcome, explain it.

Pure functions over the rule book: no Rasa, no FastAPI, no I/O beyond the cached YAML load.
Every date, threshold and sentence comes from data/*.yml; this module only decides which
case applies and assembles the sourced explanation.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from knowledge.rules.conditions import check, condition_names
from knowledge.rules.errors import InvalidInputError, UnknownRuleError
from knowledge.rules.loader import RuleBook, load_rulebook
from knowledge.rules.parsing import is_missing, parse_value, shown
from knowledge.rules.render import Renderer
from knowledge.rules.schema import (
    AS_OF,
    Condition,
    Criterion,
    Outcome,
    Reason,
    RuleDef,
    RuleSpec,
    Source,
    Verdict,
)
from knowledge.schema import LANGS, Lang

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Decision:
    """Which outcome applies, or which inputs are still needed to know."""

    outcome: Outcome | None
    criteria: list[Criterion] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def list_rules() -> list[RuleSpec]:
    """List the rules with their inputs and the question to ask for each.

    Returns:
        One ``RuleSpec`` per rule, in a stable order.
    """
    book = load_rulebook()
    return [RuleSpec(name=name, title=rule.title, inputs=rule.inputs) for name, rule in book.rules.items()]


def evaluate(
    rule: str, inputs: Mapping[str, object], lang: str = "en", as_of: dt.date | None = None
) -> Verdict:
    """Answer a personal question (will my group migrate? can we get a label?) for one case.

    Missing inputs are not an error: the verdict is then ``need_more`` and lists them.

    Args:
        rule: The rule's name, e.g. ``group_migration``.
        inputs: Raw input values by name (strings, numbers, dates, lists).
        lang: ``en``, ``nl`` or ``sl`` (``nl-BE`` and upper case are accepted).
        as_of: The date to evaluate deadlines against; today if not given.

    Returns:
        The verdict with a sourced explanation in ``lang``.

    Raises:
        UnknownRuleError: If ``rule`` is not a known rule.
        InvalidInputError: If an input cannot be read, is not an input of the rule, or ``lang``
            is not supported.
    """
    book = load_rulebook()
    definition = _definition(book, rule)
    language = resolve_lang(lang)
    day = as_of or dt.date.today()
    values = _parse_inputs(rule, definition, inputs, book)
    decision = decide(definition, {**values, AS_OF: day}, book.operands)
    renderer = Renderer(book, language, day)
    if decision.outcome is None:
        verdict = _need_more(rule, definition, decision.missing, renderer)
    else:
        verdict = _explain(rule, definition, decision, values, renderer)
    logger.debug("rule %s as of %s: %s", rule, day, verdict.verdict)
    return verdict


def parse_input(rule: str, name: str, raw: object) -> object:
    """Read one input exactly as ``evaluate`` would, so a form can re-ask a bad answer at once.

    Args:
        rule: The rule's name.
        name: The input's name.
        raw: The value as the user gave it.

    Returns:
        The parsed value: a ``date``, ``bool``, ``int``, ``float``, ISO country code, choice or list.

    Raises:
        UnknownRuleError: If ``rule`` is not a known rule.
        InvalidInputError: If ``name`` is not an input of the rule or the value cannot be read.
    """
    book = load_rulebook()
    definition = _definition(book, rule)
    spec = next((spec for spec in definition.inputs if spec.name == name), None)
    if spec is None:
        raise InvalidInputError(name, f"not an input of {rule}")
    if is_missing(raw):
        raise InvalidInputError(name, "no value given", example=spec.example)
    return parse_value(spec, raw, book.lexicon)


def _definition(book: RuleBook, rule: str) -> RuleDef:
    definition = book.rules.get(rule)
    if definition is None:
        raise UnknownRuleError(rule, list(book.rules))
    return definition


def resolve_lang(lang: str) -> Lang:
    """Map 'NL', 'nl-BE' or 'sl_SI' to a supported language code.

    Raises:
        InvalidInputError: If the language is not EN, NL or SL.
    """
    code = lang.strip().lower().replace("_", "-").split("-")[0]
    for known in LANGS:
        if code == known:
            return known
    raise InvalidInputError(
        "lang", f"not a supported language: {shown(lang)} (use {', '.join(LANGS)})", example="en"
    )


def _parse_inputs(
    rule: str, definition: RuleDef, inputs: Mapping[str, object], book: RuleBook
) -> dict[str, object]:
    specs = {spec.name: spec for spec in definition.inputs}
    for name in inputs:
        if name not in specs:
            expected = ", ".join(specs) or "none"
            raise InvalidInputError(name, f"not an input of {rule} (expected: {expected})")
    return {
        name: parse_value(spec, inputs[name], book.lexicon)
        for name, spec in specs.items()
        if name in inputs and not is_missing(inputs[name])
    }


def decide(rule: RuleDef, values: Mapping[str, object], facts: Mapping[str, object]) -> Decision:
    """Pick the outcome the given inputs lead to, or say which inputs are still needed.

    Args:
        rule: The rule definition.
        values: Parsed inputs plus ``as_of``.
        facts: Each fact's operand (``RuleBook.operands``): a dated fact's moment, else its value.

    Returns:
        The decision.
    """
    if rule.criteria:
        results = [(criterion, check(criterion.holds, values, facts)) for criterion in rule.criteria]
        failed = [criterion for criterion, truth in results if truth is False]
        if failed:
            return Decision(rule.if_not_met, criteria=failed)
        unknown = [criterion.holds for criterion, truth in results if truth is None]
        if unknown:
            return Decision(None, missing=_missing(rule, unknown, values))
        return Decision(rule.if_met, criteria=list(rule.criteria))
    for index, case in enumerate(rule.cases):
        truth = True if case.when is None else check(case.when, values, facts)
        if truth is None:
            rest = [later.when for later in rule.cases[index:] if later.when is not None]
            return Decision(None, missing=_missing(rule, rest, values))
        if truth:
            return Decision(case)
    raise AssertionError("the last case has no condition")  # guaranteed by RuleDef


def _missing(rule: RuleDef, conditions: Iterable[Condition], values: Mapping[str, object]) -> list[str]:
    wanted: set[str] = set()
    for condition in conditions:
        wanted |= condition_names(condition)[0]
    return [spec.name for spec in rule.inputs if spec.name in wanted and spec.name not in values]


def _need_more(rule: str, definition: RuleDef, missing: list[str], renderer: Renderer) -> Verdict:
    first = next(spec for spec in definition.inputs if spec.name == missing[0])
    template = renderer.book.messages.need_more.get(renderer.lang)
    return Verdict(
        rule=rule,
        verdict="need_more",
        explanation=template.format(prompt=first.prompt.get(renderer.lang)),
        missing=missing,
        as_of=renderer.as_of,
        lang=renderer.lang,
    )


def _explain(
    rule: str, definition: RuleDef, decision: Decision, values: Mapping[str, object], renderer: Renderer
) -> Verdict:
    assert decision.outcome is not None
    book, outcome = renderer.book, decision.outcome
    context = renderer.context(definition.inputs, values)
    if outcome is definition.if_not_met:
        separator = book.messages.failed_separator[renderer.lang]
        context["failed"] = separator.join(renderer.text(c.failed, None, context) for c in decision.criteria)
    tense = book.state(definition.tense_pivot, renderer.as_of) if definition.tense_pivot else None
    fact_ids = list(
        dict.fromkeys([*(c.reason for c in decision.criteria), *outcome.reasons, *outcome.deadlines])
    )
    reasons = [Reason(text=renderer.fact(f, context), source=source_of(book, f)) for f in fact_ids]
    deadlines = [renderer.fact(f, context) for f in outcome.deadlines]
    sources = list({(r.source.entry, r.source.document): r.source for r in reasons}.values())
    return Verdict(
        rule=rule,
        verdict=outcome.verdict,
        explanation=" ".join([renderer.text(outcome.text, tense, context), *deadlines]),
        reasons=reasons,
        sources=sources,
        as_of=renderer.as_of,
        lang=renderer.lang,
    )


def source_of(book: RuleBook, fact_id: str) -> Source:
    """Describe where a fact comes from: KB entry, document id, title, publisher, date and link."""
    ref = book.facts[fact_id].source
    document = book.documents[ref.document]
    return Source(
        entry=ref.entry,
        document=ref.document,
        title=document.title,
        publisher=document.publisher,
        date=document.date,
        url=document.url,
    )
