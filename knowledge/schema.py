"""Pydantic models of the knowledge base files (knowledge/kb/*.yml).

One YAML file holds one source document: its metadata and its entries. Entries from
different documents that answer the same question share a ``topic``; the topic id is
the public ``faq_id``. Keeping each document in its own file keeps provenance
obvious, and the topic id is what ties variants together.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Lang = Literal["en", "nl", "sl"]
LANGS: tuple[Lang, ...] = ("en", "nl", "sl")
ID_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"


class Strict(BaseModel):
    """Base that refuses unknown keys, so typos in YAML fail validation."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Document(Strict):
    """Metadata of one source document."""

    id: str = Field(pattern=ID_PATTERN)
    title: str
    language: Lang
    publisher: str
    date: dt.date | None = None
    version: str | None = None
    url: str | None = None
    seed: str = Field(description="File name of the source text under shared/seeds/")

    @model_validator(mode="after")
    def _dated_or_versioned(self) -> Document:
        if self.date is None and not self.version:
            raise ValueError("a document needs a date or a version")
        return self


class AnswerText(Strict):
    """An answer in one language; ``translated_from`` is set unless the source says it."""

    text: str = Field(min_length=1)
    translated_from: Lang | None = None


class Localized(Strict):
    """A short text in all three languages (labels, conflict summaries)."""

    en: str = Field(min_length=1)
    nl: str = Field(min_length=1)
    sl: str = Field(min_length=1)

    def get(self, lang: Lang) -> str:
        """Return the text in ``lang``."""
        return str(getattr(self, lang))


class KeyDate(Strict):
    """A structured date an answer depends on, so answers can say whether it has passed."""

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    date: dt.date
    kind: Literal["deadline", "cutoff", "event"]
    label: Localized


class Conflict(Strict):
    """A link to an entry (any document) that says something different about this topic."""

    entry: str = Field(description="id of the other entry")
    differs: Localized


class Entry(Strict):
    """One question and answer as one document states it."""

    id: str = Field(pattern=ID_PATTERN)
    topic: str = Field(pattern=ID_PATTERN)
    section: str
    tags: list[str] = Field(min_length=1)
    question: dict[Lang, str]
    paraphrases: dict[Lang, list[str]] = Field(default_factory=dict)
    answer: dict[Lang, AnswerText]
    dates: list[KeyDate] = Field(default_factory=list)
    conflicts_with: list[Conflict] = Field(default_factory=list)
    see_also: list[str] = Field(default_factory=list)

    @field_validator("question", "answer")
    @classmethod
    def _all_languages(cls, value: dict[str, object]) -> dict[str, object]:
        missing = [lang for lang in LANGS if lang not in value]
        if missing:
            raise ValueError(f"missing languages: {', '.join(missing)}")
        return value


class KnowledgeFile(Strict):
    """The content of one knowledge/kb/*.yml file."""

    document: Document
    entries: list[Entry] = Field(min_length=1)
