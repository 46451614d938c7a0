"""Request and response models of the HTTP API."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, Field, PlainValidator, StringConstraints

from conversation.records import (
    MAX_TEXT,
    MIN_PASSWORD,
    AgentCreate,
    AgentPublic,
    AnalyticsPublic,
    ConsoleAgent,
    ConsoleMessagePublic,
    ConsoleText,
    ConversationPublic,
    HandoffPublic,
    HelpdeskFiguresPublic,
    HelpdeskStatsPublic,
    NotePublic,
    QueueItemPublic,
    StrictBody,
    TranscriptQuery,
    TranscriptsPublic,
)
from knowledge.schema import Lang

__all__ = [
    "MAX_TEXT",
    "MIN_PASSWORD",
    "AgentCreate",
    "AgentPublic",
    "AnalyticsPublic",
    "ConsoleAgent",
    "ConsoleMessagePublic",
    "ConversationPublic",
    "HandoffPublic",
    "HelpdeskFiguresPublic",
    "HelpdeskStatsPublic",
    "JsonInt",
    "Lang",
    "NotePublic",
    "QueueItemPublic",
    "StrictBody",
    "TranscriptQuery",
    "TranscriptsPublic",
]


def _iso_text(value: object) -> object:
    """A date arrives as ISO text: not a number of seconds, which lax date parsing would take."""
    if isinstance(value, str | dt.date):
        return value
    raise ValueError("must be a date in ISO form, for example 2024-06-15")


IsoDate = Annotated[dt.date, BeforeValidator(_iso_text), Field(strict=False)]


def _integral(value: object) -> object:
    """1.0 is an integer to JSON Schema: take it as 1 (strict models refuse floats otherwise)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


JsonInt = Annotated[int, BeforeValidator(_integral)]
# Message ids are INTEGER columns: a larger number is no id (and PostgreSQL refuses to compare it).
MAX_ID = 2**31 - 1
ChatRating = Annotated[Literal[1, 2, 3, 4, 5], BeforeValidator(_integral)]  # 1 (bad) to 5 (very good)
QuestionText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TEXT)]


class AskCreate(StrictBody):
    """A question for the knowledge base."""

    text: QuestionText = Field(description="The question, 1–2000 characters")
    lang: Lang | None = Field(default=None, description="en | nl | sl; detected when omitted")
    as_of: IsoDate | None = Field(default=None, description="Answer as of this date (ISO); default today")


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


RuleInputScalar = str | bool | int | float
RULE_INPUT_SHAPE = 'text, a number, true/false or a flat list of these, for example "BE, SI" or ["BE", "SI"]'


def _rule_input(value: object) -> RuleInputScalar | list[RuleInputScalar] | None:
    """Accept the JSON shapes a rule input can take; lengths are checked by the rules themselves."""
    scalars = (str, bool, int, float)
    if value is None or isinstance(value, scalars):
        return value
    if isinstance(value, list) and all(isinstance(item, scalars) for item in value):
        return value
    raise ValueError(f"must be {RULE_INPUT_SHAPE}")


RuleInputValue = Annotated[
    RuleInputScalar | list[RuleInputScalar] | None,
    PlainValidator(_rule_input, json_schema_input_type=RuleInputScalar | list[RuleInputScalar] | None),
]
RuleInputName = Annotated[str, StringConstraints(min_length=1, max_length=64)]


class RuleCheckCreate(StrictBody):
    """Inputs for one rule: typed here, length-capped and parsed by ``knowledge.rules``."""

    inputs: dict[RuleInputName, RuleInputValue] = Field(
        default_factory=dict, max_length=20, description="Input values by name (see GET /api/rules)"
    )
    lang: Lang = Field(default="en", description="Language of the explanation")
    as_of: IsoDate | None = Field(default=None, description="Evaluate as of this date (ISO); default today")


# --- helpdesk console requests (the records it returns live in conversation.records) ---


class ReplyCreate(StrictBody):
    """An agent's live reply to the user."""

    text: ConsoleText


class NoteCreate(StrictBody):
    """An internal note on a conversation (never shown to the user)."""

    text: ConsoleText


ActionWarning = Literal["delivery_failed"]


class ActionResultPublic(BaseModel):
    """The result of a console action; warnings are codes the page explains."""

    handoff: HandoffPublic | None = None
    message: ConsoleMessagePublic | None = None
    note: NotePublic | None = None
    warnings: list[ActionWarning] = Field(default_factory=list)
