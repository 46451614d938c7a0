"""Checks that every date is exactly as precise as its source and written in one place only.

``python -m knowledge validate`` runs them (knowledge/validate.py) and reports ``file:line``:

- a key date of the knowledge base quotes its source's words (``says``), those words stand in the
  entry's question or answer and in the source document, and they name the same date at the same
  precision as ``date`` ("v maju 2022" is May 2022, never 1 May 2022);
- a label does not restate its date (the note writes the date next to it);
- a rule fact (knowledge/rules/data/facts.yml) names its date by the key date's id and never
  restates it: not as a value, and not in any text of the rules, where a fact's placeholder
  writes it; a fact quotes the sentence it rests on, verbatim from its entry and its document.

Dates are read out of text with the words of knowledge/dates.yml (``read_dates``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

import yaml

from knowledge.formatting import date_words
from knowledge.periods import Period, Precision
from knowledge.schema import LANGS, Document, Entry, KnowledgeFile, Lang

SEEDS_DIR = Path(__file__).resolve().parent.parent.parent / "shared" / "seeds"
RULES_DATA_DIR = Path(__file__).resolve().parent / "rules" / "data"
# How fine each precision is, for messages ("more precise than its source").
FINENESS: dict[Precision, int] = {
    "day": 4,
    "day_no_year": 3,
    "month": 2,
    "semester": 1,
    "season": 1,
    "year_end": 1,
    "year": 0,
}

Found = tuple[Path, int, str]
"""A problem: file, 1-based line, message."""


@dataclass(frozen=True)
class DateWords:
    """A date found in a text: the words, and the period they name (None: a half year without year)."""

    text: str
    period: Period | None


def normalize(text: str) -> str:
    """Text with runs of white space as one space, for verbatim comparisons across line breaks."""
    return " ".join(text.split())


@lru_cache(maxsize=3)
def _patterns(lang: Lang) -> list[tuple[str, re.Pattern[str]]]:
    words = date_words()["source_words"]
    months = {name: int(number) for number, names in words["months"][lang].items() for name in names}
    month = _alternatives(months)
    ordinal = _alternatives(words["semester_ordinals"][lang])
    noun = _alternatives(words["semester_nouns"][lang])
    season = _alternatives(words["seasons"][lang])
    end = _alternatives(words["year_end"][lang])
    year = r"(?P<year>(?:19|20)\d{2})(?![\d/])"
    day = r"(?<![\d.])(?P<day>\d{1,2})"
    patterns = {
        "iso": r"(?<!\d)(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})(?!\d)",
        "numeric": rf"{day}\.\s?(?P<month>\d{{1,2}})\.\s?{year}",
        "named_day": rf"{day}\.?\s+(?P<month>{month})\b(?:\s+{year})?",
        "semester": rf"\b(?P<part>{ordinal})\s+(?:{noun})\b(?:\s+(?:of|van|leta))?(?:\s+{year})?",
        "season": rf"\b(?P<part>{season})\s+(?:of\s+|van\s+)?{year}",
        "year_end": rf"\b(?:{end})\s+{year}",
        "month": rf"\b(?P<month>{month})\s+{year}",
        "slash": r"(?<![\d/.])(?P<day>\d{1,2})/(?P<month>\d{1,2})(?![\d/])",
        "numeric_no_year": rf"{day}\.\s(?P<month>\d{{1,2}})\.(?!\s?\d)",
        "year": rf"(?<![\d/.-]){year}",
    }
    return [(name, re.compile(pattern)) for name, pattern in patterns.items()]


def _alternatives(names: Iterable[str]) -> str:
    return "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))


def read_dates(text: str, lang: Lang) -> list[DateWords]:
    """Every date ``text`` names, as precisely as its words give it, in order.

    Args:
        text: A sentence in ``lang``.
        lang: Its language.

    Returns:
        The dates found: "31 May 2022" a day, "v maju 2022" a month, "second semester 2022" a
        half year, "voorjaar 2023" a season, "eind 2023" the end of a year, "tot 30/9" a day
        without its year, "In 2022" a year. School years ("2018/2019") are not dates here.
    """
    words = date_words()["source_words"]
    months = {name: int(number) for number, names in words["months"][lang].items() for name in names}
    lowered = text.lower()
    taken: list[tuple[int, int]] = []
    found: list[tuple[int, DateWords]] = []
    for name, pattern in _patterns(lang):
        for match in pattern.finditer(lowered):
            start, end = match.span()
            if any(start < e and s < end for s, e in taken):
                continue
            period = _period(name, match.groupdict(), months, words, lang)
            if name in ("slash", "numeric_no_year") and period is None:
                continue  # "40/3" is no date
            taken.append((start, end))
            found.append((start, DateWords(text[start:end], period)))
    return [words_ for _, words_ in sorted(found, key=lambda item: item[0])]


DAY_PATTERNS = ("iso", "numeric", "named_day", "slash", "numeric_no_year")


def _period(
    name: str,
    parts: Mapping[str, str | None],
    months: Mapping[str, int],
    words: Mapping[str, Any],
    lang: Lang,
) -> Period | None:
    year = int(str(parts["year"])) if parts.get("year") else None
    raw = parts.get("month")
    month = None if raw is None else months.get(raw, int(raw) if raw.isdigit() else 0)
    if month is not None and not 1 <= month <= 12:
        return None
    if name in DAY_PATTERNS:
        day = int(parts["day"] or 0)
        try:
            dt.date(year or 2024, month or 1, day)
        except ValueError:
            return None
        return Period("day" if year else "day_no_year", year, month, day)
    part = parts.get("part")
    if name == "semester":
        return (
            Period("semester", year, part=words["semester_ordinals"][lang][part]) if year and part else None
        )
    if name == "season":
        return Period("season", year, part=words["seasons"][lang][part]) if part else None
    return Period(name, year, month) if name in ("year_end", "month") else Period("year", year)  # type: ignore[arg-type]


class FileCheck(Protocol):
    """What knowledge/validate.py knows of one KB file: its path, content and line lookup."""

    path: Path
    content: KnowledgeFile | None

    def line_of(self, *loc: int | str) -> int:
        """The 1-based line of a location in the file."""
        ...


def seed_text(doc: Document, seeds_dir: Path = SEEDS_DIR) -> str | None:
    """The source document's text (normalized), or None when the seeds are not on this machine."""
    path = seeds_dir / doc.seed
    return normalize(path.read_text(encoding="utf-8")) if path.is_file() else None


