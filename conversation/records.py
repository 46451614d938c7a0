"""Typed records the conversation layer returns: agents, queue items, messages, transcripts, analytics.

They are plain pydantic models (no FastAPI): ``bot/`` serves them as its response schemas.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

MAX_TEXT = 2000


class StrictBody(BaseModel):
    """Refuse unknown fields and wrong types instead of coercing them silently."""

    model_config = ConfigDict(extra="forbid", strict=True)


Role = Literal["agent", "admin"]
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
MIN_PASSWORD = 12
ConsoleText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TEXT)]


class AgentCreate(BaseModel):
    """A new console user (CLI or admin page)."""

    email: Annotated[
        str, StringConstraints(strip_whitespace=True, to_lower=True, max_length=254, pattern=EMAIL_PATTERN)
    ]
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    role: Role = "agent"
    password: Annotated[str, StringConstraints(min_length=MIN_PASSWORD, max_length=256)]


class AgentPublic(BaseModel):
    """A console user as the admin page and ``users list`` show it (never the hash)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    name: str
    role: str
    active: bool
    locked_until: dt.datetime | None
    last_login_at: dt.datetime | None
    created_at: dt.datetime | None


class ConsoleAgent(BaseModel):
    """The signed-in agent of a console request, with the session's CSRF token."""

    id: int
    email: str
    name: str
    role: Role
    csrf_token: str

    @property
    def is_admin(self) -> bool:
        """Whether the agent may manage users and opening hours."""
        return self.role == "admin"


class QueueItemPublic(BaseModel):
    """A conversation waiting for (or with) a person, as the queue lists it."""

    handoff_id: int
    conversation_id: str
    channel: str
    language: str
    reason: str
    status: str
    created_at: dt.datetime
    waiting_seconds: int
    question: str
    last_bot_answer: str | None
    taken_by: str | None
    new_messages: int
    # Filled by conversation.handoff.queue: the agent who has it, and since when the teacher waits.
    taken_by_id: int | None = None
    waiting_since: dt.datetime | None = None


class ConsoleMessagePublic(BaseModel):
    """One message of a transcript, with what the console shows around it."""

    id: int
    role: str
    text: str
    body: str
    sources: list[str]
    buttons: list[str]
    kind: str | None
    rating: str | None
    status: str
    created_at: dt.datetime
    agent: str | None
    rating_comment: str | None = None
    match: str | None = None
    confidence: float | None = None


class NotePublic(BaseModel):
    """An internal note."""

    id: int
    agent: str
    text: str
    created_at: dt.datetime


class HandoffPublic(BaseModel):
    """The conversation's latest handoff."""

    id: int
    status: str
    reason: str
    taken_by: str | None
    taken_by_id: int | None
    created_at: dt.datetime
    taken_at: dt.datetime | None
    closed_at: dt.datetime | None


class ConversationPublic(BaseModel):
    """A conversation with its transcript, notes and handoff."""

    id: str
    channel: str
    language: str
    status: str
    outcome: str
    created_at: dt.datetime
    updated_at: dt.datetime
    handoff: HandoffPublic | None
    messages: list[ConsoleMessagePublic]
    notes: list[NotePublic]


Outcome = Literal["answered", "unanswered", "handoff"]


class TranscriptQuery(BaseModel):
    """Filters of the transcripts page and its CSV export (empty form fields mean 'any')."""

    q: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    language: Literal["en", "nl", "sl"] | None = None
    channel: Literal["web", "telegram"] | None = None
    outcome: Outcome | None = None
    feedback: Literal["up", "down"] | None = None
    page: int = Field(default=1, ge=1, le=10_000)

    @field_validator("date_from", "date_to", "language", "channel", "outcome", "feedback", mode="before")
    @classmethod
    def _empty_is_any(cls, value: object) -> object:
        return None if value == "" else value


class TranscriptRowPublic(BaseModel):
    """One conversation in the transcripts list."""

    id: str
    channel: str
    language: str
    status: str
    outcome: Outcome
    created_at: dt.datetime
    updated_at: dt.datetime
    messages: int
    first_question: str
    up: int
    down: int


class TranscriptsPublic(BaseModel):
    """A page of the transcripts list."""

    rows: list[TranscriptRowPublic]
    total: int
    page: int
    pages: int


class CountPublic(BaseModel):
    """A count under a label (a day, a language, a channel)."""

    label: str
    count: int


class ClusterQuestionPublic(BaseModel):
    """An unanswered question in a cluster."""

    text: str
    lang: str
    kind: str
    conversation_id: str


class ClusterPublic(BaseModel):
    """Similar questions the assistant did not answer, with a draft KB entry for them."""

    size: int
    representative: str
    kinds: dict[str, int]
    languages: dict[str, int]
    questions: list[ClusterQuestionPublic]
    nearest_topic: str | None
    nearest_confidence: float | None
    draft: str


class FeedbackStatsPublic(BaseModel):
    """Thumbs up/down on bot answers."""

    up: int
    down: int
    satisfaction: float | None
    by_language: dict[str, dict[str, int]]


class AnalyticsPublic(BaseModel):
    """What the analytics page charts, for the last ``days`` days."""

    days: int
    since: dt.datetime
    conversations: int
    user_messages: int
    questions: int
    handoffs: int
    handoff_rate: float | None
    outcomes: dict[str, int]
    feedback: FeedbackStatsPublic
    per_day: list[CountPublic]
    per_language: list[CountPublic]
    per_channel: list[CountPublic]
    clusters: list[ClusterPublic]


class HelpdeskFiguresPublic(BaseModel):
    """How the helpdesk handled the handoffs of one agent or one week (times in seconds).

    ``answered``: handoffs an agent replied to; ``first_response_*``: from the handoff to that
    reply. ``closed``: handoffs closed; ``time_to_close_*``: from the handoff to its closing.
    ``satisfied`` of ``ratings``: thumbs up, or 4-5 on a 1-5 scale.
    """

    label: str
    agent_id: int | None = None
    week_start: dt.date | None = None
    handoffs: int
    answered: int
    first_response_median: float | None
    first_response_mean: float | None
    closed: int
    time_to_close_median: float | None
    time_to_close_mean: float | None
    ratings: int
    satisfied: int
    satisfaction: float | None


class RatingCommentPublic(BaseModel):
    """A teacher's comment on a rated chat, with the rating and the agent who had the chat."""

    conversation_id: str
    rating: str
    comment: str
    agent: str | None
    created_at: dt.datetime


class HelpdeskStatsPublic(BaseModel):
    """The helpdesk's figures per agent and per week for handoffs made in the last ``days`` days,
    and the comments teachers left with their ratings in that period, newest first."""

    days: int
    since: dt.datetime
    total: HelpdeskFiguresPublic
    per_agent: list[HelpdeskFiguresPublic]
    per_week: list[HelpdeskFiguresPublic]
    comments: list[RatingCommentPublic] = []
