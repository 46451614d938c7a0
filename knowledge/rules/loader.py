"""Load and cross-check the rule book (knowledge/rules/data/*.yml), once per process.

The pydantic models check each file's shape; this module checks what spans files: every fact
a rule cites exists and names a known document, every condition names declared inputs, every
``{placeholder}`` in a text can be filled. A broken rule book fails at load, loudly.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from knowledge.rules.conditions import condition_names
from knowledge.rules.errors import RuleDataError
from knowledge.rules.parsing import Lexicon
from knowledge.rules.schema import (
    AS_OF,
    CountriesFile,
    DocumentMeta,
    Fact,
    FactsFile,
    MessagesFile,
    ParsingFile,
    RuleDef,
    RuleFile,
    Tensed,
    placeholders,
)

logger = logging.getLogger(__name__)

DATA_DIR = Path(__file__).parent / "data"
KB_DIR = Path(__file__).resolve().parent.parent / "kb"
"""The knowledge base shipped with the code; ``settings.kb_dir`` defaults to the same folder."""
RULE_FILES = ("etwinning_migration.yml", "accounts.yml", "quality_labels.yml", "seg_migration.yml")
"""Rule set files, in the order ``list_rules`` presents their rules."""


@dataclass(frozen=True)
class RuleBook:
    """Everything the engine needs, loaded and checked."""

    rules: dict[str, RuleDef]
    facts: dict[str, Fact]
    documents: dict[str, DocumentMeta]
    messages: MessagesFile
    lexicon: Lexicon


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
        book = RuleBook(
            rules=rules,
            facts=FactsFile.model_validate(_read(data_dir / "facts.yml")).facts,
            documents=kb_documents(kb_dir),
            messages=MessagesFile.model_validate(_read(data_dir / "messages.yml")),
            lexicon=Lexicon.build(ParsingFile.model_validate(_read(data_dir / "parsing.yml")), countries),
        )
    except (ValidationError, ValueError, OSError) as err:
        raise RuleDataError(f"rule data in {data_dir} is invalid: {err}") from err
    problems = check_rulebook(book)
    if problems:
        raise RuleDataError("rule data is inconsistent:\n" + "\n".join(problems))
    logger.debug("loaded %s rules and %s facts from %s", len(book.rules), len(book.facts), data_dir)
    return book


def kb_documents(kb_dir: Path = KB_DIR) -> dict[str, DocumentMeta]:
    """The source documents as the knowledge base describes them (one place for titles/dates).

    Args:
        kb_dir: The knowledge base folder.

    Returns:
        Title, publisher, date and version of each document, by document id.
    """
    from knowledge.loader import load_kb

    return {
        doc.id: DocumentMeta(title=doc.title, publisher=doc.publisher, date=doc.date, version=doc.version)
        for doc in load_kb(kb_dir).documents.values()
    }


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
    problems += [
        f"fact {fid}: unknown placeholder {{{name}}}"
        for fid, fact in book.facts.items()
        for name in placeholders(fact.says) - {"date", *book.facts}
    ]
    for rule, definition in book.rules.items():
        problems += [f"rule {rule}: {problem}" for problem in _check_rule(definition, book.facts)]
    return problems


def _check_rule(rule: RuleDef, facts: dict[str, Fact]) -> list[str]:
    problems: list[str] = []
    names = [spec.name for spec in rule.inputs]
    if len(set(names)) != len(names) or AS_OF in names:
        problems.append("input names must be unique and not 'as_of'")
    conditions = [case.when for case in rule.cases if case.when] + [c.holds for c in rule.criteria]
    for condition in conditions:
        try:
            inputs, cited = condition_names(condition)
        except ValueError as err:
            problems.append(f"condition {condition}: {err}")
            continue
        problems += [f"condition names unknown input {n!r}" for n in sorted(inputs - {*names, AS_OF})]
        problems += [f"condition names unknown fact {f!r}" for f in sorted(cited - facts.keys())]
    cited_facts = [f for o in rule.outcomes() for f in (*o.reasons, *o.deadlines)]
    cited_facts += [c.reason for c in rule.criteria] + ([rule.tense_pivot] if rule.tense_pivot else [])
    problems += [f"unknown fact {f!r}" for f in cited_facts if f not in facts]
    if any(isinstance(o.text, Tensed) for o in rule.outcomes()) and rule.tense_pivot is None:
        problems.append("a tensed text needs a tense_pivot")
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
    return problems
