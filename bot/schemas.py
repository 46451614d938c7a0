"""Request and response models of the HTTP API."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

MAX_TEXT = 2000
QuestionText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TEXT)]


class StrictBody(BaseModel):
    """Refuse unknown fields and wrong types instead of coercing them silently."""

    model_config = ConfigDict(extra="forbid", strict=True)


class AskCreate(StrictBody):
    """A question for the knowledge base."""

    text: QuestionText = Field(description="The question, 1–2000 characters")
    lang: str | None = Field(default=None, description="en | nl | sl; detected when omitted")
    as_of: dt.date | None = Field(
        default=None, description="Answer as of this date (ISO); default today", strict=False
    )


class SourcePublic(BaseModel):
    """Where an answer comes from."""

    document: str
    title: str
    date: str
    url: str | None
    section: str
    entry: str


class AlternativePublic(BaseModel):
    """Another topic the question may be about."""

    faq_id: str
    question: str
    confidence: float


class AnswerPublic(BaseModel):
    """The answer to a question, in the asked language, with its sources and notes."""

    answer: str
    question: str
    lang: str
    faq_id: str
    confidence: float
    status: Literal["answered", "clarify", "fallback"]
    sources: list[SourcePublic]
    alternatives: list[AlternativePublic]
    notes: list[str]


class HitPublic(BaseModel):
    """One search result."""

    faq_id: str
    question: str
    confidence: float
    dense: float
    lexical: float


class SearchPublic(BaseModel):
    """Search results for a query."""

    lang: str
    hits: list[HitPublic]


class HealthPublic(BaseModel):
    """Liveness and what is loaded."""

    status: Literal["ok"]
    kb_digest: str
    topics: int
    entries: int


class RuleCheckCreate(StrictBody):
    """Inputs for one rule."""

    inputs: dict[str, Any] = Field(default_factory=dict)
    lang: str = "en"
    as_of: dt.date | None = Field(default=None, strict=False)
