"""Erasure and purge against the real stack: a teacher's messages go through the API and the real
Rasa into both stores, then ``python -m bot privacy erase`` leaves no row of them anywhere, and
``python -m bot privacy purge`` removes only what is older than the retention period.

The stack keeps Rasa's tracker in an SQLite file; with ``--scale-out`` both the gateway and Rasa's
tracker store are PostgreSQL, so the same test covers both.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest
from sqlalchemy import URL, create_engine, func, select, update

from conversation.clock import as_utc
from conversation.db import session_scope
from conversation.models import Agent, Conversation, Handoff, Message, Note
from conversation.privacy import RASA_EVENTS
from tests.integration.factories import Chat

if TYPE_CHECKING:
    from bench.stack import Stack

pytestmark = [pytest.mark.integration, pytest.mark.slow]

EMAIL = "jan.peeters@school.be"


def tracker_url(stack: Stack) -> str:
    """Rasa's tracker store as the stack configured it (endpoints.yml it wrote, or endpoints.scale.yml)."""
    env = stack.env
    if "NSO_RASA_DB_NAME" not in env:
        return f"sqlite:///{stack.workdir / 'tracker.db'}"
    return URL.create(
        "postgresql+psycopg",
        username=env["NSO_RASA_DB_USER"],
        password=env["NSO_RASA_DB_PASSWORD"] or None,
        host=env["NSO_RASA_DB_HOST"],
        port=int(env["NSO_RASA_DB_PORT"]),
        database=env["NSO_RASA_DB_NAME"],
    ).render_as_string(hide_password=False)


def counts(stack: Stack, conversation_id: str, email: str = EMAIL) -> dict[str, int]:
    """Rows of the conversation in every store, and those of them that hold ``email``."""
    found: dict[str, int] = {}
    with session_scope(stack.env["NSO_DATABASE_URL"]) as session:
        for name, column in (
            ("messages", Message.conversation_id),
            ("handoffs", Handoff.conversation_id),
            ("notes", Note.conversation_id),
            ("conversations", Conversation.id),
        ):
            found[name] = int(session.scalar(select(func.count()).where(column == conversation_id)) or 0)
        found["messages with the e-mail"] = int(
            session.scalar(
                select(func.count()).where(
                    Message.conversation_id == conversation_id, Message.text.contains(email)
                )
            )
            or 0
        )
    engine = create_engine(tracker_url(stack))
    with engine.connect() as connection:
        events = RASA_EVENTS.c
        mine = events.sender_id == conversation_id
        found["rasa_events"] = int(connection.scalar(select(func.count()).where(mine)) or 0)
        found["rasa events with the e-mail"] = int(
            connection.scalar(select(func.count()).where(mine, events.data.contains(email))) or 0
        )
    engine.dispose()
    return found


def anywhere(stack: Stack, email: str) -> tuple[int, int]:
    """Gateway rows (messages, handoffs, notes) and Rasa events of any conversation holding ``email``."""
    with session_scope(stack.env["NSO_DATABASE_URL"]) as session:
        gateway = sum(
            int(session.scalar(select(func.count()).where(column.contains(email))) or 0)
            for column in (Message.text, Handoff.last_message, Note.text)
        )
    engine = create_engine(tracker_url(stack))
    with engine.connect() as connection:
        stored = connection.scalar(select(func.count()).where(RASA_EVENTS.c.data.contains(email)))
    engine.dispose()
    return gateway, int(stored or 0)


def file_bytes(path: Path) -> bytes:
    """An SQLite file with its write-ahead log and rollback journal, if any."""
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))


def send(stack: Stack, text: str, conversation: tuple[str, str] | None = None) -> tuple[str, str]:
    """One message through the web chat API; returns the conversation's id and access token."""
    body: dict[str, str] = {"text": text}
    headers: dict[str, str] = {}
    if conversation is not None:
        body["conversation_id"] = conversation[0]
        headers["X-Conversation-Token"] = conversation[1]
    chat = Chat(stack, *(conversation or (None, None)))
    chat.say(text)  # waits when the API's per-client rate limit says so, as the widget would
    return str(chat.conversation_id), str(chat.token or "")


