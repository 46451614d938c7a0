"""Notes attached to an answer: translation, passed deadlines, disagreeing sources.

The texts come from knowledge/messages.yml and dates are written by knowledge/formatting.py; this
module only decides which notes apply.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from knowledge.formatting import format_day
from knowledge.loader import KnowledgeBase, entry_document_language
from knowledge.schema import Entry, Lang

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


def _document_when(kb: KnowledgeBase, entry: Entry, lang: Lang) -> str:
    doc = kb.document_of(entry)
    return format_day(doc.date, lang) if doc.date else str(doc.version)


def notes_for(kb: KnowledgeBase, entry: Entry, lang: Lang, as_of: dt.date) -> list[str]:
    """All notes that apply to answering with ``entry`` in ``lang`` on ``as_of``."""
    notes: list[str] = []
    origin = entry.answer[lang].translated_from
    if origin is not None:
        notes.append(_note("translated", lang, source_language=language_name(origin, lang)))
    for key_date in entry.dates:
        when = format_day(key_date.date, lang)
        label = key_date.label.get(lang)
        if key_date.kind == "deadline":
            key = "deadline_passed" if key_date.date < as_of else "deadline_ahead"
            notes.append(_note(key, lang, label=label, date=when))
        elif key_date.kind == "event" and key_date.date < as_of:
            notes.append(_note("event_past", lang, label=label, date=when))
    for link in entry.conflicts_with:
        other = kb.entries[link.entry]
        notes.append(
            _note(
                "conflict",
                lang,
                other_title=kb.document_of(other).title,
                other_date=_document_when(kb, other, lang),
                differs=link.differs.get(lang),
            )
        )
    return notes


def source_language(entry: Entry) -> Lang:
    """Language of the entry's document (re-exported for callers that format sources)."""
    return entry_document_language(entry)
