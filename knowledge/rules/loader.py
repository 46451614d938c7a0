"""Load and cross-check the rule book (knowledge/rules/data/*.yml), once per process.

The pydantic models check each file's shape; this module checks what spans files: every fact
a rule cites exists and names a known document, a dated fact takes its date from the knowledge
base's key date and never restates one, a fact's quote stands in its entry, every condition
names declared inputs and quotes (through its case's reasons) the facts it compares with, every
``{placeholder}`` in a text can be filled. A broken rule book fails at load, loudly.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from knowledge.formatting import format_when
from knowledge.periods import Moment, State
from knowledge.rules.conditions import DAY_OPERATORS, PERIOD_OPERATORS, condition_names, condition_operands
from knowledge.rules.errors import RuleDataError
from knowledge.rules.parsing import Lexicon
from knowledge.rules.schema import (
    AS_OF,
    Condition,
    CountriesFile,
    DocumentMeta,
    Fact,
    FactsFile,
    InputSpec,
    MessagesFile,
    ParsingFile,
    RuleDef,
    RuleFile,
    Tensed,
    placeholders,
)
from knowledge.schema import LANGS, Entry, KeyDate, Lang, Localized

logger = logging.getLogger(__name__)

DATA_DIR = Path(__file__).parent / "data"
KB_DIR = Path(__file__).resolve().parent.parent / "kb"
"""The knowledge base shipped with the code; ``settings.kb_dir`` defaults to the same folder."""
RULE_FILES = ("etwinning_migration.yml", "accounts.yml", "quality_labels.yml", "seg_migration.yml")
"""Rule set files, in the order ``list_rules`` presents their rules."""


@dataclass(frozen=True)
class RuleBook:
    """Everything the engine needs, loaded and checked.

    ``moments`` holds, for each dated fact, the interval of days its key date in the knowledge
    base allows (knowledge/periods.py); ``key_dates`` the key dates themselves.
    """

    rules: dict[str, RuleDef]
    facts: dict[str, Fact]
    documents: dict[str, DocumentMeta]
    messages: MessagesFile
    lexicon: Lexicon
    key_dates: dict[str, KeyDate] = field(default_factory=dict)
    entries: dict[str, Entry] = field(default_factory=dict)

    @cached_property
    def moments(self) -> dict[str, Moment]:
        """The moment of each dated fact, by fact id (computed once: a rule's assessment reads
        the operands for every candidate day, and each moment is built from the KB's dates)."""
        return {fid: key_date.moment for fid, key_date in self.key_dates.items()}

    @cached_property
    def operands(self) -> dict[str, object]:
        """What a condition compares with for each ``$fact``: the key date's moment, else the value."""
        return {fid: self.moments.get(fid, fact.value) for fid, fact in self.facts.items()}

    def state(self, fact_id: str, as_of: dt.date) -> State | None:
        """Whether a dated fact lies ahead, behind or possibly either on ``as_of`` (None: undated)."""
        key_date = self.key_dates.get(fact_id)
        return None if key_date is None else key_date.moment.state(as_of)

    def when(self, fact_id: str, lang: Lang) -> str:
        """A dated fact's date as its source gives it ("in May 2022"), or its value, written in ``lang``."""
        key_date = self.key_dates.get(fact_id)
        if key_date is not None:
            return format_when(key_date.period, key_date.relation, lang)
        return ""


@lru_cache(maxsize=4)
def load_rulebook(data_dir: Path = DATA_DIR, kb_dir: Path = KB_DIR) -> RuleBook:
    """Read and check all rule data; cached, so the YAML is parsed once per process.

    Args:
        data_dir: Folder holding the YAML files (tests may point elsewhere).
        kb_dir: The knowledge base whose documents the facts cite (``settings.kb_dir``).

    Returns:
        The rule book.

    Raises:
        RuleDataError: If a file is malformed or the files do not fit together.
    """
    try:
        rules: dict[str, RuleDef] = {}
        for name in RULE_FILES:
            for rule, definition in RuleFile.model_validate(_read(data_dir / name)).rules.items():
                if rule in rules:
                    raise RuleDataError(f"rule {rule!r} is defined twice")
                rules[rule] = definition
        countries = CountriesFile.model_validate(_read(data_dir / "countries.yml")).countries
        facts = FactsFile.model_validate(_read(data_dir / "facts.yml")).facts
        entries = kb_entries(kb_dir)
        book = RuleBook(
            rules=rules,
            facts=facts,
            documents=kb_documents(kb_dir),
            messages=MessagesFile.model_validate(_read(data_dir / "messages.yml")),
            lexicon=Lexicon.build(ParsingFile.model_validate(_read(data_dir / "parsing.yml")), countries),
            key_dates=_key_dates(facts, entries),
            entries=entries,
        )
    except (ValidationError, ValueError, OSError) as err:
        raise RuleDataError(f"rule data in {data_dir} is invalid: {err}") from err
    problems = check_rulebook(book)
    if problems:
        raise RuleDataError("rule data is inconsistent:\n" + "\n".join(problems))
    book = _with_prompts(book)
    logger.debug("loaded %s rules and %s facts from %s", len(book.rules), len(book.facts), data_dir)
    return book


def _key_dates(facts: dict[str, Fact], entries: dict[str, Entry]) -> dict[str, KeyDate]:
    """The knowledge base's key date of each dated fact (missing ones are reported by the check)."""
    found: dict[str, KeyDate] = {}
    for fid, fact in facts.items():
        entry = entries.get(fact.source.entry)
        if fact.date is None or entry is None:
            continue
        key_date = next((d for d in entry.dates if d.id == fact.date), None)
        if key_date is not None:
            found[fid] = key_date
    return found


def _with_prompts(book: RuleBook) -> RuleBook:
    """The rule book with the fact placeholders of input prompts filled ("by {fact}" -> "by 15 May")."""
    rules: dict[str, RuleDef] = {}
    for name, rule in book.rules.items():
        inputs = [_filled(spec, book) if placeholders(spec.prompt) else spec for spec in rule.inputs]
        rules[name] = rule.model_copy(update={"inputs": inputs})
    return RuleBook(
        rules, book.facts, book.documents, book.messages, book.lexicon, book.key_dates, book.entries
    )


def _filled(spec: InputSpec, book: RuleBook) -> InputSpec:
    filled = {
        lang: spec.prompt.get(lang).format_map({fid: book.when(fid, lang) for fid in book.key_dates})
        for lang in LANGS
    }
    return spec.model_copy(update={"prompt": Localized(**filled)})


def kb_documents(kb_dir: Path = KB_DIR) -> dict[str, DocumentMeta]:
    """The source documents as the knowledge base describes them (one place for titles/dates).

    Args:
        kb_dir: The knowledge base folder.

    Returns:
        Title, publisher, date, version and link of each document, by document id.
    """
    from knowledge.loader import load_kb

    return {
        doc.id: DocumentMeta(
            title=doc.title, publisher=doc.publisher, date=doc.date, version=doc.version, url=doc.url
        )
        for doc in load_kb(kb_dir).documents.values()
    }


def kb_entries(kb_dir: Path = KB_DIR) -> dict[str, Entry]:
    """The knowledge base's entries by id (the facts' key dates and quoted sentences)."""
    from knowledge.loader import load_kb

    return dict(load_kb(kb_dir).entries)


def _read(path: Path) -> Any:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def check_rulebook(book: RuleBook) -> list[str]:
    """List every cross-file inconsistency (empty when the rule book is sound).

    Args:
        book: The loaded rule book.

    Returns:
        One line per problem.
    """
    problems = [
        f"fact {fid}: unknown document {fact.source.document!r}"
        for fid, fact in book.facts.items()
        if fact.source.document not in book.documents
    ]
    for fid, fact in book.facts.items():
        problems += [f"fact {fid}: {problem}" for problem in _check_fact(fid, fact, book)]
    for rule, definition in book.rules.items():
        problems += [f"rule {rule}: {problem}" for problem in _check_rule(definition, book)]
    return problems


def _check_fact(fid: str, fact: Fact, book: RuleBook) -> list[str]:
    problems = [
        f"unknown placeholder {{{name}}}" for name in sorted(placeholders(fact.says) - {"date", *book.facts})
    ]
    entry = book.entries.get(fact.source.entry)
    if entry is None:
        return [*problems, f"no knowledge base entry {fact.source.entry!r}"]
    if isinstance(fact.value, dt.date):
        problems.append(f"restates a date ({fact.value}); name the key date of {entry.id} with 'date:'")
    if fact.date is not None and fid not in book.key_dates:
        problems.append(f"{entry.id} has no key date {fact.date!r}")
    if "date" in placeholders(fact.says) and fact.date is None and fact.kind != "threshold":
        problems.append("{date} needs a key date or a threshold value")
    key_date = book.key_dates.get(fid)
    if (
        key_date is not None
        and key_date.kind == "deadline"
        and key_date.moment.day is None
        and isinstance(fact.says, Tensed)
        and fact.says.during is None
    ):
        problems.append(f"a deadline known only {key_date.says!r} needs a 'during' text (it may have passed)")
    return problems  # the quote is checked against the source document by python -m knowledge validate


def _check_rule(rule: RuleDef, book: RuleBook) -> list[str]:
    facts = book.facts
    problems: list[str] = []
    names = [spec.name for spec in rule.inputs]
    if len(set(names)) != len(names) or AS_OF in names:
        problems.append("input names must be unique and not 'as_of'")
    sourced: list[tuple[Condition, set[str]]] = [
        (case.when, {*case.reasons, *case.deadlines}) for case in rule.cases if case.when
    ]
    sourced += [(c.holds, {c.reason}) for c in rule.criteria]
    for condition, reasons in sourced:
        try:
            inputs, cited = condition_names(condition)
        except ValueError as err:
            problems.append(f"condition {condition}: {err}")
            continue
        problems += [f"condition names unknown input {n!r}" for n in sorted(inputs - {*names, AS_OF})]
        problems += [f"condition names unknown fact {f!r}" for f in sorted(cited - facts.keys())]
        problems += [
            f"condition compares with {f!r}, which its case's reasons do not cite (the quote it rests on)"
            for f in sorted((cited & facts.keys()) - reasons)
        ]
        problems += _operand_problems(condition, book)
    cited_facts = [f for o in rule.outcomes() for f in (*o.reasons, *o.deadlines)]
    cited_facts += [c.reason for c in rule.criteria] + ([rule.tense_pivot] if rule.tense_pivot else [])
    problems += [f"unknown fact {f!r}" for f in cited_facts if f not in facts]
    if rule.tense_pivot is not None and rule.tense_pivot in facts and rule.tense_pivot not in book.key_dates:
        problems.append(f"tense_pivot {rule.tense_pivot!r} has no key date")
    if any(isinstance(o.text, Tensed) for o in rule.outcomes()) and rule.tense_pivot is None:
        problems.append("a tensed text needs a tense_pivot")
    if not all(o.reasons or rule.criteria for o in rule.outcomes()):
        problems.append("every outcome cites the facts (and so the quotes) it rests on")
    fillable = {*names, *(f"{n}_count" for n in names), *facts}
    for outcome in rule.outcomes():
        extra = {"failed"} if outcome is rule.if_not_met else set()
        problems += [
            f"unknown placeholder {{{p}}}" for p in sorted(placeholders(outcome.text) - fillable - extra)
        ]
    for criterion in rule.criteria:
        problems += [
            f"unknown placeholder {{{p}}}" for p in sorted(placeholders(criterion.failed) - fillable)
        ]
    for spec in rule.inputs:
        problems += [
            f"input {spec.name}: prompt placeholder {{{p}}} is not a dated fact"
            for p in sorted(placeholders(spec.prompt) - book.key_dates.keys())
        ]
    return problems


def _operand_problems(condition: Condition, book: RuleBook) -> list[str]:
    """Dates compared the way their precision allows: to the day only when the source gives the day."""
    problems = []
    for op, fact_id in condition_operands(condition):
        if fact_id not in book.facts:
            continue
        key_date = book.key_dates.get(fact_id)
        if op in PERIOD_OPERATORS and key_date is None:
            problems.append(f"{op!r} needs a dated fact, {fact_id!r} has no key date")
        elif op in DAY_OPERATORS and key_date is not None and key_date.moment.day is None:
            problems.append(
                f"{op!r} compares with {fact_id!r} to the day, but its source says only {key_date.says!r}: "
                "use before, within or after"
            )
    return problems
