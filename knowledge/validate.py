"""Validate the knowledge base files and report problems as ``file:line: message``.

Runs before indexing and in the tests, as ``rasa data validate`` guards data/. Beyond the
schema it checks what only the whole KB can show: unique ids, known topics, conflict links
that exist and go both ways, translations marked against the document language.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import ValidationError

from knowledge import conflicts, date_audit
from knowledge.loader import entry_document_language, kb_files, load_topic_titles, yaml_load
from knowledge.schema import LANGS, Conflict, Entry, KnowledgeFile

SEEDS_DIR = Path(__file__).resolve().parent.parent.parent / "shared" / "seeds"


@dataclass(frozen=True)
class Problem:
    """One finding, located in a file."""

    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


def _node_at(node: yaml.Node, loc: Sequence[int | str]) -> yaml.Node:
    """Follow a pydantic error location through a composed YAML node tree, as far as it goes."""
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if k.value == key), None)
            if match is None:
                return node
            node = match
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
        else:
            return node
    return node


def _line(node: yaml.Node, loc: Sequence[int | str]) -> int:
    return int(_node_at(node, loc).start_mark.line) + 1


class _FileCheck:
    """Schema-level checks of one file; keeps the composed tree for line numbers."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.root: yaml.Node | None = None
        self.content: KnowledgeFile | None = None

    def run(self) -> Iterator[Problem]:
        text = self.path.read_text(encoding="utf-8")
        try:
            self.root = yaml.compose(text)
            data = yaml_load(text)
        except yaml.MarkedYAMLError as exc:
            line = exc.problem_mark.line + 1 if exc.problem_mark else 1
            yield Problem(self.path, line, f"YAML syntax: {exc.problem}")
            return
        if self.root is None:
            yield Problem(self.path, 1, "empty file")
            return
        try:
            self.content = KnowledgeFile.model_validate(data)
        except ValidationError as exc:
            for err in exc.errors():
                where = ".".join(str(p) for p in err["loc"])
                yield Problem(self.path, _line(self.root, err["loc"]), f"{where}: {err['msg']}")

    def line_of(self, *loc: int | str) -> int:
        return _line(self.root, loc) if self.root is not None else 1


def validate(kb_dir: Path, rules_dir: Path = date_audit.RULES_DATA_DIR) -> list[Problem]:
    """Return every problem found in the KB directory and the rules' dates (empty list = valid)."""
    problems: list[Problem] = []
    checks = [_FileCheck(path) for path in kb_files(kb_dir)]
    if not checks:
        return [Problem(kb_dir, 0, "no *.yml knowledge files")]
    for check in checks:
        problems.extend(check.run())
    loaded = [c for c in checks if c.content is not None]
    topics = load_topic_titles()
    where: dict[str, tuple[_FileCheck, int]] = {}
    docs: dict[str, Path] = {}
    for check in loaded:
        assert check.content is not None
        doc = check.content.document
        if doc.id in docs:
            problems.append(
                Problem(
                    check.path,
                    check.line_of("document", "id"),
                    f"document id {doc.id!r} also used in {docs[doc.id]}",
                )
            )
        docs[doc.id] = check.path
        if SEEDS_DIR.is_dir() and not (SEEDS_DIR / doc.seed).is_file():
            problems.append(
                Problem(
                    check.path,
                    check.line_of("document", "seed"),
                    f"seed file {doc.seed!r} not in {SEEDS_DIR}",
                )
            )
        problems.extend(_url_problems(check))
        for i, entry in enumerate(check.content.entries):
            if entry.id in where:
                other = where[entry.id][0].path
                problems.append(
                    Problem(
                        check.path,
                        check.line_of("entries", i, "id"),
                        f"duplicate entry id {entry.id!r} (also in {other})",
                    )
                )
            where[entry.id] = (check, i)
            problems.extend(_entry_problems(check, i, doc.language, topics))
    problems.extend(_link_problems(where, topics))
    problems.extend(Problem(*found) for found in date_audit.kb_problems(loaded, SEEDS_DIR))
    problems.extend(Problem(*found) for found in date_audit.rule_problems(loaded, rules_dir, SEEDS_DIR))
    if not problems:  # the rule book loads only on a valid KB
        problems.extend(Problem(*found) for found in date_audit.rulebook_problems(kb_dir, rules_dir))
    return problems


