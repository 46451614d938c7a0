"""Saved replies: texts agents insert into a reply with a keystroke, per language.

Admins keep them on the console's admin page; the conversation page offers those in the
conversation's language (type ``/shortcut`` and press Tab).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select

from conversation.db import session_scope
from conversation.models import SavedReply
from settings import Settings

SHORTCUT = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")
MAX_TEXT = 2000


class SavedReplyError(ValueError):
    """A saved reply that cannot be stored (bad shortcut, language or text, or a taken shortcut)."""


@dataclass(frozen=True)
class SavedReplyPublic:
    """A saved reply as the console shows it."""

    id: int
    language: str
    shortcut: str
    text: str


def _public(row: SavedReply) -> SavedReplyPublic:
    return SavedReplyPublic(row.id, row.language, row.shortcut, row.text)


def list_saved_replies(settings: Settings, language: str | None = None) -> list[SavedReplyPublic]:
    """Saved replies by language and shortcut (only ``language``'s when given)."""
    with session_scope(settings.database_url) as session:
        query = select(SavedReply).order_by(SavedReply.language, SavedReply.shortcut)
        if language is not None:
            query = query.where(SavedReply.language == language)
        return [_public(r) for r in session.scalars(query)]


def create_saved_reply(
    settings: Settings, language: str, shortcut: str, text: str, agent_id: int | None
) -> SavedReplyPublic:
    """Store a saved reply.

    Raises:
        SavedReplyError: Unknown language, a shortcut not made of a-z, 0-9, _ and -, an empty or
            too long text, or a shortcut the language already has.
    """
    shortcut, text = shortcut.strip().lower().removeprefix("/"), text.strip()
    if language not in settings.languages:
        raise SavedReplyError("unknown language")
    if not SHORTCUT.match(shortcut):
        raise SavedReplyError("a shortcut is 1-32 of a-z, 0-9, _ and -")
    if not text or len(text) > MAX_TEXT:
        raise SavedReplyError(f"a saved reply has 1 to {MAX_TEXT} characters")
    with session_scope(settings.database_url) as session:
        taken = select(SavedReply.id).where(SavedReply.language == language, SavedReply.shortcut == shortcut)
        if session.scalars(taken).first() is not None:
            raise SavedReplyError("this shortcut is taken in this language")
        row = SavedReply(language=language, shortcut=shortcut, text=text, created_by=agent_id)
        session.add(row)
        session.flush()
        return _public(row)


def delete_saved_reply(settings: Settings, reply_id: int) -> bool:
    """Delete a saved reply; False if there was none."""
    with session_scope(settings.database_url) as session:
        row = session.get(SavedReply, reply_id)
        if row is None:
            return False
        session.delete(row)
        return True