def kb_problems(checks: Sequence[FileCheck], seeds_dir: Path = SEEDS_DIR) -> Iterator[Found]:
    """Problems of the knowledge base's key dates and of the documents' ``written_before``.

    Args:
        checks: The KB files that passed the schema.
        seeds_dir: Where the source documents are (skipped when absent).

    Yields:
        (file, line, message) for each problem.
    """
    key_dates: dict[str, Mapping[str, object]] = {}
    for check in checks:
        assert check.content is not None
        doc = check.content.document
        seed = seed_text(doc, seeds_dir)
        for i, entry in enumerate(check.content.entries):
            key_dates[entry.id] = {d.id: d for d in entry.dates}
            for j in range(len(entry.dates)):
                for message in _key_date_problems(entry, j, doc, seed):
                    yield check.path, check.line_of("entries", i, "dates", j), message
    for check in checks:
        assert check.content is not None
        ref = check.content.document.written_before
        if ref is None:
            continue
        entry_id, date_id = ref.split("#")
        target = key_dates.get(entry_id, {}).get(date_id)
        line = check.line_of("document", "written_before")
        if target is None:
            yield check.path, line, f"written_before: no key date {ref!r}"
        elif getattr(target, "kind", None) != "event":
            yield check.path, line, f"written_before: {ref!r} is no event"


