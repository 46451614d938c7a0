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

from knowledge.periods import Moment, Period, Relation, moment_of, parse_period

Lang = Literal["en", "nl", "sl"]
LANGS: tuple[Lang, ...] = ("en", "nl", "sl")
ID_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
Describes = Literal["current platform", "pre-launch"]


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
    url: str | None = Field(
        default=None,
        description="the web address the source text gives (its host and path verbatim in the seed; "
        "https:// added where the text writes a bare host); none when the text gives none",
    )
    seed: str = Field(description="File name of the source text under shared/seeds/")
    describes: Describes = Field(
        description="current platform: the document describes the platform as it is now (its answer "
        "leads where it covers a topic); pre-launch: written before the platform opened (its "
        "answers start with a line saying so, see written_before)",
    )
    written_before: str | None = Field(
        default=None,
        pattern=r"^[a-z0-9]+(-[a-z0-9]+)*#[a-z0-9_]+$",
        description="<entry>#<date id>: the event the document was written before (the platform's launch); "
        "once it has happened, every answer from the document starts by saying so",
    )

    @model_validator(mode="after")
    def _dated_or_versioned(self) -> Document:
        if self.date is None and not self.version:
            raise ValueError("a document needs a date or a version")
        return self

    @model_validator(mode="after")
    def _pre_launch_names_its_event(self) -> Document:
        if (self.describes == "pre-launch") != (self.written_before is not None):
            raise ValueError("a pre-launch document names written_before, a current-platform one does not")
        return self

    @property
    def current(self) -> bool:
        """Whether the document describes the platform as it is now (its answers lead)."""
        return self.describes == "current platform"


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
    """A dated fact an answer depends on, exactly as precise as its source says it.

    The convention (knowledge/kb/README.md, "Dates"): ``date`` is the period the source names, in
    the notation of knowledge/periods.py (2022-05-31, 2022-05, 2022-H2, 2023-spring, 2023-end,
    2022, --09-30), ``relation`` how the source relates to it, ``says`` the source's own words.
    The rules (knowledge/rules/data/facts.yml) refer to these dates by id and never restate one.
    """

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    date: str = Field(description="the period the source names, at the source's precision")
    relation: Relation = Field(default="in", description="in (on or during) | before | until | by | after")
    within: tuple[dt.date, dt.date] | None = Field(
        default=None, description="for a day without its year: the first and last day it can be"
    )
    says: str = Field(
        min_length=1,
        description="the source's words for this date, verbatim from the entry's question or answer in "
        "the document's language",
    )
    kind: Literal["deadline", "cutoff", "event"]
    label: Localized

    @field_validator("date", mode="before")
    @classmethod
    def _notation(cls, value: object) -> str:
        text = str(value)  # a bare year arrives as a number
        parse_period(text)
        return text

    @model_validator(mode="after")
    def _within_for_days_without_year(self) -> KeyDate:
        undated = self.period.precision == "day_no_year"
        if undated != (self.within is not None):
            raise ValueError("'within' is needed exactly for a day without its year (--MM-DD)")
        if self.within is not None:
            moment_of(self.kind, self.period, self.relation, self.within)  # raises if it falls on no day
        return self

    @property
    def period(self) -> Period:
        """The period the source names."""
        return parse_period(self.date)

    @property
    def moment(self) -> Moment:
        """The interval of days the fact's moment lies in (see knowledge/periods.py)."""
        return moment_of(self.kind, self.period, self.relation, self.within)


Severity = Literal["high", "medium", "low"]
# Order of notes and of CONFLICTS.md: what changes what a user should do comes first.
SEVERITIES: tuple[Severity, ...] = ("high", "medium", "low")


class Conflict(Strict):
    """A link to an entry (any document) that says something different.

    One disagreement between the sources usually spans several entries: the same answer in the
    EC FAQ's English and Slovenian versions, and every language version of each topic concerned.
    All links of one disagreement share its ``id``, ``severity`` and ``differs`` line, and every
    link has a link back with the same ``id`` (``python -m knowledge validate`` checks both).
    A link without ``id`` is a disagreement of its own between the two entries.
    """

    entry: str = Field(description="id of the other entry; the note's 'details' link points here")
    differs: Localized = Field(description="one line naming both sources and their dates")
    id: str | None = Field(
        default=None, pattern=ID_PATTERN, description="the disagreement this link belongs to"
    )
    severity: Severity = Field(
        default="medium",
        description="high: acting on one source goes wrong today; medium: what a user can expect "
        "differs (timing, availability); low: a detail (a day, a label, an edge case)",
    )
    says: str | None = Field(
        default=None,
        min_length=1,
        description="this entry's own words on its side, verbatim from its source-language answer; "
        "omitted when the entry only carries the note for its topic. On a link to the entry itself "
        "(a disagreement inside one answer) it quotes the other half.",
    )
    also: list[str] = Field(
        default_factory=list, description="further entries on the other side of the same disagreement"
    )

    @property
    def targets(self) -> tuple[str, ...]:
        """Every entry this link points to: ``entry`` first, then ``also``."""
        return (self.entry, *self.also)

    def key(self, owner: str) -> str:
        """The disagreement id; an unnamed link is keyed by its two entries."""
        return self.id or "+".join(sorted((owner, self.entry)))


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
