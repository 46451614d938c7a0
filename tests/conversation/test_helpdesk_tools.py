"""Saved replies per language and admin-issued password-reset links (single use, expiring, hashed)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
from sqlalchemy import select, update

from bot.schemas import AgentCreate
from conversation import agents
from conversation.db import session_scope
from conversation.models import PasswordReset
from conversation.password_reset import (
    ResetLinkError,
    WeakPasswordError,
    issue_reset,
    reset_agent,
    reset_password,
)
from conversation.saved_replies import (
    SavedReplyError,
    create_saved_reply,
    delete_saved_reply,
    list_saved_replies,
)
from settings import Settings

pytestmark = pytest.mark.unit

OLD = "the old password of Els"
NEW = "a brand new password"


@pytest.fixture
def settings_db(nso_env: Callable[[Mapping[str, str]], Settings], tmp_path: Path) -> Settings:
    return nso_env({"database_url": f"sqlite:///{tmp_path / 'tools.db'}"})


@pytest.fixture
def els(settings_db: Settings) -> int:
    new = AgentCreate.model_validate({"email": "els@example.org", "name": "Els", "password": OLD})
    return agents.create_agent(settings_db, new).id


def test_saved_replies_listed_per_language_by_shortcut(settings_db: Settings) -> None:
    create_saved_reply(settings_db, "nl", "/Hallo", "Dag! Waarmee kan ik helpen?", None)
    create_saved_reply(settings_db, "nl", "bedankt", "Graag gedaan.", None)
    create_saved_reply(settings_db, "sl", "hallo", "Pozdravljeni!", None)
    assert [r.shortcut for r in list_saved_replies(settings_db, "nl")] == ["bedankt", "hallo"]
    assert [r.text for r in list_saved_replies(settings_db, "sl")] == ["Pozdravljeni!"]
    assert len(list_saved_replies(settings_db)) == 3


@pytest.mark.parametrize(
    ("language", "shortcut", "text"),
    [
        ("fr", "hi", "Bonjour"),
        ("en", "two words", "Hi"),
        ("en", "", "Hi"),
        ("en", "hi", "  "),
        ("en", "hi", "x" * 2001),
    ],
)
def test_saved_reply_invalid_is_refused(
    settings_db: Settings, language: str, shortcut: str, text: str
) -> None:
    with pytest.raises(SavedReplyError):
        create_saved_reply(settings_db, language, shortcut, text, None)


def test_saved_reply_shortcut_unique_per_language(settings_db: Settings) -> None:
    create_saved_reply(settings_db, "en", "hi", "Hello!", None)
    create_saved_reply(settings_db, "nl", "hi", "Hallo!", None)
    with pytest.raises(SavedReplyError):
        create_saved_reply(settings_db, "en", "HI", "Hello again", None)


def test_saved_reply_delete(settings_db: Settings) -> None:
    reply = create_saved_reply(settings_db, "en", "hi", "Hello!", None)
    assert delete_saved_reply(settings_db, reply.id) is True
    assert delete_saved_reply(settings_db, reply.id) is False
    assert list_saved_replies(settings_db) == []


def test_reset_link_sets_password_once_and_ends_sessions(settings_db: Settings, els: int) -> None:
    session_token = agents.open_session(settings_db, els)
    token = issue_reset(settings_db, els, None)
    assert reset_agent(settings_db, token) == "Els"
    assert reset_password(settings_db, token, NEW) == els
    assert agents.session_agent(settings_db, session_token) is None
    assert agents.authenticate(settings_db, "els@example.org", OLD) is None
    assert agents.authenticate(settings_db, "els@example.org", NEW) is not None
    with pytest.raises(ResetLinkError):
        reset_password(settings_db, token, "yet another password")


def test_reset_link_stores_only_a_hash(settings_db: Settings, els: int) -> None:
    token = issue_reset(settings_db, els, None)
    with session_scope(settings_db.database_url) as session:
        stored = session.scalars(select(PasswordReset.token_hash)).all()
    assert len(stored) == 1 and token not in stored[0] and len(stored[0]) == 64


def test_reset_link_expired_is_refused(settings_db: Settings, els: int) -> None:
    token = issue_reset(settings_db, els, None)
    with session_scope(settings_db.database_url) as session:
        past = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
        session.execute(update(PasswordReset).values(expires_at=past))
    with pytest.raises(ResetLinkError):
        reset_password(settings_db, token, NEW)
    assert agents.authenticate(settings_db, "els@example.org", OLD) is not None


def test_reset_link_new_one_replaces_the_old(settings_db: Settings, els: int) -> None:
    first = issue_reset(settings_db, els, None)
    second = issue_reset(settings_db, els, None)
    with pytest.raises(ResetLinkError):
        reset_agent(settings_db, first)
    assert reset_agent(settings_db, second) == "Els"


def test_reset_link_for_disabled_agent_is_refused(settings_db: Settings, els: int) -> None:
    token = issue_reset(settings_db, els, None)
    agents.set_active(settings_db, active=False, agent_id=els)
    with pytest.raises(ResetLinkError):
        reset_password(settings_db, token, NEW)


def test_reset_link_short_password_is_refused_and_link_kept(settings_db: Settings, els: int) -> None:
    token = issue_reset(settings_db, els, None)
    with pytest.raises(WeakPasswordError):
        reset_password(settings_db, token, "short")
    assert reset_password(settings_db, token, NEW) == els


def test_reset_link_unknown_agent_or_token_is_refused(settings_db: Settings) -> None:
    with pytest.raises(agents.UnknownAgentError):
        issue_reset(settings_db, 999, None)
    with pytest.raises(ResetLinkError):
        reset_agent(settings_db, "not-a-token")
