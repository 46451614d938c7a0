"""Live chat between a teacher and an agent: who joined, typing, unread replies, ending, rating.

Typing is a timestamp per side that the other side's polling reads (fresh for
:data:`TYPING_SECONDS`); unread replies are the agent messages after the last message the widget
showed. Ending a chat closes its handoff and the conversation, and stores a closing system
message that the teacher's 1-5 rating is put on, which :mod:`conversation.agent_stats` counts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from conversation.clock import as_utc, utcnow
from conversation.db import session_scope
from conversation.handoff import OPEN
from conversation.models import Agent, Conversation, Handoff, Message
from conversation.texts import system_text
from settings import Settings

TYPING_SECONDS = 6
CHAT_ENDED = "chat_ended"  # Message.kind of the closing message
Side = Literal["user", "agent"]


@dataclass(frozen=True)
class LiveState:
    """What the widget shows besides messages."""

    agent: str | None  # first name of the agent who has the conversation
    agent_typing: bool
    unread: int  # agent replies after the last message the widget showed


def _fresh(moment: dt.datetime | None) -> bool:
    return moment is not None and (utcnow() - as_utc(moment)).total_seconds() < TYPING_SECONDS


def live_state(settings: Settings, conversation_id: str) -> LiveState:
    """The agent's first name, whether they are typing, and how many replies are unread."""
    with session_scope(settings.database_url) as session:
        conv = session.get(Conversation, conversation_id)
        if conv is None:
            return LiveState(None, False, 0)
        name = session.scalar(
            select(Agent.name)
            .join(Handoff, Handoff.taken_by == Agent.id)
            .where(Handoff.conversation_id == conversation_id, Handoff.status == "taken")
        )
        unread = session.scalar(
            select(func.count(Message.id)).where(
                Message.conversation_id == conversation_id,
                Message.role == "agent",
                Message.id > (conv.seen_message_id or 0),
            )
        )
        return LiveState(
            name.split()[0] if name else None, bool(name) and _fresh(conv.agent_typing_at), int(unread or 0)
        )


def user_typing(settings: Settings, conversation_id: str) -> bool:
    """Whether the teacher typed in the last few seconds (for the console)."""
    with session_scope(settings.database_url) as session:
        conv = session.get(Conversation, conversation_id)
        return conv is not None and _fresh(conv.user_typing_at)


def typing(settings: Settings, conversation_id: str, side: Side) -> None:
    """Note that ``side`` is typing now."""
    column = "user_typing_at" if side == "user" else "agent_typing_at"
    with session_scope(settings.database_url) as session:
        session.execute(
            update(Conversation)
            .where(Conversation.id == conversation_id)
            .values({column: utcnow()})
            .execution_options(synchronize_session=False)
        )


def mark_seen(settings: Settings, conversation_id: str, message_id: int) -> None:
    """The widget showed its user every message up to ``message_id``."""
    with session_scope(settings.database_url) as session:
        conv = session.get(Conversation, conversation_id)
        if conv is not None and message_id > (conv.seen_message_id or 0):
            last = session.scalar(
                select(func.max(Message.id)).where(Message.conversation_id == conversation_id)
            )
            conv.seen_message_id = min(message_id, last or 0)


def end_chat(settings: Settings, conversation_id: str) -> int | None:
    """The teacher ends the chat: its handoff and the conversation close for both sides.

    Returns:
        The id of the closing system message (the one a rating rates), or None if unknown.
    """
    with session_scope(settings.database_url) as session:
        conv = session.get(Conversation, conversation_id)
        if conv is None:
            return None
        session.execute(
            update(Handoff)
            .where(Handoff.conversation_id == conversation_id, Handoff.status.in_(OPEN))
            .values(status="closed", closed_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        conv.status = "closed"
        closing = Message(
            conversation_id=conversation_id,
            role="system",
            text=system_text(CHAT_ENDED, conv.language, settings),
            language=conv.language,
            kind=CHAT_ENDED,
        )
        session.add(closing)
        session.flush()
        return closing.id


def _closing_message(session: Session, conversation_id: str) -> Message | None:
    return session.scalars(
        select(Message)
        .where(Message.conversation_id == conversation_id, Message.kind == CHAT_ENDED)
        .order_by(Message.id.desc())
    ).first()


def rate_chat(settings: Settings, conversation_id: str, rating: int, comment: str | None) -> bool:
    """Store the teacher's 1-5 rating (and comment) of an ended chat on its closing message.

    Returns:
        False when the chat was not ended.
    """
    with session_scope(settings.database_url) as session:
        closing = _closing_message(session, conversation_id)
        if closing is None:
            return False
        closing.rating = str(rating)
        closing.rating_comment = comment or None
        return True