def _key_date_problems(entry: Entry, j: int, doc: Document, seed: str | None) -> Iterator[str]:
    key_date = entry.dates[j]
    lang = doc.language
    own = normalize(f"{entry.question[lang]} {entry.answer[lang].text}")
    says = normalize(key_date.says)
    if says not in own:
        yield f"dates.{key_date.id}: says {key_date.says!r} is not in the entry's question or answer ({lang})"
    if seed is not None and says not in seed:
        yield f"dates.{key_date.id}: says {key_date.says!r} is not in the source document {doc.seed}"
    named = [w for w in read_dates(key_date.says, lang) if w.period is None or w.period.precision != "year"]
    named = named or read_dates(key_date.says, lang)
    if len(named) != 1 or named[0].period is None:
        listed = ", ".join(repr(w.text) for w in named) or "none"
        yield f"dates.{key_date.id}: says must name exactly one date with its year or day ({listed})"
    else:
        yield from _precision_problems(key_date.id, key_date.period, named[0])
    for label_lang in LANGS:
        for words in read_dates(key_date.label.get(label_lang), label_lang):
            yield (
                f"dates.{key_date.id}: label.{label_lang} restates a date ({words.text!r}); "
                "the note writes the date itself"
            )


def _precision_problems(date_id: str, period: Period, words: DateWords) -> Iterator[str]:
    assert words.period is not None
    if period == words.period:
        return
    if FINENESS[period.precision] > FINENESS[words.period.precision]:
        yield (
            f"dates.{date_id}: date {period} ({period.precision}) is more precise than its source words "
            f"{words.text!r} ({words.period.precision}: {words.period})"
        )
    else:
        yield f"dates.{date_id}: date {period} is not what its words {words.text!r} say ({words.period})"


def rule_problems(
    checks: Sequence[FileCheck], rules_dir: Path = RULES_DATA_DIR, seeds_dir: Path = SEEDS_DIR
) -> Iterator[Found]:
    """Problems where the rules restate a date, miss their key date or misquote their source.

    Args:
        checks: The KB files that passed the schema (the facts' entries and documents).
        rules_dir: knowledge/rules/data.
        seeds_dir: Where the source documents are (skipped when absent).

    Yields:
        (file, line, message) for each problem.
    """
    entries: dict[str, tuple[Entry, Document]] = {}
    for check in checks:
        assert check.content is not None
        entries |= {e.id: (e, check.content.document) for e in check.content.entries}
    documents = {doc.id: doc for _, doc in entries.values()}
    allowed = {doc.date for doc in documents.values() if doc.date is not None}
    facts_path = rules_dir / "facts.yml"
    if facts_path.is_file():
        yield from _fact_problems(facts_path, entries, seeds_dir)
    for path in sorted(rules_dir.glob("*.yml")):
        yield from _restated_dates(path, allowed)


def rulebook_problems(kb_dir: Path, rules_dir: Path = RULES_DATA_DIR) -> Iterator[Found]:
    """What the rule book's own load refuses (knowledge/rules/loader.py), e.g. a condition that
    compares to the day with a date its source gives only to the month; reported on the folder.

    Args:
        kb_dir: The knowledge base the facts cite.
        rules_dir: knowledge/rules/data.

    Yields:
        (folder, 1, message) for each problem.
    """
    from knowledge.rules.errors import RuleDataError
    from knowledge.rules.loader import load_rulebook

    try:
        load_rulebook(rules_dir, kb_dir)
    except RuleDataError as err:
        for line in str(err).splitlines()[1:] or [str(err)]:
            yield rules_dir, 1, line


