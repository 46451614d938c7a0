"""What the helpdesk console does with conversations: queue, take over, reply, notes, hand back.

Every state change starts with a conditional write (``UPDATE ... WHERE status = 'waiting'``)
and reads the outcome from its row count, so two agents pressing "take over" at the same
moment cannot both win, on SQLite or PostgreSQL alike.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import math
from collections.abc import Iterator, Sequence
from typing import Any, Literal, cast

from sqlalchemy import CursorResult, Select, case, exists, func, or_, select, update
from sqlalchemy.orm import Session

from bot.db import session_scope
from bot.models import Agent, Conversation, Handoff, Message, Note
from bot.schemas import (
    ConsoleAgent,
    ConsoleMessagePublic,
    ConversationPublic,
    HandoffPublic,
    NotePublic,
    Outcome,
    QueueItemPublic,
    TranscriptQuery,
    TranscriptRowPublic,
    TranscriptsPublic,
)
from bot.services.clock import as_utc, utcnow
from bot.services.gateway import system_text
from bot.services.handoff import OPEN
from bot.services.responses import CLARIFY, MISSED, reply_kind, split_sources, texts
from bot.settings import Settings
from knowledge.retrieve import Retriever

log = logging.getLogger(__name__)

PAGE_SIZE = 50
MAX_SCORED = 40  # user messages scored against the KB when a transcript is opened
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


# --- reading ---------------------------------------------------------------------------------


def _names(session: Session) -> dict[int, str]:
    return dict(session.execute(select(Agent.id, Agent.name)).tuples().all())


def _handoff(h: Handoff, names: dict[int, str]) -> HandoffPublic:
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


def _message(m: Message, names: dict[int, str]) -> ConsoleMessagePublic:
    body, sources = split_sources(m.text) if m.role == "bot" else (m.text, [])
    buttons = [str(b.get("title") or b.get("payload") or "") for b in m.buttons or []]
    return ConsoleMessagePublic(
        id=m.id,
        role=m.role,
        text=m.text,
        body=body,
        sources=sources,
        buttons=buttons,
        kind=reply_kind(m.text, list(m.buttons or [])) if m.role == "bot" else None,
        rating=m.rating,
        status=m.status,
        created_at=as_utc(m.created_at),
        agent=names.get(m.agent_id) if m.agent_id else None,
    )


def _note(n: Note, names: dict[int, str]) -> NotePublic:
    return NotePublic(id=n.id, agent=names.get(n.agent_id, "?"), text=n.text, created_at=as_utc(n.created_at))


def _open_handoff(session: Session, conversation_id: str) -> Handoff | None:
    return session.scalars(
        select(Handoff)
        .where(Handoff.conversation_id == conversation_id, Handoff.status.in_(OPEN))
        .order_by(Handoff.id.desc())
    ).first()


def _missed_texts() -> list[str]:
    """Bot replies that mean the assistant had no (sure) answer: rephrase, out of scope, clarify."""
    return texts(MISSED + CLARIFY)


def handoff_context(handoff: Handoff, messages: Sequence[Message]) -> tuple[str, str | None, int]:
    """The user's question, the bot's last answer and the unanswered messages of a handoff.

    The question is the last message the user typed before the handoff (not a button press,
    not the "talk to a person" request itself); messages typed while waiting are counted.
    """
    typed = [
        m
        for m in messages
        if m.role == "user"
        and m.payload is None
        and m.status != "queued"
        and not (handoff.reason == "requested" and m.text == handoff.last_message)
    ]
    question = typed[-1].text if typed else handoff.last_message
    # Rasa's REST channel splits a reply at blank lines (answer, then its source line): the
    # bot's answer is every bot message of its last turn that was not the handoff itself.
    turns: list[list[Message]] = [[]]
    for m in messages:
        if m.role == "user":
            turns.append([])
        elif m.role == "bot":
            turns[-1].append(m)
    answered = [
        t for t in turns if t and all(reply_kind(m.text, list(m.buttons or [])) != "handoff" for m in t)
    ]
    last_answer = "\n\n".join(m.text for m in answered[-1]) if answered else None
    last_agent = max((m.id for m in messages if m.role == "agent"), default=0)
    waiting = sum(1 for m in messages if m.role == "user" and m.status == "queued" and m.id > last_agent)
    return question, last_answer, waiting


def queue(settings: Settings) -> list[QueueItemPublic]:
    """Open handoffs, oldest first: who waits, in which language and channel, and for what."""
    now = utcnow()
    with session_scope(settings.database_url) as session:
        names = _names(session)
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


def conversation(
    settings: Settings, conversation_id: str, *, after: int = 0, retriever: Retriever | None = None
) -> ConversationPublic:
    """A conversation with its messages after id ``after``, notes and latest handoff.

    Args:
        settings: Application settings.
        conversation_id: The conversation.
        after: Only messages with a larger id (live updates).
        retriever: When given, the user's questions are scored against the current KB so the
            agent sees how sure the assistant could be (the score is not stored at answer time).

    Raises:
        ConversationNotFoundError: No such conversation.
    """
    with session_scope(settings.database_url) as session:
        conv = session.get(Conversation, conversation_id)
        if conv is None:
            raise ConversationNotFoundError(conversation_id)
        names = _names(session)
        rows = session.scalars(
            select(Message)
            .where(Message.conversation_id == conversation_id, Message.id > after)
            .order_by(Message.id)
        ).all()
        handoff = session.scalars(
            select(Handoff).where(Handoff.conversation_id == conversation_id).order_by(Handoff.id.desc())
        ).first()
        notes = session.scalars(
            select(Note).where(Note.conversation_id == conversation_id).order_by(Note.id)
        ).all()
        missed = set(_missed_texts())
        has_missed = session.scalars(
            select(Message.id).where(
                Message.conversation_id == conversation_id, Message.role == "bot", Message.text.in_(missed)
            )
        ).first()
        outcome: Outcome = "handoff" if handoff else "unanswered" if has_missed else "answered"
        messages = [_message(m, names) for m in rows]
        if retriever is not None:
            _score(retriever, [m for m, row in zip(messages, rows, strict=True) if _typed(row)][:MAX_SCORED])
        return ConversationPublic(
            id=conv.id,
            channel=conv.channel,
            language=conv.language,
            status=conv.status,
            outcome=outcome,
            created_at=as_utc(conv.created_at),
            updated_at=as_utc(conv.updated_at),
            handoff=_handoff(handoff, names) if handoff else None,
            messages=messages,
            notes=[_note(n, names) for n in notes],
        )


def _typed(m: Message) -> bool:
    return m.role == "user" and m.payload is None


def _score(retriever: Retriever, messages: list[ConsoleMessagePublic]) -> None:
    for m in messages:
        _, hits = retriever.search(m.text, None, 1)
        if hits:
            m.match, m.confidence = hits[0].faq_id, round(hits[0].confidence, 3)


# --- changing ----------------------------------------------------------------------------------


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
        return _handoff(handoff, _names(session)), joined, conv.channel


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
        return _message(message, _names(session)), channel


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
        return _note(note, _names(session))


def finish(
    settings: Settings, conversation_id: str, agent: ConsoleAgent, *, hand_back: bool
) -> tuple[HandoffPublic, Message, str]:
    """Close the open handoff: back to the assistant (``hand_back``) or conversation closed.

    The agent who has the conversation, or anyone while it still waits, may do this; admins
    always may. The user gets a message saying what happened.

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
        return _handoff(handoff, _names(session)), notice, conv.channel


