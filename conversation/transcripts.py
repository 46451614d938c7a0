"""Reading conversations for the console: one conversation with its messages, transcripts, CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import math
from collections.abc import Iterator, Sequence

from sqlalchemy import Select, case, exists, func, select
from sqlalchemy.orm import Session

from conversation.clock import as_utc
from conversation.db import session_scope
from conversation.handoff import (
    ConversationNotFoundError,
    agent_names,
    handoff_record,
    message_record,
    note_record,
)
from conversation.models import Conversation, Handoff, Message, Note
from conversation.records import (
    ConsoleMessagePublic,
    ConversationPublic,
    Outcome,
    TranscriptQuery,
    TranscriptRowPublic,
    TranscriptsPublic,
)
from conversation.reply_items import MISSED
from knowledge.retrieve import Retriever
from settings import Settings

log = logging.getLogger(__name__)

PAGE_SIZE = 50
MAX_SCORED = 40  # user messages scored against the KB when a transcript is opened


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
        names = agent_names(session)
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
        has_missed = session.scalars(
            select(Message.id).where(Message.conversation_id == conversation_id, Message.kind.in_(MISSED))
        ).first()
        outcome: Outcome = "handoff" if handoff else "unanswered" if has_missed else "answered"
        messages = [message_record(m, names) for m in rows]
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
            handoff=handoff_record(handoff, names) if handoff else None,
            messages=messages,
            notes=[note_record(n, names) for n in notes],
        )


def _typed(m: Message) -> bool:
    return m.role == "user" and m.payload is None


def _score(retriever: Retriever, messages: list[ConsoleMessagePublic]) -> None:
    for m in messages:
        _, hits = retriever.search(m.text, None, 1)
        if hits:
            m.match, m.confidence = hits[0].faq_id, round(hits[0].confidence, 3)


def _start_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)


def _filtered(query: TranscriptQuery) -> Select[Conversation]:
    has_handoff = exists().where(Handoff.conversation_id == Conversation.id)
    # A reply said the assistant had no (sure) answer: fallback or clarify (Message.kind).
    has_missed = exists().where(Message.conversation_id == Conversation.id, Message.kind.in_(MISSED))
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
            select(Message.conversation_id).where(Message.conversation_id.in_(ids), Message.kind.in_(MISSED))
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
    "faq_id",
    "rule",
    "confidence",
    "result",
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
            names = agent_names(session)
            outcomes = {r.id: r.outcome for r in _rows(session, convs)}
            for c in convs:
                for m in session.scalars(
                    select(Message).where(Message.conversation_id == c.id).order_by(Message.id)
                ):
                    shown = message_record(m, names)
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
                            m.kind or "",
                            m.faq_id or "",
                            m.rule or "",
                            "" if m.confidence is None else f"{m.confidence:.3f}",
                            m.result or "",
                            shown.agent or "",
                            m.text,
                            " | ".join(m.sources or []),
                            m.rating or "",
                        )
                    )
                yield flush()
        offset += batch
