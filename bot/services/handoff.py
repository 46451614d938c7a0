"""Handoff to a human agent: the record the helpdesk console works from."""

from __future__ import annotations

from sqlalchemy import select

from bot.db import session_scope
from bot.models import Handoff
from bot.settings import Settings

OPEN = ("waiting", "taken")


def request_handoff(
    settings: Settings, conversation_id: str, language: str, reason: str, last_message: str
) -> int:
    """Mark ``conversation_id`` as waiting for an agent; idempotent while a handoff is open.

    Returns:
        The id of the open handoff record.
    """
    with session_scope(settings.database_url) as session:
        existing = session.scalars(
            select(Handoff).where(Handoff.conversation_id == conversation_id, Handoff.status.in_(OPEN))
        ).first()
        if existing is not None:
            return existing.id
        record = Handoff(
            conversation_id=conversation_id, language=language, reason=reason, last_message=last_message
        )
        session.add(record)
        session.flush()
        return record.id


def open_handoffs(settings: Settings) -> list[Handoff]:
    """Handoffs still waiting or taken, oldest first."""
    with session_scope(settings.database_url) as session:
        return list(
            session.scalars(
                select(Handoff).where(Handoff.status.in_(OPEN)).order_by(Handoff.created_at, Handoff.id)
            )
        )
