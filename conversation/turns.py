"""The message gateway every channel goes through.

Each incoming message is committed before Rasa is called and each reply is committed after,
so a crash or a Rasa outage never loses a user message: it stays ``queued`` for an agent.
Conversations in handoff go to agents, not to Rasa.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import partial
from typing import Any, cast

from anyio import to_thread
from sqlalchemy import select
from sqlalchemy.orm import Session

from conversation.db import session_scope
from conversation.handoff import OPEN, request_handoff
from conversation.models import Conversation, Handoff, Message
from conversation.rasa_client import RasaClient, RasaUnavailableError
from conversation.texts import system_text
from knowledge.langdetect import detect
from knowledge.schema import Lang
from settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OutMessage:
    """A message as channels show it."""

    id: int
    role: str
    text: str
    buttons: list[dict[str, Any]] = field(default_factory=list)
    created_at: str = ""


@dataclass(frozen=True)
class GatewayReply:
    """What a channel sends back to the user for one incoming message."""

    conversation_id: str
    language: str
    handoff: bool
    messages: list[OutMessage]


def _out(m: Message) -> OutMessage:
    return OutMessage(
        m.id, m.role, m.text, list(m.buttons or []), m.created_at.isoformat() if m.created_at else ""
    )


def _conversation(session: Session, conversation_id: str, channel: str, lang: str) -> Conversation:
    conv = session.get(Conversation, conversation_id)
    if conv is None:
        conv = Conversation(id=conversation_id, channel=channel, language=lang)
        session.add(conv)
    return conv


def in_handoff(session: Session, conversation_id: str) -> bool:
    """Whether an agent owns (or is about to own) the conversation."""
    return (
        session.scalars(
            select(Handoff.id).where(Handoff.conversation_id == conversation_id, Handoff.status.in_(OPEN))
        ).first()
        is not None
    )


async def process_message(
    settings: Settings,
    rasa: RasaClient,
    *,
    channel: str,
    conversation_id: str,
    text: str,
    payload: str | None = None,
    lang: str | None = None,
) -> GatewayReply:
    """Store the user's message, get the assistant's (or the queue's) reply, store that too.

    Args:
        settings: Application settings.
        rasa: Client of the Rasa REST channel.
        channel: web | telegram.
        conversation_id: Stable id of the conversation on that channel.
        text: What the user typed (or the title of the button they pressed).
        payload: A button payload to send to Rasa instead of ``text``.
        lang: The user's language if the channel knows it.

    Returns:
        The stored replies and whether the conversation is now with an agent.

    The database work runs in worker threads: a slow write (a SQLite lock, a busy PostgreSQL)
    holds up this turn only, never the event loop that serves every other request.
    """
    language, incoming_id, with_agent = await to_thread.run_sync(
        partial(
            _receive,
            settings,
            channel=channel,
            conversation_id=conversation_id,
            text=text,
            payload=payload,
            lang=lang,
        )
    )
    store = partial(_store_replies, settings, conversation_id, language)
    if with_agent:
        return await to_thread.run_sync(partial(store, [], system_key=None, queued_only=True))
    try:
        replies = await rasa.send(
            conversation_id, payload or text, {"channel": channel, "chosen_language": lang}
        )
        if not replies:  # every turn of this assistant says something; silence = a failed action
            raise RasaUnavailableError("empty reply (action server down?)")
    except RasaUnavailableError as exc:
        log.warning("gateway: Rasa unavailable for %s: %s", conversation_id, exc)
        await to_thread.run_sync(
            request_handoff, settings, conversation_id, language, "assistant_unavailable", text
        )
        await to_thread.run_sync(_mark, settings, incoming_id, "queued")
        return await to_thread.run_sync(partial(store, [], system_key="assistant_unavailable"))
    await to_thread.run_sync(_mark, settings, incoming_id, "answered")
    return await to_thread.run_sync(partial(store, replies, system_key=None))


def _receive(
    settings: Settings,
    *,
    channel: str,
    conversation_id: str,
    text: str,
    payload: str | None,
    lang: str | None,
) -> tuple[str, int, bool]:
    """Commit the user's message (before anything can fail) and decide the turn's language.

    Returns:
        The language, the stored message's id and whether an agent has the conversation.
    """
    with session_scope(settings.database_url) as session:
        conv = _conversation(session, conversation_id, channel, lang or settings.default_language)
        current = cast(Lang, conv.language)
        language = lang or (detect(text, default=current) if not payload else current)
        conv.language = language
        incoming = Message(
            conversation_id=conversation_id, role="user", text=text, payload=payload, status="received"
        )
        session.add(incoming)
        session.flush()
        with_agent = in_handoff(session, conversation_id)
        if with_agent:
            incoming.status = "queued"
        return language, incoming.id, with_agent


def _mark(settings: Settings, message_id: int, status: str) -> None:
    with session_scope(settings.database_url) as session:
        message = session.get(Message, message_id)
        if message is not None:
            message.status = status


def _store_replies(
    settings: Settings,
    conversation_id: str,
    language: str,
    replies: list[dict[str, Any]],
    *,
    system_key: str | None,
    queued_only: bool = False,
) -> GatewayReply:
    with session_scope(settings.database_url) as session:
        stored: list[Message] = []
        if queued_only:
            stored.append(
                Message(
                    conversation_id=conversation_id,
                    role="system",
                    text=system_text("with_agent", language, settings),
                )
            )
        if system_key:
            stored.append(
                Message(
                    conversation_id=conversation_id,
                    role="system",
                    text=system_text(system_key, language, settings),
                )
            )
        for reply in replies:
            if "text" in reply or "buttons" in reply:
                stored.append(
                    Message(
                        conversation_id=conversation_id,
                        role="bot",
                        text=reply.get("text", ""),
                        buttons=reply.get("buttons", []),
                    )
                )
        session.add_all(stored)
        handoff = in_handoff(session, conversation_id)
        conv = session.get(Conversation, conversation_id)
        if conv is not None and handoff:
            conv.status = "handoff"
        session.flush()
        return GatewayReply(conversation_id, language, handoff, [_out(m) for m in stored])


def history(settings: Settings, conversation_id: str, after: int = 0) -> GatewayReply | None:
    """Messages of a conversation after message id ``after`` (history restore and polling)."""
    with session_scope(settings.database_url) as session:
        conv = session.get(Conversation, conversation_id)
        if conv is None:
            return None
        rows = session.scalars(
            select(Message)
            .where(Message.conversation_id == conversation_id, Message.id > after)
            .order_by(Message.id)
        ).all()
        return GatewayReply(
            conversation_id, conv.language, in_handoff(session, conversation_id), [_out(m) for m in rows]
        )


def rate(settings: Settings, conversation_id: str, message_id: int, rating: str) -> bool:
    """Store thumbs up/down on a bot message; False if there is no such bot message."""
    with session_scope(settings.database_url) as session:
        message = session.get(Message, message_id)
        if message is None or message.conversation_id != conversation_id or message.role != "bot":
            return False
        message.rating = rating
        return True
