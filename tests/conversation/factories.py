"""Builders for the privacy tests: a gateway conversation with dated rows, and a Rasa tracker
store on SQLite with dated events (Rasa 3.6's ``events`` table)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from sqlalchemy import create_engine, func, insert, select, update

from conversation.db import session_scope
from conversation.models import Agent, Conversation, Handoff, Message, Note
from conversation.privacy import RASA_EVENTS
from settings import Settings


def privacy_settings(tmp_path: Path) -> Settings:
    """Settings with a fresh gateway database and an empty Rasa tracker store, both SQLite files."""
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'gateway.db'}",
        rasa_tracker_url=f"sqlite:///{tmp_path / 'tracker.db'}",
        rasa_url="http://127.0.0.1:9",
    )
    make_tracker_store(settings.rasa_tracker_url)
    with session_scope(settings.database_url) as session:
        session.add(Agent(email="noter@example.org", name="Noter", password_hash="-", role="agent"))
    return settings


def make_tracker_store(url: str) -> None:
    """An empty tracker store at ``url`` with the ``events`` table Rasa creates."""
    engine = create_engine(url)
    RASA_EVENTS.metadata.create_all(engine)
    engine.dispose()


def add_conversation(
    settings: Settings,
    conversation_id: str,
    started: dt.datetime,
    messages: list[tuple[dt.datetime, str]],
    handoff: tuple[str, dt.datetime] | None = None,
    note_at: dt.datetime | None = None,
) -> None:
    """A web conversation with ``messages`` (time, text), optionally a handoff (status, time;
    a closed one is closed then) and an agent's note, all at the given times."""
    with session_scope(settings.database_url) as session:
        session.add(Conversation(id=conversation_id, channel="web", language="en"))
        session.flush()
        session.execute(
            update(Conversation).where(Conversation.id == conversation_id).values(created_at=started)
        )
        session.add_all(
            Message(conversation_id=conversation_id, role="user", text=body, created_at=at)
            for at, body in messages
        )
        if handoff is not None:
            status, at = handoff
            session.add(
                Handoff(
                    conversation_id=conversation_id,
                    language="en",
                    reason="requested",
                    last_message=messages[-1][1] if messages else "",
                    status=status,
                    created_at=at,
                    closed_at=at if status == "closed" else None,
                )
            )
        if note_at is not None:
            author = session.scalars(select(Agent.id)).first()
            assert author is not None
            session.add(
                Note(conversation_id=conversation_id, agent_id=author, text="called", created_at=note_at)
            )


def add_events(settings: Settings | str, sender: str, events: list[tuple[dt.datetime, str]]) -> None:
    """Rasa events (time, user text) for ``sender`` in the tracker store of ``settings`` (or at
    that URL), stored as Rasa's SQL tracker store does."""
    engine = create_engine(settings if isinstance(settings, str) else settings.rasa_tracker_url)
    with engine.begin() as connection:
        for at, body in events:
            data = {"event": "user", "timestamp": at.timestamp(), "text": body}
            connection.execute(
                insert(RASA_EVENTS).values(
                    sender_id=sender, type_name="user", timestamp=at.timestamp(), data=json.dumps(data)
                )
            )
    engine.dispose()


def tracker_rows(url: str, sender: str) -> int:
    """Events of ``sender`` in the tracker store at ``url``."""
    engine = create_engine(url)
    with engine.connect() as connection:
        count = connection.scalar(
            select(func.count()).select_from(RASA_EVENTS).where(RASA_EVENTS.c.sender_id == sender)
        )
    engine.dispose()
    return int(count or 0)


def rows(settings: Settings, conversation_id: str) -> dict[str, int]:
    """Rows of one conversation in every store."""
    counts: dict[str, int] = {}
    with session_scope(settings.database_url) as session:
        for name, column in (
            ("conversations", Conversation.id),
            ("messages", Message.conversation_id),
            ("handoffs", Handoff.conversation_id),
            ("notes", Note.conversation_id),
        ):
            counts[name] = int(session.scalar(select(func.count()).where(column == conversation_id)) or 0)
    counts["rasa_events"] = tracker_rows(settings.rasa_tracker_url, conversation_id)
    return counts


def message_texts(settings: Settings, conversation_id: str) -> list[str]:
    """The texts of a conversation's messages left in the gateway, oldest first."""
    with session_scope(settings.database_url) as session:
        return list(
            session.scalars(
                select(Message.text).where(Message.conversation_id == conversation_id).order_by(Message.id)
            )
        )


def event_texts(settings: Settings, sender: str) -> list[str]:
    """The user texts of a sender's events left in the Rasa tracker store, oldest first."""
    engine = create_engine(settings.rasa_tracker_url)
    with engine.connect() as connection:
        data = connection.scalars(
            select(RASA_EVENTS.c.data).where(RASA_EVENTS.c.sender_id == sender).order_by(RASA_EVENTS.c.id)
        ).all()
    engine.dispose()
    return [json.loads(d)["text"] for d in data]
