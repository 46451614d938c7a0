"""Load the knowledge base: YAML files → validated entries grouped by topic."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from knowledge.schema import LANGS, Document, Entry, KnowledgeFile, Lang

TOPICS_FILE = Path(__file__).with_name("topics.yml")


class _PlainDateLoader(yaml.SafeLoader):  # type: ignore[misc]
    """SafeLoader that leaves dates as strings, so pydantic reports a bad date with its field.

    PyYAML would otherwise raise on '2023-02-31' before validation could locate it.
    """


_PlainDateLoader.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def yaml_load(text: str) -> object:
    """Parse KB YAML with dates kept as text (pydantic parses them)."""
    return yaml.load(text, Loader=_PlainDateLoader)  # noqa: S506 - a SafeLoader subclass


class KnowledgeError(Exception):
    """Base of the knowledge package's domain errors."""


class UnknownFaqError(KnowledgeError):
    """A faq_id that is not in the knowledge base."""

    def __init__(self, faq_id: str) -> None:
        super().__init__(f"unknown faq_id: {faq_id!r}")
        self.faq_id = faq_id


class UnsupportedLanguageError(KnowledgeError):
    """A language code outside the supported ones."""

    def __init__(self, lang: str) -> None:
        super().__init__(f"unsupported language {lang!r}; supported: {', '.join(LANGS)}")
        self.lang = lang


@dataclass(frozen=True)
class Topic:
    """All entries (variants from several documents) that answer one question.

    ``current`` holds the entries from documents that describe the platform as it is now
    (``document.describes: current platform`` in their KB file): the eTwinning how-to, the
    Flemish NSO's FAQ of 2023, the overview; the EC FAQ (English and Slovenian) is ``pre-launch``.
    """

    id: str
    title: str
    entries: tuple[Entry, ...]
    current: frozenset[str] = frozenset()

    def see_also(self) -> list[str]:
        """The topics any of its entries points to (where a teacher often goes next), once each."""
        return list(dict.fromkeys(t for entry in self.entries for t in entry.see_also if t != self.id))

    def variant_for(self, lang: Lang) -> Entry:
        """Pick the entry to answer in ``lang``.

        An entry from a document describing today's platform leads: in ``lang`` if there is one,
        else the first of them (translated). Without one, the entry whose document is written in
        ``lang`` wins (the official text); otherwise the first-loaded document (the EC FAQ in
        English).
        """
        current = [entry for entry in self.entries if entry.id in self.current]
        for candidates in (current, list(self.entries)):
            for entry in candidates:
                if entry_document_language(entry) == lang:
                    return entry
            if candidates:
                return candidates[0]
        raise AssertionError("a topic has at least one entry")


@dataclass(frozen=True)
class KnowledgeBase:
    """The whole KB: documents, entries by id, topics by id, and a content hash."""

    documents: dict[str, Document]
    entries: dict[str, Entry]
    entry_document: dict[str, str]
    topics: dict[str, Topic]
    digest: str
    topic_titles: dict[str, str] = field(default_factory=dict)

    def document_of(self, entry: Entry) -> Document:
        """Return the source document of an entry."""
        return self.documents[self.entry_document[entry.id]]

    def topic(self, faq_id: str) -> Topic:
        """Return a topic or raise UnknownFaqError."""
        try:
            return self.topics[faq_id]
        except KeyError:
            raise UnknownFaqError(faq_id) from None


_ENTRY_LANG: dict[str, Lang] = {}


def entry_document_language(entry: Entry) -> Lang:
    """The language of the document an entry came from (the one without translated_from)."""
    if entry.id not in _ENTRY_LANG:
        _ENTRY_LANG[entry.id] = next(x for x in LANGS if entry.answer[x].translated_from is None)
    return _ENTRY_LANG[entry.id]


def kb_files(kb_dir: Path) -> list[Path]:
    """The KB files in load order: EC English first, so it is the fallback variant."""
    files = sorted(kb_dir.glob("*.yml"))
    return sorted(files, key=lambda p: (p.stem != "ec-faq-en", p.stem))


def read_file(path: Path) -> KnowledgeFile:
    """Parse and schema-validate one KB file (raises pydantic.ValidationError)."""
    return KnowledgeFile.model_validate(yaml_load(path.read_text(encoding="utf-8")))


def load_topic_titles() -> dict[str, str]:
    """The controlled topic list (id → English description)."""
    with TOPICS_FILE.open(encoding="utf-8") as fh:
        return {str(k): str(v) for k, v in yaml.safe_load(fh).items()}


def _digest(paths: list[Path]) -> str:
    h = hashlib.sha256()
    for path in [*paths, TOPICS_FILE]:
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


@lru_cache(maxsize=4)
def load_kb(kb_dir: Path) -> KnowledgeBase:
    """Load every KB file in ``kb_dir``; assumes ``python -m knowledge validate`` passes."""
    paths = kb_files(kb_dir)
    documents: dict[str, Document] = {}
    entries: dict[str, Entry] = {}
    entry_document: dict[str, str] = {}
    by_topic: dict[str, list[Entry]] = {}
    for path in paths:
        content = read_file(path)
        documents[content.document.id] = content.document
        for entry in content.entries:
            entries[entry.id] = entry
            entry_document[entry.id] = content.document.id
            by_topic.setdefault(entry.topic, []).append(entry)
    titles = load_topic_titles()
    current = frozenset(eid for eid, doc in entry_document.items() if documents[doc].current)
    topics = {
        tid: Topic(tid, titles.get(tid, tid), tuple(items), current & {e.id for e in items})
        for tid, items in by_topic.items()
    }
    return KnowledgeBase(documents, entries, entry_document, topics, _digest(paths), titles)
