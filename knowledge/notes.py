"""Notes attached to an answer: disagreeing sources, translation, passed deadlines.

The texts come from knowledge/messages.yml and dates are written by knowledge/formatting.py; this
module only decides which notes apply and in which order: a disagreement that changes what a user
should do comes before the translation and date notes, a minor one (a day, a label) after them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from knowledge.loader import KnowledgeBase, entry_document_language
from knowledge.schema import SEVERITIES, Entry, Lang, Severity
from knowledge.timeline import date_notes

MESSAGES_FILE = Path(__file__).with_name("messages.yml")


@lru_cache(maxsize=1)
def messages() -> dict[str, Any]:
    """The message catalogue (parsed once)."""
    with MESSAGES_FILE.open(encoding="utf-8") as fh:
        data: dict[str, Any] = yaml.safe_load(fh)
    return data


def language_name(code: str, lang: Lang) -> str:
    """Name of language ``code`` written in ``lang``."""
    return str(messages()["language_names"][lang][code])


def _note(key: str, lang: Lang, **values: str) -> str:
    return str(messages()["notes"][key][lang]).format(**values)


def document_date(kb: KnowledgeBase, entry: Entry) -> str:
    """The document's date (ISO) or its version text, for source lines."""
    doc = kb.document_of(entry)
    return doc.date.isoformat() if doc.date else str(doc.version)


@dataclass(frozen=True)
class ConflictNote:
    """The note for one disagreement on one answer.

    Attributes:
        id: The disagreement (its entry in knowledge/kb/CONFLICTS.md).
        severity: high, medium or low; notes are ordered by it.
        text: One line for the chat widget, in the asked language.
        other_entry: The entry on the other side, for a "details" link.
    """

    id: str
    severity: Severity
    text: str
    other_entry: str


def conflict_notes(kb: KnowledgeBase, entry: Entry, lang: Lang) -> list[ConflictNote]:
    """One note per disagreement ``entry`` takes part in, most consequential first.

    The details link points to the other side's entry in the asked language when there is one,
    else to the first entry the link names.

    Args:
        kb: The loaded knowledge base.
        entry: The entry that answers.
        lang: The language of the answer.

    Returns:
        The notes, high before medium before low, otherwise in the entry's order.
    """
    found: dict[str, ConflictNote] = {}
    for link in entry.conflicts_with:
        key = link.key(entry.id)
        others = [t for t in link.targets if t != entry.id]
        same_lang = [t for t in others if entry_document_language(kb.entries[t]) == lang]
        other = (same_lang or others or [entry.id])[0]
        if key in found and found[key].other_entry != entry.id:
            continue
        found[key] = ConflictNote(
            key, link.severity, _note("conflict", lang, differs=link.differs.get(lang)), other
        )
    return sorted(found.values(), key=lambda note: SEVERITIES.index(note.severity))


def linked_entries(kb: KnowledgeBase, entry: Entry, lang: Lang) -> list[Entry]:
    """The other side of each disagreement, once each and in note order (for source lists)."""
    ids = dict.fromkeys(n.other_entry for n in conflict_notes(kb, entry, lang) if n.other_entry != entry.id)
    return [kb.entries[eid] for eid in ids]


def notes_for(kb: KnowledgeBase, entry: Entry, lang: Lang, as_of: dt.date) -> list[str]:
    """All notes that apply to answering with ``entry`` in ``lang`` on ``as_of``.

    Args:
        kb: The loaded knowledge base.
        entry: The entry that answers.
        lang: The language of the answer.
        as_of: The day deadlines are compared with.

    Returns:
        High and medium disagreements, then translation and date notes, then low disagreements.
    """
    notes: list[str] = []
    origin = entry.answer[lang].translated_from
    if origin is not None:
        notes.append(_note("translated", lang, source_language=language_name(origin, lang)))
    notes += date_notes(entry, lang, as_of, _note)
    conflicts = conflict_notes(kb, entry, lang)
    major = [n.text for n in conflicts if n.severity != "low"]
    minor = [n.text for n in conflicts if n.severity == "low"]
    return [*major, *notes, *minor]


def source_language(entry: Entry) -> Lang:
    """Language of the entry's document (re-exported for callers that format sources)."""
    return entry_document_language(entry)