def privacy(stack: Stack, tracker: str, *args: str) -> subprocess.CompletedProcess[str]:
    """``python -m bot privacy ...`` as an operator runs it, on the stack's stores."""
    return subprocess.run(
        [sys.executable, "-m", "bot", "privacy", *args],
        env={**stack.env, "NSO_RASA_TRACKER_URL": tracker},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_erase_real_stack_leaves_no_row_in_any_store(stack: Stack) -> None:
    conversation = send(stack, f"Hello, my email is {EMAIL}")
    send(stack, "I would like to talk to a real person please", conversation)
    conversation_id = conversation[0]
    with session_scope(stack.env["NSO_DATABASE_URL"]) as session:
        author = Agent(email=f"noter-{uuid.uuid4().hex[:8]}@example.org", name="Noter", password_hash="-")
        session.add(author)
        session.flush()
        session.add(Note(conversation_id=conversation_id, agent_id=author.id, text=f"wrote from {EMAIL}"))
    before = counts(stack, conversation_id)
    assert min(before.values()) >= 1 and before["rasa_events"] >= 5, before
    sqlite = "NSO_RASA_DB_NAME" not in stack.env
    files = {name: stack.workdir / name for name in ("tracker.db", "gateway.db")}  # SQLite stacks only
    if sqlite:
        assert all(EMAIL.encode() in file_bytes(path) for path in files.values())

    done = privacy(stack, tracker_url(stack), "erase", conversation_id)

    assert done.returncode == 0, done.stdout + done.stderr
    assert f"{before['rasa_events']} events deleted" in done.stdout, done.stdout
    assert (
        f"{before['messages']} messages, {before['handoffs']} handoffs, 1 notes, 1 conversations"
        in done.stdout
    )
    print(f"{conversation_id}: before {before}\n{done.stdout}")  # the report's numbers (pytest -s)
    assert counts(stack, conversation_id) == dict.fromkeys(before, 0)
    assert anywhere(stack, EMAIL) == (0, 0)
    if sqlite:
        assert {name: EMAIL.encode() in file_bytes(path) for name, path in files.items()} == dict.fromkeys(
            files, False
        )
    # Rasa holds no copy in memory: the tracker it serves now is a new, empty one.
    token = {"token": stack.env["NSO_RASA_TOKEN"]} if "NSO_RASA_TOKEN" in stack.env else {}
    tracker = httpx.get(f"{stack.rasa}/conversations/{conversation_id}/tracker", params=token, timeout=30)
    assert tracker.status_code == 200 and EMAIL not in tracker.text


def test_erase_real_stack_tracker_store_unreachable_exits_1_and_says_so(stack: Stack) -> None:
    conversation_id, _ = send(stack, "Hello, is anyone there?")
    rasa_events = counts(stack, conversation_id)["rasa_events"]

    done = privacy(stack, f"sqlite:///{stack.workdir / 'no-such-tracker.db'}", "erase", conversation_id)

    assert done.returncode == 1
    assert "Rasa tracker store NOT erased" in done.stderr and "the file does not exist" in done.stderr
    assert "emptied" not in done.stdout + done.stderr and "events deleted" not in done.stdout
    assert counts(stack, conversation_id)["rasa_events"] == rasa_events  # reported, not claimed


def backdate(stack: Stack, conversation_id: str, days: int) -> None:
    """Move every row of the conversation, in both stores, ``days`` days into the past."""
    delta = dt.timedelta(days=days)
    with session_scope(stack.env["NSO_DATABASE_URL"]) as session:  # in Python: SQLite has no interval type
        for model, column in (
            (Message, Message.conversation_id),
            (Handoff, Handoff.conversation_id),
            (Conversation, Conversation.id),
        ):
            for row in session.scalars(select(model).where(column == conversation_id)):
                row.created_at = as_utc(row.created_at) - delta
    engine = create_engine(tracker_url(stack))
    with engine.begin() as connection:
        events = RASA_EVENTS.c
        connection.execute(
            update(RASA_EVENTS)
            .where(events.sender_id == conversation_id)
            .values(timestamp=events.timestamp - delta.total_seconds())
        )
    engine.dispose()


def test_purge_real_stack_keeps_recent_messages_and_open_handoffs(stack: Stack) -> None:
    email = "ana.novak@sola.si"  # not the erasure test's: this test leaves it in the open handoff
    idle = send(stack, f"Hello, my email is {email}")
    long_chat = send(stack, f"Hello, my email is {email}")
    waiting = send(stack, f"Hello, my email is {email}")
    send(stack, "I would like to talk to a real person please", waiting)
    for conversation in (idle, long_chat, waiting):
        backdate(stack, conversation[0], 40)
    send(stack, "How do I register on the new European School Education Platform?", long_chat)
    chats = {"idle": idle[0], "long": long_chat[0], "open": waiting[0]}
    before = {name: counts(stack, cid, email) for name, cid in chats.items()}

    done = privacy(stack, tracker_url(stack), "purge", "--days", "30")

    assert done.returncode == 0, done.stdout + done.stderr
    after = {name: counts(stack, cid, email) for name, cid in chats.items()}
    print(f"purge: before {before}\nafter {after}\n{done.stdout}")  # the report's numbers (pytest -s)
    assert after["idle"] == dict.fromkeys(before["idle"], 0)
    assert after["open"] == before["open"] and after["open"]["handoffs"] == 1
    long_before, long_after = before["long"], after["long"]
    assert 0 < long_after["messages"] < long_before["messages"], (long_before, long_after)
    assert 0 < long_after["rasa_events"] < long_before["rasa_events"], (long_before, long_after)
    assert long_after["messages with the e-mail"] == long_after["rasa events with the e-mail"] == 0
    # The trimmed conversation goes on: Rasa rebuilds its tracker from the events that are left.
    send(stack, "Thank you, goodbye", long_chat)
    assert counts(stack, long_chat[0], email)["messages"] > long_after["messages"]