def _fact_problems(
    path: Path, entries: Mapping[str, tuple[Entry, Document]], seeds_dir: Path
) -> Iterator[Found]:
    text = path.read_text(encoding="utf-8")
    root = yaml.compose(text)
    facts = (yaml.safe_load(text) or {}).get("facts", {})
    seeds: dict[str, str | None] = {}
    for fact_id, fact in facts.items():
        if not isinstance(fact, dict):
            continue
        source = fact.get("source") or {}
        found = entries.get(str(source.get("entry")))
        if found is None:
            yield (
                path,
                _line(root, ["facts", fact_id, "source"]),
                f"fact {fact_id}: no KB entry {source.get('entry')!r}",
            )
            continue
        entry, doc = found
        key_dates = {d.id: d for d in entry.dates}
        value = fact.get("value")
        if isinstance(value, dt.date):
            known = "; ".join(f"{d.id}: {d.says!r}" for d in entry.dates) or "none"
            yield (
                path,
                _line(root, ["facts", fact_id, "value"]),
                f"fact {fact_id}: restates a date ({value}); name the key date of {entry.id} with "
                f"'date:' instead (its key dates: {known})",
            )
        date_id = fact.get("date")
        if date_id is not None and date_id not in key_dates:
            yield (
                path,
                _line(root, ["facts", fact_id, "date"]),
                f"fact {fact_id}: {entry.id} has no key date {date_id!r}",
            )
        quote = fact.get("quote")
        if isinstance(quote, str):
            if doc.seed not in seeds:
                seeds[doc.seed] = seed_text(doc, seeds_dir)
            seed = seeds[doc.seed]
            # The document itself when it is here; else the entry, its lightly cleaned copy.
            where, text = (doc.seed, seed) if seed is not None else (entry.id, _entry_text(entry, doc))
            if normalize(quote) not in text:
                yield (
                    path,
                    _line(root, ["facts", fact_id, "quote"]),
                    f"fact {fact_id}: quote is not in {where}",
                )


def _entry_text(entry: Entry, doc: Document) -> str:
    return normalize(f"{entry.question[doc.language]} {entry.answer[doc.language].text}")


def _restated_dates(path: Path, documents: set[dt.date]) -> Iterator[Found]:
    """Dates written out in a rule data file's texts (en/nl/sl values).

    A document's own date ("update of 17 October 2023") and an input's example ("for example
    15.6.2021", the ``example`` of the same file) are no facts, and may be written out.
    """
    text = path.read_text(encoding="utf-8")
    root = yaml.compose(text)
    allowed = documents | set(_examples(yaml.safe_load(text)))
    for node, lang in _texts(root):
        for words in read_dates(str(node.value), lang):
            period = words.period
            if period is None or period.precision == "year":
                continue
            if (
                period.precision == "day"
                and dt.date(period.year or 0, period.month or 1, period.day or 1) in allowed
            ):
                continue  # a document's own date ("update of 17 October 2023")
            yield (
                path,
                node.start_mark.line + 1,
                f"restates a date ({words.text!r}); write the fact's placeholder, which shows the "
                "knowledge base's date at its own precision",
            )


def _examples(data: object) -> Iterator[dt.date]:
    if isinstance(data, dict):
        for key, value in data.items():
            if key == "example" and isinstance(value, str):
                try:
                    yield dt.date.fromisoformat(value)
                except ValueError:
                    continue
            else:
                yield from _examples(value)
    elif isinstance(data, list):
        for item in data:
            yield from _examples(item)


def _texts(node: yaml.Node | None, lang: Lang | None = None) -> Iterator[tuple[yaml.ScalarNode, Lang]]:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            name = str(key.value)
            yield from _texts(value, name if name in LANGS else lang)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _texts(item, lang)
    elif isinstance(node, yaml.ScalarNode) and lang is not None and node.tag.endswith(":str"):
        yield node, lang


def _line(root: yaml.Node | None, path: Sequence[str | int]) -> int:
    node = root
    for key in path:
        if isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if k.value == str(key)), node)
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
    return node.start_mark.line + 1 if node is not None else 1