def _url_problems(check: _FileCheck) -> Iterator[Problem]:
    """A document's ``url`` must be one its source text gives: never an invented address."""
    assert check.content is not None
    doc = check.content.document
    seed = SEEDS_DIR / doc.seed
    if doc.url is None or not seed.is_file():
        return
    address = doc.url.removeprefix("https://").removeprefix("http://").rstrip("/")
    if address not in seed.read_text(encoding="utf-8"):
        yield Problem(
            check.path,
            check.line_of("document", "url"),
            f"url {doc.url!r}: the source text {doc.seed} gives no such address",
        )


def _entry_problems(check: _FileCheck, i: int, doc_lang: str, topics: dict[str, str]) -> Iterator[Problem]:
    assert check.content is not None
    entry = check.content.entries[i]
    if entry.topic not in topics:
        yield Problem(
            check.path,
            check.line_of("entries", i, "topic"),
            f"unknown topic {entry.topic!r} (add it to knowledge/topics.yml)",
        )
    for lang in LANGS:
        origin = entry.answer[lang].translated_from
        expected = None if lang == doc_lang else doc_lang
        if origin != expected:
            yield Problem(
                check.path,
                check.line_of("entries", i, "answer", lang),
                f"answer.{lang}: translated_from must be {expected!r} in a {doc_lang} document",
            )
    seen: set[str] = set()
    for lang, items in entry.paraphrases.items():
        for j, text in enumerate(items):
            key = " ".join(text.lower().split())
            if key in seen:
                yield Problem(
                    check.path,
                    check.line_of("entries", i, "paraphrases", lang, j),
                    f"duplicate paraphrase {text!r}",
                )
            seen.add(key)
    ids = [d.id for d in entry.dates]
    for j, date_id in enumerate(ids):
        if ids.index(date_id) != j:
            yield Problem(
                check.path, check.line_of("entries", i, "dates", j), f"duplicate date id {date_id!r}"
            )


def _link_problems(where: dict[str, tuple[_FileCheck, int]], topics: dict[str, str]) -> Iterator[Problem]:
    entries = {eid: c.content.entries[i] for eid, (c, i) in where.items() if c.content}
    covered: dict[str, set[str]] = {}
    for eid, (check, i) in where.items():
        entry = entries[eid]
        covered.setdefault(entry.topic, set()).update(
            lang for lang, items in entry.paraphrases.items() if items
        )
        for j, link in enumerate(entry.conflicts_with):
            for message in _conflict_problems(entries, eid, link):
                yield Problem(check.path, check.line_of("entries", i, "conflicts_with", j), message)
        for j, topic in enumerate(entry.see_also):
            if topic not in topics:
                yield Problem(
                    check.path,
                    check.line_of("entries", i, "see_also", j),
                    f"see_also: unknown topic {topic!r}",
                )
    for found in conflicts.check(entries):
        check, i = where[found.owner]
        yield Problem(check.path, check.line_of("entries", i, "conflicts_with", found.index), found.message)
    topics_file = Path(__file__).with_name("topics.yml")
    for topic in topics:
        missing = [lang for lang in LANGS if lang not in covered.get(topic, set())]
        if topic not in covered:
            yield Problem(topics_file, 1, f"topic {topic!r} has no entry")
        elif missing:
            yield Problem(topics_file, 1, f"topic {topic!r} has no paraphrases in {', '.join(missing)}")


def _conflict_problems(entries: dict[str, Entry], eid: str, link: Conflict) -> Iterator[str]:
    """Checks of one conflict link on its own: targets, link back, note length, quoted words."""
    key = link.key(eid)
    if link.also and link.id is None:
        yield "conflicts_with: a link with 'also' needs the disagreement's id"
    for target in link.targets:
        other = entries.get(target)
        if other is None:
            yield f"conflicts_with: no entry {target!r}"
        elif not any(c.key(target) == key and eid in c.targets for c in other.conflicts_with):
            yield f"conflicts_with: {target!r} does not link back to {eid!r} (disagreement {key!r})"
    for lang in LANGS:
        text = link.differs.get(lang)
        if "\n" in text.strip() or len(text) > conflicts.MAX_DIFFERS_CHARS:
            yield (
                f"conflicts_with: differs.{lang} must be one line of at most "
                f"{conflicts.MAX_DIFFERS_CHARS} characters (it has {len(text)})"
            )
    if link.says is not None:
        own = entries[eid].answer[entry_document_language(entries[eid])].text
        if " ".join(link.says.split()) not in " ".join(own.split()):
            yield f"conflicts_with: says {link.says!r} is not in {eid!r}'s answer in its document's language"