async def deliver(settings: Settings, channel: str, conversation_id: str, text: str) -> bool:
    """Send a stored agent/system message to channels that do not poll (Telegram).

    Returns:
        False when it could not be delivered (logged; the message stays stored).
    """
    if channel != "telegram":
        return True  # the web widget polls for new messages
    try:
        from telegram.error import TelegramError

        from bot.channels.telegram import TelegramNotConfiguredError, send_agent_message
    except ImportError:
        log.warning("console: the Telegram channel is not installed; %s not delivered", conversation_id)
        return False
    try:
        await send_agent_message(settings, conversation_id, text)
    except (TelegramError, TelegramNotConfiguredError, ValueError) as exc:
        log.warning("console: Telegram delivery to %s failed: %s", conversation_id, type(exc).__name__)
        return False
    return True


# --- transcripts -------------------------------------------------------------------------------


def _start_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)


def _filtered(query: TranscriptQuery) -> Select[Conversation]:
    has_handoff = exists().where(Handoff.conversation_id == Conversation.id)
    has_missed = exists().where(
        Message.conversation_id == Conversation.id, Message.role == "bot", Message.text.in_(_missed_texts())
    )
    stmt = select(Conversation)
    if query.q:
        pattern = "%" + query.q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(
            exists().where(
                Message.conversation_id == Conversation.id, Message.text.ilike(pattern, escape="\\")
            )
        )
    if query.date_from:
        stmt = stmt.where(Conversation.created_at >= _start_of(query.date_from))
    if query.date_to:
        stmt = stmt.where(Conversation.created_at < _start_of(query.date_to + dt.timedelta(days=1)))
    if query.language:
        stmt = stmt.where(Conversation.language == query.language)
    if query.channel:
        stmt = stmt.where(Conversation.channel == query.channel)
    if query.outcome == "handoff":
        stmt = stmt.where(has_handoff)
    elif query.outcome == "unanswered":
        stmt = stmt.where(~has_handoff, has_missed)
    elif query.outcome == "answered":
        stmt = stmt.where(~has_handoff, ~has_missed)
    if query.feedback:
        stmt = stmt.where(
            exists().where(Message.conversation_id == Conversation.id, Message.rating == query.feedback)
        )
    return stmt


