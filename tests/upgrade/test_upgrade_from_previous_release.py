"""A database the previous release made (schema revision 0002: gateway and console tables, no
reply items) migrates to this release's head, keeps every row, and the app serves them."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from conversation.agents import hash_password
from conversation.db import MIGRATIONS, engine_for
from settings import Settings
from tests.bot.console.factories import sign_in

PREVIOUS_RELEASE = "0002"
AGENT_EMAIL, PASSWORD = "els@example.org", "correct horse battery staple"
CONVERSATION = "web-before-upgrade"
AT = dt.datetime(2026, 11, 30, 9, 15, tzinfo=dt.UTC)
# Rows as the previous release wrote them (its columns only).
CONVERSATIONS = [
    {"id": CONVERSATION, "channel": "web", "language": "nl", "status": "handoff"},
    {"id": "tg-123456789", "channel": "telegram", "language": "sl", "status": "bot"},
]
MESSAGES = [
    (CONVERSATION, "user", "Hoe registreer ik me op het nieuwe platform?", "received", None),
    (CONVERSATION, "bot", "Registreer je met EU Login.", "sent", "up"),
    (CONVERSATION, "user", "Ik wil met iemand praten", "queued", None),
    ("tg-123456789", "user", "Kako se registriram?", "answered", None),
    ("tg-123456789", "bot", "Registrirajte se z EU Login.", "sent", None),
]
TABLES = ("conversations", "messages", "handoffs", "agents", "notes", "app_settings")


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def build_previous_release_database(url: str) -> None:
    """Schema at 0002, then rows inserted the way that release stored them."""
    engine = create_engine(url)
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, PREVIOUS_RELEASE)
    with engine.begin() as db:
        db.execute(
            text(
                "INSERT INTO agents (email, name, password_hash, role, failed_logins, active, created_at) "
                "VALUES (:email, 'Els Peeters', :hash, 'agent', 0, 1, :at)"
            ),
            {"email": AGENT_EMAIL, "hash": hash_password(PASSWORD), "at": AT},
        )
        for row in CONVERSATIONS:
            db.execute(
                text(
                    "INSERT INTO conversations (id, channel, language, status, created_at, updated_at) "
                    "VALUES (:id, :channel, :language, :status, :at, :at)"
                ),
                {**row, "at": AT},
            )
        for i, (cid, role, body, status, rating) in enumerate(MESSAGES):
            db.execute(
                text(
                    "INSERT INTO messages (conversation_id, role, text, buttons, status, rating, created_at) "
                    "VALUES (:cid, :role, :body, :buttons, :status, :rating, :at)"
                ),
                {
                    "cid": cid,
                    "role": role,
                    "body": body,
                    "buttons": json.dumps([]),
                    "status": status,
                    "rating": rating,
                    "at": AT + dt.timedelta(seconds=i),
                },
            )
        db.execute(
            text(
                "INSERT INTO handoffs (conversation_id, language, reason, last_message, status, created_at) "
                "VALUES (:cid, 'nl', 'requested', 'Ik wil met iemand praten', 'waiting', :at)"
            ),
            {"cid": CONVERSATION, "at": AT},
        )
        db.execute(
            text("INSERT INTO notes (conversation_id, agent_id, text, created_at) VALUES (:cid, 1, :t, :at)"),
            {"cid": CONVERSATION, "t": "Belde terug", "at": AT},
        )
        db.execute(
            text("INSERT INTO app_settings (key, value, updated_at) VALUES ('opening_hours', :v, :at)"),
            {"v": "Ma-Vr 9:00-16:00", "at": AT},
        )
    engine.dispose()


def counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    try:
        with engine.connect() as db:
            return {t: db.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in TABLES}
    finally:
        engine.dispose()


@pytest.fixture
def upgraded(tmp_path: Path) -> tuple[str, dict[str, int]]:
    """The previous release's database, migrated by this release; with its row counts before."""
    url = f"sqlite:///{tmp_path / 'previous-release.db'}"
    build_previous_release_database(url)
    before = counts(url)
    engine_for(url)  # what `python -m bot serve` does first: migrate to head
    return url, before


@pytest.mark.integration
def test_upgrade_from_previous_release_keeps_every_row(upgraded: tuple[str, dict[str, int]]) -> None:
    url, before = upgraded
    engine = create_engine(url)
    with engine.connect() as db:
        version = db.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
        rows = db.execute(
            text("SELECT conversation_id, role, text, status, rating, kind FROM messages ORDER BY id")
        ).all()
        languages = dict(db.execute(text("SELECT id, language FROM conversations")).all())
    engine.dispose()
    assert version == ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert version != PREVIOUS_RELEASE
    assert (
        counts(url)
        == before
        == {"conversations": 2, "messages": 5, "handoffs": 1, "agents": 1, "notes": 1, "app_settings": 1}
    )
    assert [tuple(r) for r in rows] == [(*m, None) for m in MESSAGES]  # no reply item before 0003
    assert languages == {CONVERSATION: "nl", "tg-123456789": "sl"}


@pytest.mark.integration
def test_upgrade_from_previous_release_app_serves_the_old_rows(
    upgraded: tuple[str, dict[str, int]],
    nso_env: Callable[[Mapping[str, str]], Settings],
    make_client: Callable[[], TestClient],
) -> None:
    url, _ = upgraded
    nso_env({"database_url": url, "rasa_url": "http://127.0.0.1:9"})
    client = make_client()
    sign_in(client, AGENT_EMAIL, PASSWORD)  # the old password hash still signs in
    queue = client.get("/console/api/queue")
    assert queue.status_code == 200 and [q["conversation_id"] for q in queue.json()] == [CONVERSATION]
    conversation = client.get(f"/console/api/conversations/{CONVERSATION}")
    assert conversation.status_code == 200, conversation.text
    shown = json.dumps(conversation.json(), ensure_ascii=False)
    for _, _, body, _, _ in MESSAGES[:3]:
        assert body in shown
    assert "Belde terug" in shown
