"""The handoff lifecycle: request, queue, take over, reply, note, hand back, close.

Every state change starts with a conditional write (``UPDATE ... WHERE status = 'waiting'``)
and reads the outcome from its row count, so two agents pressing "take over" at the same
moment cannot both win, on SQLite or PostgreSQL alike.

The queue (:func:`queue`) is what agents work, with two rules beyond "every open handoff":

* A handoff whose conversation the gateway does not know (the action server records a handoff
  for any sender, e.g. one talking to Rasa's own REST channel; or the conversation's rows were
  purged) cannot be opened, so it is left out instead of leading to an error page.
* The order is who has waited longest for a person: a waiting handoff since it was made; a taken
  one since it was made until its agent first replies, then since the oldest message the agent
  has not answered (:func:`waiting_since`). Taken conversations where nobody waits come last.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Sequence
from typing import Any, Literal, cast

from sqlalchemy import CursorResult, or_, select, update
from sqlalchemy.orm import Session

from conversation.clock import as_utc, utcnow
from conversation.db import session_scope
from conversation.models import Agent, Conversation, Handoff, Message, Note
from conversation.records import (
    ConsoleAgent,
    ConsoleMessagePublic,
    HandoffPublic,
    NotePublic,
    QueueItemPublic,
)
from conversation.reply_items import ReplyKind, cited_lines
from conversation.texts import system_text
from settings import Settings

log = logging.getLogger(__name__)
OPEN = ("waiting", "taken")


def request_handoff(
    settings: Settings, conversation_id: str, language: str, reason: str, last_message: str
) -> int | None:
    """Mark ``conversation_id`` as waiting for an agent; idempotent while a handoff is open.

    Only a conversation the gateway stored can wait: agents can open, answer and close it. A
    request for any other id (a forged action call, a client talking to Rasa directly) would
    leave a queue item nobody can remove, so it is refused.

    Returns:
        The id of the open handoff record, or None when the gateway does not know the conversation.
    """
    with session_scope(settings.database_url) as session:
        if session.get(Conversation, conversation_id) is None:
            log.warning("handoff: refused for a conversation the gateway does not know")
            return None
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


Conflict = Literal["taken", "not_taken", "closed"]


class ConversationNotFoundError(LookupError):
    """No conversation with this id."""


class HandoffConflictError(Exception):
    """The conversation is not in the state the action needs.

    Args:
        code: taken (another agent has it), not_taken (take it over first), closed (no open handoff).
        taken_by: Name of the agent who has it, for ``taken``.
    """

    def __init__(self, code: Conflict, taken_by: str | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.taken_by = taken_by


def agent_names(session: Session) -> dict[int, str]:
    return dict(session.execute(select(Agent.id, Agent.name)).tuples().all())


def handoff_record(h: Handoff, names: dict[int, str]) -> HandoffPublic:
    return HandoffPublic(
        id=h.id,
        status=h.status,
        reason=h.reason,
        taken_by=names.get(h.taken_by) if h.taken_by else None,
        taken_by_id=h.taken_by,
        created_at=as_utc(h.created_at),
        taken_at=as_utc(h.taken_at) if h.taken_at else None,
        closed_at=as_utc(h.closed_at) if h.closed_at else None,
    )


def message_record(m: Message, names: dict[int, str]) -> ConsoleMessagePublic:
    """A stored message as the console shows it: the lines citing its sources apart, its kind."""
    sources = cited_lines(m.text, m.sources or [])
    body = (
        "\n".join(line for line in m.text.splitlines() if line not in sources).rstrip() if sources else m.text
    )
    buttons = [str(b.get("title") or b.get("payload") or "") for b in m.buttons or []]
    return ConsoleMessagePublic(
        id=m.id,
        role=m.role,
        text=m.text,
        body=body,
        sources=sources,
        buttons=buttons,
        kind=m.kind,
        rating=m.rating,
        rating_comment=m.rating_comment,
        status=m.status,
        created_at=as_utc(m.created_at),
        agent=names.get(m.agent_id) if m.agent_id else None,
    )


def note_record(n: Note, names: dict[int, str]) -> NotePublic:
    return NotePublic(id=n.id, agent=names.get(n.agent_id, "?"), text=n.text, created_at=as_utc(n.created_at))


def _open_handoff(session: Session, conversation_id: str) -> Handoff | None:
    return session.scalars(
        select(Handoff)
        .where(Handoff.conversation_id == conversation_id, Handoff.status.in_(OPEN))
        .order_by(Handoff.id.desc())
    ).first()


def handoff_context(handoff: Handoff, messages: Sequence[Message]) -> tuple[str, str | None, int]:
    """The user's question, the bot's last answer and the unanswered messages of a handoff.

    The question is the last message the user typed before the handoff (not a button press,
    not the "talk to a person" request itself); without one, the last button the user pressed
    (its title, not its payload). Messages typed while waiting are counted.
    """
    typed = [
        m
        for m in messages
        if m.role == "user"
        and m.payload is None
        and m.status != "queued"
        and not (handoff.reason == "requested" and m.text == handoff.last_message)
    ]
    pressed = [m.text for m in messages if m.role == "user" and m.status != "queued"]
    question = typed[-1].text if typed else pressed[-1] if pressed else handoff.last_message
    # Rasa's REST channel splits a reply at blank lines (answer, then its source line): the
    # bot's answer is every bot message of its last turn that was not the handoff itself.
    turns: list[list[Message]] = [[]]
    for m in messages:
        if m.role == "user":
            turns.append([])
        elif m.role == "bot":
            turns[-1].append(m)
    answered = [t for t in turns if t and all(m.kind != ReplyKind.HANDOFF for m in t)]
    last_answer = "\n\n".join(m.text for m in answered[-1]) if answered else None
    last_agent = max((m.id for m in messages if m.role == "agent"), default=0)
    waiting = sum(1 for m in messages if m.role == "user" and m.status == "queued" and m.id > last_agent)
    return question, last_answer, waiting


def _open_items(settings: Settings) -> list[QueueItemPublic]:
    """Open handoffs, oldest first: who waits, in which language and channel, and for what."""
    now = utcnow()
    with session_scope(settings.database_url) as session:
        names = agent_names(session)
        items = []
        for h in session.scalars(
            select(Handoff).where(Handoff.status.in_(OPEN)).order_by(Handoff.created_at, Handoff.id)
        ):
            conv = session.get(Conversation, h.conversation_id)
            messages = session.scalars(
                select(Message).where(Message.conversation_id == h.conversation_id).order_by(Message.id)
            ).all()
            question, last_answer, waiting = handoff_context(h, messages)
            created = as_utc(h.created_at)
            items.append(
                QueueItemPublic(
                    handoff_id=h.id,
                    conversation_id=h.conversation_id,
                    channel=conv.channel if conv else "?",
                    language=h.language,
                    reason=h.reason,
                    status=h.status,
                    created_at=created,
                    waiting_seconds=max(0, int((now - created).total_seconds())),
                    question=question,
                    last_bot_answer=last_answer,
                    taken_by=names.get(h.taken_by) if h.taken_by else None,
                    new_messages=waiting,
                )
            )
        return items


def waiting_since(
    handoff_created: dt.datetime, status: str, messages: list[tuple[str, str, dt.datetime]]
) -> dt.datetime | None:
    """Since when the teacher of one open handoff has been waiting for a person; None if not waiting.

    Args:
        handoff_created: When the handoff was made (UTC).
        status: The handoff's status (waiting | taken).
        messages: (role, status, created_at) of the conversation's user and agent messages
            since the handoff was made, oldest first.

    Returns:
        The handoff's time while nobody has replied; after an agent's reply, the time of the
        oldest user message queued since then; None when the agent has answered everything.
    """
    replies = [i for i, (role, _, _) in enumerate(messages) if role == "agent"]
    if status == "waiting" or not replies:
        return handoff_created
    unanswered = [
        created
        for role, state, created in messages[replies[-1] + 1 :]
        if role == "user" and state == "queued"
    ]
    return min(unanswered, default=None)


def queue(settings: Settings) -> list[QueueItemPublic]:
    """The queue agents work: open handoffs of known conversations, the longest-waiting teacher first.

    ``waiting_since`` and ``waiting_seconds`` say how long the teacher has waited (None and 0 when
    nobody waits); ``taken_by_id`` is the agent who has the conversation, so a page can tell the
    agent's own conversations apart for notifications.
    """
    items = _open_items(settings)
    if not items:
        return []
    ids = {item.conversation_id for item in items}
    with session_scope(settings.database_url) as session:
        known = set(session.scalars(select(Conversation.id).where(Conversation.id.in_(ids))))
        takers = dict(
            session.execute(
                select(Handoff.id, Handoff.taken_by).where(Handoff.id.in_([i.handoff_id for i in items]))
            )
            .tuples()
            .all()
        )
        rows = session.execute(
            select(Message.conversation_id, Message.role, Message.status, Message.created_at)
            .where(Message.conversation_id.in_(known), Message.role.in_(("user", "agent")))
            .order_by(Message.id)
        ).tuples()
        history: dict[str, list[tuple[str, str, dt.datetime]]] = defaultdict(list)
        for conversation_id, role, status, created in rows:
            history[conversation_id].append((role, status, as_utc(created)))
    now = utcnow()
    listed = []
    for item in items:
        if item.conversation_id not in known:
            continue
        since_handoff = [m for m in history[item.conversation_id] if m[2] >= item.created_at]
        since = waiting_since(item.created_at, item.status, since_handoff)
        listed.append(
            item.model_copy(
                update={
                    "taken_by_id": takers.get(item.handoff_id),
                    "waiting_since": since,
                    "waiting_seconds": max(0, int((now - since).total_seconds())) if since else 0,
                }
            )
        )
    return sorted(
        listed, key=lambda i: (i.waiting_since is None, i.waiting_since or i.created_at, i.handoff_id)
    )


def _rowcount(result: object) -> int:
    return int(cast(CursorResult[Any], result).rowcount or 0)


def _conflict(session: Session, conversation_id: str, agent: ConsoleAgent) -> Exception:
    """Why a conditional update changed nothing."""
    if session.get(Conversation, conversation_id) is None:
        return ConversationNotFoundError(conversation_id)
    handoff = _open_handoff(session, conversation_id)
    if handoff is None:
        return HandoffConflictError("closed")
    if handoff.status == "taken" and handoff.taken_by != agent.id:
        taker = session.get(Agent, handoff.taken_by) if handoff.taken_by else None
        return HandoffConflictError("taken", taker.name if taker else None)
    return HandoffConflictError("not_taken")


def _system(conv: Conversation, key: str, settings: Settings, **values: str) -> Message:
    return Message(
        conversation_id=conv.id, role="system", text=system_text(key, conv.language, settings, **values)
    )


def take_over(
    settings: Settings, conversation_id: str, agent: ConsoleAgent
) -> tuple[HandoffPublic, Message, str]:
    """Give the waiting conversation to ``agent`` and tell the user a person joined.

    Returns:
        The handoff, the stored "agent joined" message and the conversation's channel (to
        deliver the message on Telegram).

    Raises:
        HandoffConflictError: Another agent was first (``taken``) or nobody waits (``closed``).
        ConversationNotFoundError: No such conversation.
    """
    with session_scope(settings.database_url) as session:
        taken = session.execute(
            update(Handoff)
            .where(Handoff.conversation_id == conversation_id, Handoff.status == "waiting")
            .values(status="taken", taken_by=agent.id, taken_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        if _rowcount(taken) != 1:
            raise _conflict(session, conversation_id, agent)
        conv = session.get(Conversation, conversation_id)
        assert conv is not None  # handoffs belong to conversations
        conv.status = "handoff"
        joined = _system(conv, "agent_joined", settings, name=agent.name.split()[0])
        session.add(joined)
        session.flush()
        handoff = _open_handoff(session, conversation_id)
        assert handoff is not None
        log.info("console: agent %s took over %s", agent.id, conversation_id)
        return handoff_record(handoff, agent_names(session)), joined, conv.channel


def add_reply(
    settings: Settings, conversation_id: str, agent: ConsoleAgent, text: str
) -> tuple[ConsoleMessagePublic, str]:
    """Store an agent's reply; the widget shows it on its next poll.

    Returns:
        The stored message and the conversation's channel (Telegram needs delivering).

    Raises:
        HandoffConflictError: The agent has not taken the conversation over.
        ConversationNotFoundError: No such conversation.
    """
    with session_scope(settings.database_url) as session:
        conv = session.get(Conversation, conversation_id)
        if conv is None:
            raise ConversationNotFoundError(conversation_id)
        channel = conv.channel
    with session_scope(settings.database_url) as session:
        # Write first, then check who has the conversation: a failed check rolls the write back.
        message = Message(
            conversation_id=conversation_id, role="agent", text=text, status="sent", agent_id=agent.id
        )
        session.add(message)
        session.flush()
        handoff = _open_handoff(session, conversation_id)
        if handoff is None or handoff.status != "taken" or handoff.taken_by != agent.id:
            raise _conflict(session, conversation_id, agent)
        session.refresh(message)
        return message_record(message, agent_names(session)), channel


def add_note(settings: Settings, conversation_id: str, agent: ConsoleAgent, text: str) -> NotePublic:
    """Keep an internal note on a conversation.

    Raises:
        ConversationNotFoundError: No such conversation.
    """
    with session_scope(settings.database_url) as session:
        if session.get(Conversation, conversation_id) is None:
            raise ConversationNotFoundError(conversation_id)
        note = Note(conversation_id=conversation_id, agent_id=agent.id, text=text)
        session.add(note)
        session.flush()
        session.refresh(note)
        return note_record(note, agent_names(session))


def finish(
    settings: Settings, conversation_id: str, agent: ConsoleAgent, *, hand_back: bool
) -> tuple[HandoffPublic, Message, str]:
    """Close the open handoff: back to the assistant (``hand_back``) or conversation closed.

    The agent who has the conversation, or anyone while it still waits, may do this; admins
    always may. The user gets a message saying what happened. Rasa needs no notice: the turn
    decides from the handoff table whether a message goes to an agent or to the assistant, so
    handing back works while Rasa is down.

    Returns:
        The closed handoff, the stored system message and the conversation's channel.

    Raises:
        HandoffConflictError: Another agent has it, or there is no open handoff.
        ConversationNotFoundError: No such conversation.
    """
    conditions = [Handoff.conversation_id == conversation_id, Handoff.status.in_(OPEN)]
    if not agent.is_admin:
        conditions.append(or_(Handoff.status == "waiting", Handoff.taken_by == agent.id))
    with session_scope(settings.database_url) as session:
        closed = session.execute(
            update(Handoff)
            .where(*conditions)
            .values(status="closed", closed_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        if _rowcount(closed) == 0:
            raise _conflict(session, conversation_id, agent)
        conv = session.get(Conversation, conversation_id)
        assert conv is not None
        conv.status = "bot" if hand_back else "closed"
        notice = _system(conv, "back_to_bot" if hand_back else "conversation_closed", settings)
        session.add(notice)
        session.flush()
        handoff = session.scalars(
            select(Handoff).where(Handoff.conversation_id == conversation_id).order_by(Handoff.id.desc())
        ).first()
        assert handoff is not None
        log.info(
            "console: agent %s %s %s", agent.id, "handed back" if hand_back else "closed", conversation_id
        )
        return handoff_record(handoff, agent_names(session)), notice, conv.channel
