"""The message gateway every channel goes through.

Each incoming message is committed before Rasa is called and each reply is committed after,
so a crash or a Rasa outage never loses a user message: it stays ``queued`` for an agent.
Conversations in handoff go to agents, not to Rasa. The turn decides the message's language
(:mod:`conversation.language`) and stores, with each bot message, the item its action attached
saying what it did (:mod:`conversation.reply_items`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import partial
from typing import Any, cast

from anyio import to_thread
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from conversation import metrics
from conversation.db import session_scope
from conversation.handoff import OPEN, request_handoff
from conversation.language import CHANGE_LANGUAGE, asked_language, turn_language
from conversation.models import Conversation, Handoff, Message
from conversation.rasa_client import RasaClient, RasaUnavailableError
from conversation.reply_items import ANSWERS, RATINGS, ReplyItem, ReplyKind, describe
from conversation.texts import system_text
from knowledge.schema import LANGS, Lang
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


def _agent_has_it(session: Session, conversation_id: str) -> bool:
    """Whether an agent has taken the conversation over (a live chat)."""
    return (
        session.scalars(
            select(Handoff.id).where(Handoff.conversation_id == conversation_id, Handoff.status == "taken")
        ).first()
        is not None
    )


@metrics.timed_async("turn")
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

    The turn decides the message's language (:mod:`conversation.language`) and sets Rasa's
    ``language`` slot when it changes, before Rasa predicts; the actions and the responses' slot
    conditions only read it.

    Args:
        settings: Application settings.
        rasa: Client of the Rasa server (REST channel and HTTP API).
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
    chosen = lang if lang in LANGS else None
    received = await to_thread.run_sync(
        partial(
            _receive,
            settings,
            channel=channel,
            conversation_id=conversation_id,
            text=text,
            payload=payload,
            chosen=chosen,
        )
    )
    store = partial(_store_replies, settings, conversation_id)
    if received.with_agent:
        return await to_thread.run_sync(
            partial(store, received.language, [], system_key=None, queued_only=True)
        )
    language, synced = received.language, received.assistant_language
    try:
        if received.asked not in (None, language) and await rasa.intent(text) == CHANGE_LANGUAGE:
            language = received.asked
        if language != synced:
            await rasa.set_slot(conversation_id, "language", language, maybe_new=synced is None)
            synced = language
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
        queued = _Settled(received.incoming_id, "queued", synced)
        return await to_thread.run_sync(
            partial(store, language, [], system_key="assistant_unavailable", settled=queued)
        )
    answered = _Settled(received.incoming_id, "answered", synced)
    return await to_thread.run_sync(partial(store, language, replies, system_key=None, settled=answered))


@dataclass(frozen=True)
class _Received:
    """The stored user message and what the turn knows before calling Rasa."""

    incoming_id: int
    language: Lang  # by the rules that need no NLU
    asked: Lang | None  # the language the message names, if any
    assistant_language: str | None  # what Rasa's language slot holds
    with_agent: bool


def _receive(
    settings: Settings,
    *,
    channel: str,
    conversation_id: str,
    text: str,
    payload: str | None,
    chosen: Lang | None,
) -> _Received:
    """Commit the user's message (before anything can fail) and decide the turn's language."""
    with session_scope(settings.database_url) as session:
        new = session.get(Conversation, conversation_id) is None
        conv = _conversation(session, conversation_id, channel, chosen or settings.default_language)
        language = turn_language(text, payload, chosen, cast(Lang, conv.language), new=new)
        conv.language = language
        incoming = Message(
            conversation_id=conversation_id,
            role="user",
            text=text,
            payload=payload,
            status="received",
            language=language,
        )
        session.add(incoming)
        session.flush()
        with_agent = in_handoff(session, conversation_id)
        if with_agent:
            incoming.status = "queued"
        return _Received(
            incoming.id, language, asked_language(text, payload), conv.assistant_language, with_agent
        )


@dataclass(frozen=True)
class _Settled:
    """How the user's message ended: ``answered`` or ``queued``, and Rasa's language slot."""

    message_id: int
    status: str
    synced: str | None


def _settle(session: Session, settled: _Settled, language: str) -> None:
    """Mark the user's message answered or queued, in the turn's final language (in the same
    transaction as the replies: one commit per turn fewer, and never one without the other)."""
    message = session.get(Message, settled.message_id)
    if message is None:  # erased meanwhile
        return
    message.status = settled.status
    message.language = language
    conv = session.get(Conversation, message.conversation_id)
    if conv is not None:
        conv.language = language
        conv.assistant_language = settled.synced


def _bot_message(conversation_id: str, reply: dict[str, Any], item: ReplyItem, language: str) -> Message:
    return Message(
        conversation_id=conversation_id,
        role="bot",
        text=reply.get("text", ""),
        buttons=reply.get("buttons", []),
        language=item.language or language,
        kind=item.kind,
        faq_id=item.faq_id,
        rule=item.rule,
        confidence=item.confidence,
        result=item.status,
        sources=list(item.sources),
        notes=list(item.notes),
    )


def _store_replies(
    settings: Settings,
    conversation_id: str,
    language: str,
    replies: list[dict[str, Any]],
    *,
    system_key: str | None,
    queued_only: bool = False,
    settled: _Settled | None = None,
) -> GatewayReply:
    """Store what the user is shown, each bot message with the item its action attached, and
    how the user's message ended (``settled``).

    Rasa's own responses come without an item: they are stored as small talk. Typed feedback
    ("that's wrong") rates the conversation's last answer, as the widget's thumbs do.
    """
    with session_scope(settings.database_url) as session:
        if settled is not None:
            _settle(session, settled, language)
        # "Passed to the helpdesk" only while nobody has taken it: in a live chat it would be noise.
        keys = ["with_agent"] if queued_only and not _agent_has_it(session, conversation_id) else []
        keys += [system_key] if system_key else []
        stored = [
            Message(
                conversation_id=conversation_id,
                role="system",
                text=system_text(key, language, settings),
                language=language,
            )
            for key in keys
        ]
        for reply, item in describe(replies):
            described = item or ReplyItem(ReplyKind.SMALL_TALK)
            if described.kind == ReplyKind.FEEDBACK and described.status in RATINGS:
                rate_last_answer(session, conversation_id, described.status)
            stored.append(_bot_message(conversation_id, reply, described, language))
        metrics.count_turn(language, [m.kind for m in stored if m.kind] or keys or ["with_agent"])
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


def rate_last_answer(session: Session, conversation_id: str, rating: str) -> Message | None:
    """Rate the conversation's last answer (FAQ or rule verdict) on its first message, the one the
    widget's thumbs rate; None if the assistant has not answered anything yet."""
    last = session.scalars(
        select(Message)
        .where(Message.conversation_id == conversation_id, Message.kind.in_(ANSWERS))
        .order_by(Message.id.desc())
    ).first()
    if last is None:
        return None
    asked = session.scalar(
        select(func.max(Message.id)).where(
            Message.conversation_id == conversation_id, Message.role == "user", Message.id < last.id
        )
    )
    first = session.scalars(
        select(Message)
        .where(
            Message.conversation_id == conversation_id,
            Message.kind == last.kind,
            Message.id > (asked or 0),
        )
        .order_by(Message.id)
    ).first()
    target = first or last
    target.rating = rating
    return target


def rate(settings: Settings, conversation_id: str, message_id: int, rating: str) -> bool:
    """Store thumbs up/down on a bot message; False if there is no such bot message."""
    with session_scope(settings.database_url) as session:
        message = session.get(Message, message_id)
        if message is None or message.conversation_id != conversation_id or message.role != "bot":
            return False
        message.rating = rating
        return True