def _rows(session: Session, convs: Sequence[Conversation]) -> list[TranscriptRowPublic]:
    ids = [c.id for c in convs]
    counts = {
        cid: (int(n), int(up or 0), int(down or 0))
        for cid, n, up, down in session.execute(
            select(
                Message.conversation_id,
                func.count(),
                func.sum(case((Message.rating == "up", 1), else_=0)),
                func.sum(case((Message.rating == "down", 1), else_=0)),
            )
            .where(Message.conversation_id.in_(ids))
            .group_by(Message.conversation_id)
        ).tuples()
    }
    firsts = dict(
        session.execute(
            select(Message.conversation_id, func.min(Message.id))
            .where(Message.conversation_id.in_(ids), Message.role == "user", Message.payload.is_(None))
            .group_by(Message.conversation_id)
        )
        .tuples()
        .all()
    )
    first_texts = dict(
        session.execute(select(Message.id, Message.text).where(Message.id.in_(firsts.values())))
        .tuples()
        .all()
    )
    handed = set(session.scalars(select(Handoff.conversation_id).where(Handoff.conversation_id.in_(ids))))
    missed = set(
        session.scalars(
            select(Message.conversation_id).where(
                Message.conversation_id.in_(ids), Message.role == "bot", Message.text.in_(_missed_texts())
            )
        )
    )
    rows = []
    for c in convs:
        n, up, down = counts.get(c.id, (0, 0, 0))
        outcome: Outcome = "handoff" if c.id in handed else "unanswered" if c.id in missed else "answered"
        rows.append(
            TranscriptRowPublic(
                id=c.id,
                channel=c.channel,
                language=c.language,
                status=c.status,
                outcome=outcome,
                created_at=as_utc(c.created_at),
                updated_at=as_utc(c.updated_at),
                messages=n,
                first_question=first_texts.get(firsts.get(c.id, -1), ""),
                up=up,
                down=down,
            )
        )
    return rows


def transcripts(settings: Settings, query: TranscriptQuery) -> TranscriptsPublic:
    """One page of conversations matching ``query``, newest activity first."""
    stmt = _filtered(query)
    with session_scope(settings.database_url) as session:
        total = int(session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)
        convs = session.scalars(
            stmt.order_by(Conversation.updated_at.desc(), Conversation.id)
            .offset((query.page - 1) * PAGE_SIZE)
            .limit(PAGE_SIZE)
        ).all()
        return TranscriptsPublic(
            rows=_rows(session, convs),
            total=total,
            page=query.page,
            pages=max(1, math.ceil(total / PAGE_SIZE)),
        )


CSV_COLUMNS = (
    "conversation_id",
    "channel",
    "language",
    "conversation_status",
    "outcome",
    "started_at",
    "message_id",
    "sent_at",
    "role",
    "kind",
    "agent",
    "text",
    "sources",
    "rating",
)


def _cell(value: object) -> str:
    """A CSV cell that a spreadsheet will not run as a formula (user text can start with '=')."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def transcripts_csv(settings: Settings, query: TranscriptQuery, batch: int = 200) -> Iterator[str]:
    """Every message of every conversation matching ``query`` (all pages) as CSV lines."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(CSV_COLUMNS)
    yield flush()
    stmt = _filtered(query).order_by(Conversation.created_at, Conversation.id)
    offset = 0
    while True:
        with session_scope(settings.database_url) as session:
            convs = session.scalars(stmt.offset(offset).limit(batch)).all()
            if not convs:
                return
            names = _names(session)
            outcomes = {r.id: r.outcome for r in _rows(session, convs)}
            for c in convs:
                for m in session.scalars(
                    select(Message).where(Message.conversation_id == c.id).order_by(Message.id)
                ):
                    shown = _message(m, names)
                    writer.writerow(
                        _cell(v)
                        for v in (
                            c.id,
                            c.channel,
                            c.language,
                            c.status,
                            outcomes[c.id],
                            as_utc(c.created_at).isoformat(),
                            m.id,
                            shown.created_at.isoformat(),
                            m.role,
                            shown.kind or "",
                            shown.agent or "",
                            m.text,
                            " | ".join(shown.sources),
                            m.rating or "",
                        )
                    )
                yield flush()
        offset += batch
