"""Gateway tables (conversations, every message in and out, handoffs) and the console's tables."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKey, Integer, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from conversation.db import Base


class Conversation(Base):
    """One chat with one user on one channel."""

    __tablename__ = "conversations"

    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(8), default="en")
    status: Mapped[str] = mapped_column(String(16), default="bot", index=True)  # bot | handoff | closed
    # The language Rasa's ``language`` slot was last set to by the turn (None: not yet), so the
    # turn sets it again only when the conversation's language changes.
    assistant_language: Mapped[str | None] = mapped_column(String(8), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )
    # Live chat (conversation.live): when each side last typed, and the last message the web
    # widget showed its user (agent replies after it are unread).
    user_typing_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    agent_typing_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    seen_message_id: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class Contact(Base):
    """The e-mail address a teacher left for the helpdesk's replies, with their consent.

    Erased with its conversation and purged with its messages (conversation.privacy).
    """

    __tablename__ = "contacts"

    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True
    )
    email: Mapped[str] = mapped_column(String(254))
    consent_text: Mapped[str] = mapped_column(String(64))  # the consent text's key and version
    consent_language: Mapped[str] = mapped_column(String(8))
    consented_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    transcript: Mapped[bool] = mapped_column(Boolean, default=False)  # mail the transcript at the end


class Message(Base):
    """A message from the user, the bot, an agent or the system (e.g. 'assistant unavailable')."""

    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(8))  # user | bot | agent | system
    text: Mapped[str] = mapped_column(Text)
    payload: Mapped[str | None] = mapped_column(Text, nullable=True)
    buttons: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default="sent")  # received | answered | queued | sent
    rating: Mapped[str | None] = mapped_column(String(8), nullable=True)
    rating_comment: Mapped[str | None] = mapped_column(Text, nullable=True)  # with a chat's rating
    # Who wrote an agent message (kept when the agent is disabled; agents are never deleted).
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    # The language the turn decided (user messages) or the reply is in (bot messages).
    language: Mapped[str | None] = mapped_column(String(8), nullable=True)
    # What a bot message did, from the item its custom action attached (conversation.reply_items):
    # kind (faq | clarify | fallback | rule_verdict | form_question | handoff | small_talk |
    # feedback), the topic or rule, the retrieval's confidence, the result (answered, a verdict,
    # ask:<slot>, ...), the sources it cites and the notes it adds. None on other messages.
    kind: Mapped[str | None] = mapped_column(String(16), nullable=True)
    faq_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    rule: Mapped[str | None] = mapped_column(String(64), nullable=True)
    confidence: Mapped[float | None] = mapped_column(Float, nullable=True)
    result: Mapped[str | None] = mapped_column(String(64), nullable=True)
    sources: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)
    notes: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)


class Handoff(Base):
    """A conversation that asked for (or was passed to) a human agent."""

    __tablename__ = "handoffs"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(128), index=True)
    language: Mapped[str] = mapped_column(String(8))
    reason: Mapped[str] = mapped_column(String(32))
    last_message: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="waiting", index=True)  # waiting | taken | closed
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    taken_by: Mapped[int | None] = mapped_column(ForeignKey("agents.id"), nullable=True)
    taken_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class Agent(Base):
    """A helpdesk agent or admin who signs in to the console (created with ``python -m bot users``)."""

    __tablename__ = "agents"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(8), default="agent")  # agent | admin
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class AgentSession(Base):
    """A signed-in console session, stored server-side so logout and disabling revoke it at once.

    Only a hash of the cookie's token is stored: a copy of the database does not let anyone in.
    """

    __tablename__ = "agent_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class Note(Base):
    """An internal note an agent keeps on a conversation (never shown to the user)."""

    __tablename__ = "notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class AppSetting(Base):
    """A setting admins change at run time (e.g. opening hours); the env value is the default."""

    __tablename__ = "app_settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("agents.id"), nullable=True)
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class SavedReply(Base):
    """A reply agents insert with a keystroke (``/shortcut`` then Tab), per language; admins keep them."""

    __tablename__ = "saved_replies"

    id: Mapped[int] = mapped_column(primary_key=True)
    language: Mapped[str] = mapped_column(String(8), index=True)
    shortcut: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("agents.id"), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class PasswordReset(Base):
    """A single-use, expiring password-reset link an admin issued for an agent.

    Only a hash of the link's token is stored, as for sessions.
    """

    __tablename__ = "password_resets"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"), index=True)
    issued_by: Mapped[int | None] = mapped_column(ForeignKey("agents.id"), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
