"""Erasure and retention purge on a real SQLite gateway DB (Rasa unreachable here)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from bench.stack import free_port
from conversation.db import session_scope
from conversation.models import Conversation, Handoff, Message
from conversation.privacy import erase_conversation, purge_older_than
from settings import Settings

pytestmark = pytest.mark.unit


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    s = Settings(database_url=f"sqlite:///{tmp_path / 'p.db'}", rasa_url=f"http://127.0.0.1:{free_port()}")
    with session_scope(s.database_url) as session:
        for cid in ("keep-me-1234", "old-conv-1234"):
            session.add(Conversation(id=cid, channel="web", language="en"))
            session.flush()
            session.add_all(
                [
                    Message(conversation_id=cid, role="user", text="my mail is a@b.eu"),
                    Handoff(conversation_id=cid, language="en", reason="requested"),
                ]
            )
    return s


def count(settings: Settings, model: type) -> int:
    with session_scope(settings.database_url) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_erase_removes_rows_and_reports_rasa_unreachable(settings: Settings) -> None:
    result = erase_conversation(settings, "keep-me-1234")
    assert result == {"messages": 1, "handoffs": 1, "conversations": 1, "rasa_tracker_erased": False}
    assert count(settings, Message) == 1 and count(settings, Conversation) == 1


def test_purge_erases_only_stale_conversations(settings: Settings) -> None:
    old = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    with session_scope(settings.database_url) as session:
        session.execute(update(Conversation).where(Conversation.id == "old-conv-1234").values(updated_at=old))
    assert purge_older_than(settings, days=365) == ["old-conv-1234"]
    assert count(settings, Conversation) == 1 and count(settings, Handoff) == 1
