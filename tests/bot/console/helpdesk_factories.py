"""Builders for the helpdesk's side of a conversation: handoffs with their agent, replies and ratings."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from conversation.db import session_scope
from conversation.models import Conversation, Handoff, Message
from settings import Settings


@dataclass
class Said:
    """A message ``after`` seconds from the handoff (negative: before it)."""

    role: str  # user | agent | system
    after: float
    text: str = "..."
    status: str = "sent"
    rating: str | None = None
    comment: str | None = None  # with the rating of an ended chat


def seed_handoff(
    settings: Settings,
    conversation_id: str,
    *,
    at: dt.datetime,
    status: str = "waiting",
    agent_id: int | None = None,
    said: tuple[Said, ...] = (),
    closed_after: float | None = None,
    language: str = "en",
    known: bool = True,
    again: bool = False,
) -> str:
    """A handoff made at ``at`` (taken by ``agent_id`` 30 s later), with ``said`` around it.

    ``known=False`` stores the handoff only, as the action server does for a sender the gateway
    never saw: the conversation cannot be opened. ``again=True`` adds a handoff (and messages) to
    a conversation seeded before.
    """
    question = Said("user", -10, "How do I reset my EU Login password?", status="answered")
    with session_scope(settings.database_url) as session:
        if known and not again:
            session.add(
                Conversation(
                    id=conversation_id,
                    channel="web",
                    language=language,
                    status="closed" if status == "closed" else "handoff",
                    created_at=at - dt.timedelta(minutes=1),
                    updated_at=at,
                )
            )
            session.flush()
        if known:
            for s in (question, *said):
                session.add(
                    Message(
                        conversation_id=conversation_id,
                        role=s.role,
                        text=s.text,
                        status=s.status,
                        rating=s.rating,
                        rating_comment=s.comment,
                        buttons=[],
                        agent_id=agent_id if s.role == "agent" else None,
                        created_at=at + dt.timedelta(seconds=s.after),
                    )
                )
        session.add(
            Handoff(
                conversation_id=conversation_id,
                language=language,
                reason="requested",
                last_message=question.text,
                status=status,
                created_at=at,
                taken_by=agent_id,
                taken_at=at + dt.timedelta(seconds=30) if agent_id else None,
                closed_at=at + dt.timedelta(seconds=closed_after) if closed_after is not None else None,
            )
        )
    return conversation_id
