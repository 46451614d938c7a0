"""GDPR: retention purge and erasure of one conversation everywhere (gateway DB, Rasa tracker)."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any, cast

import httpx
from sqlalchemy import CursorResult, delete, select

from conversation.db import session_scope
from conversation.models import Conversation, Handoff, Message
from settings import Settings

log = logging.getLogger(__name__)


def erase_conversation(settings: Settings, conversation_id: str) -> dict[str, int | bool]:
    """Delete a conversation's messages and handoffs and empty its Rasa tracker.

    Returns:
        Counts of deleted rows and whether Rasa confirmed the tracker was emptied.
    """
    with session_scope(settings.database_url) as session:
        counts = {
            name: _deleted(session.execute(delete(model).where(column == conversation_id)))
            for name, model, column in (
                ("messages", Message, Message.conversation_id),
                ("handoffs", Handoff, Handoff.conversation_id),
                ("conversations", Conversation, Conversation.id),
            )
        }
    return {
        **counts,
        "rasa_tracker_erased": _erase_tracker(settings, conversation_id),
    }


def _deleted(result: object) -> int:
    """Rows a bulk DELETE removed."""
    return int(cast(CursorResult[Any], result).rowcount or 0)


def _erase_tracker(settings: Settings, conversation_id: str) -> bool:
    """Replace the tracker's events with none (Rasa 3.6 has no delete endpoint)."""
    try:
        response = httpx.put(
            f"{settings.rasa_url}/conversations/{conversation_id}/tracker/events", json=[], timeout=10
        )
        return response.status_code == 200
    except httpx.HTTPError as exc:
        log.warning("privacy: Rasa tracker of %s not erased: %s", conversation_id, type(exc).__name__)
        return False


def purge_older_than(settings: Settings, days: int, now: dt.datetime | None = None) -> list[str]:
    """Erase every conversation not updated for ``days`` days; returns their ids."""
    cutoff = (now or dt.datetime.now(dt.UTC)) - dt.timedelta(days=days)
    with session_scope(settings.database_url) as session:
        stale = list(session.scalars(select(Conversation.id).where(Conversation.updated_at < cutoff)))
    for conversation_id in stale:
        erase_conversation(settings, conversation_id)
    return stale
