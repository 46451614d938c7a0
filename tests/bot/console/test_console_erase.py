"""GDPR erasure from the console: admins only, the same service as the privacy CLI, which deletes
the conversation's rows from the gateway database and from Rasa's tracker store (an SQLite file here)."""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from bot.__main__ import main as cli
from bot.main import create_app
from conversation import transcripts as console
from conversation.agents import authenticate
from conversation.db import session_scope
from conversation.models import Conversation, Handoff, Message, Note
from knowledge.service import get_retriever as shared_retriever
from settings import Settings
from tests.bot.channels.telegram.fakes import serve
from tests.bot.console.factories import PASSWORD, Turn, make_agent, seed_conversation, waiting_conversation
from tests.conversation.factories import add_events, make_tracker_store, tracker_rows

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = pytest.mark.integration

CONVERSATION = "web-erase00001"
OTHER = "web-keep000001"
PERSONAL = "my mail is jan.peeters@school.example"


@pytest.fixture
def settings_db(configure: Callable[..., Settings], tmp_path: Path) -> Settings:
    """A fresh database, Rasa down, and its tracker store missing (never the real var/ file)."""
    return configure(rasa_tracker_url=f"sqlite:///{tmp_path / 'tracker.db'}")


@pytest.fixture
def tracker_up(settings_db: Settings) -> str:
    """Rasa's tracker store exists, holding events of both conversations; returns its URL."""
    make_tracker_store(settings_db.rasa_tracker_url)
    for conversation_id in (CONVERSATION, OTHER):
        add_events(settings_db, conversation_id, [(dt.datetime.now(dt.UTC), PERSONAL)] * 3)
    return settings_db.rasa_tracker_url


@pytest.fixture
def seeded(settings_db: Settings) -> Settings:
    """A waiting conversation with personal data and an agent's note, next to one to keep."""
    waiting_conversation(settings_db, CONVERSATION)
    author = make_agent(settings_db, "noter@example.org")
    with session_scope(settings_db.database_url) as session:
        session.add(Message(conversation_id=CONVERSATION, role="user", text=PERSONAL))
        session.add(Note(conversation_id=CONVERSATION, agent_id=author.id, text="called the school"))
    seed_conversation(settings_db, OTHER, [Turn("user", "keep me")], handoff="requested")
    return settings_db


def _erase(client: TestClient, conversation_id: str, csrf: str | None) -> Any:
    headers = {"Accept": "application/json", **({"X-CSRF-Token": csrf} if csrf else {})}
    return client.post(f"/console/api/conversations/{conversation_id}/erase", headers=headers)


def _rows(settings: Settings, conversation_id: str) -> dict[str, int]:
    with session_scope(settings.database_url) as session:
        return {
            model.__tablename__: int(
                session.scalar(select(func.count()).select_from(model).where(column == conversation_id)) or 0
            )
            for model, column in (
                (Conversation, Conversation.id),
                (Message, Message.conversation_id),
                (Handoff, Handoff.conversation_id),
                (Note, Note.conversation_id),
            )
        }


GONE = {"conversations": 0, "messages": 0, "handoffs": 0, "notes": 0}


def test_erase_as_admin_deletes_rows_and_empties_tracker(
    admin_client: tuple[TestClient, str], seeded: Settings, tracker_up: str
) -> None:
    client, csrf = admin_client
    response = _erase(client, CONVERSATION, csrf)
    assert response.status_code == 200, response.text
    assert response.json() == {
        "conversation_id": CONVERSATION,
        "messages": 5,
        "handoffs": 1,
        "rasa_tracker_erased": True,
    }
    assert _rows(seeded, CONVERSATION) == GONE
    assert _rows(seeded, OTHER) == {"conversations": 1, "messages": 1, "handoffs": 1, "notes": 0}
    assert (tracker_rows(tracker_up, CONVERSATION), tracker_rows(tracker_up, OTHER)) == (0, 3)


def test_erase_then_console_says_404_and_queue_forgets_it(
    admin_client: tuple[TestClient, str], seeded: Settings
) -> None:
    client, csrf = admin_client
    assert {i["conversation_id"] for i in client.get("/console/api/queue").json()} == {CONVERSATION, OTHER}
    assert _erase(client, CONVERSATION, csrf).status_code == 200
    assert client.get(f"/console/api/conversations/{CONVERSATION}").status_code == 404
    assert client.get(f"/console/conversations/{CONVERSATION}").status_code == 404
    assert [i["conversation_id"] for i in client.get("/console/api/queue").json()] == [OTHER]
    again = _erase(client, CONVERSATION, csrf)
    assert again.status_code == 404 and CONVERSATION in again.json()["detail"]


def test_erase_with_rasa_down_deletes_rows_and_reports_tracker_not_erased(
    admin_client: tuple[TestClient, str], seeded: Settings
) -> None:
    client, csrf = admin_client
    response = _erase(client, CONVERSATION, csrf)
    assert response.status_code == 200 and response.json()["rasa_tracker_erased"] is False
    assert _rows(seeded, CONVERSATION) == GONE


def test_erase_console_and_cli_empty_the_tracker_the_same_way(
    admin_client: tuple[TestClient, str], seeded: Settings, tracker_up: str
) -> None:
    client, csrf = admin_client
    assert cli(["privacy", "erase", OTHER]) == 0
    assert tracker_rows(tracker_up, OTHER) == 0 and tracker_rows(tracker_up, CONVERSATION) == 3
    assert _erase(client, CONVERSATION, csrf).json()["rasa_tracker_erased"] is True
    assert tracker_rows(tracker_up, CONVERSATION) == 0


def test_erase_logs_admin_and_id_but_no_content(
    admin_client: tuple[TestClient, str], seeded: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    client, csrf = admin_client
    with caplog.at_level(logging.INFO, logger="bot.console.admin"):
        assert _erase(client, CONVERSATION, csrf).status_code == 200
    admin = authenticate(seeded, "ada@example.org", PASSWORD)
    assert admin is not None
    audit = [r.getMessage() for r in caplog.records if r.name == "bot.console.admin"]
    assert len(audit) == 1 and f"admin {admin.id} erased {CONVERSATION}" in audit[0], audit
    assert all(
        secret not in caplog.text for secret in ("jan.peeters", "eTwinning group", "called the school")
    )


@pytest.mark.parametrize(
    ("csrf", "detail"),
    [(None, "missing or wrong CSRF token"), ("not-the-token", "missing or wrong CSRF token")],
)
def test_erase_without_the_csrf_token_is_403_and_keeps_everything(
    admin_client: tuple[TestClient, str], seeded: Settings, csrf: str | None, detail: str
) -> None:
    client, _ = admin_client
    response = _erase(client, CONVERSATION, csrf)
    assert response.status_code == 403 and response.json()["detail"] == detail
    assert _rows(seeded, CONVERSATION)["messages"] == 5


def test_erase_as_agent_is_403_and_keeps_everything(
    agent_client: tuple[TestClient, str], seeded: Settings
) -> None:
    client, csrf = agent_client
    response = _erase(client, CONVERSATION, csrf)
    assert response.status_code == 403 and response.json()["detail"] == "admins only"
    assert _rows(seeded, CONVERSATION)["messages"] == 5


def test_erase_without_session_is_401(app_client: TestClient, seeded: Settings) -> None:
    response = _erase(app_client, CONVERSATION, None)
    assert response.status_code == 401
    assert _rows(seeded, CONVERSATION)["messages"] == 5


def test_erase_unknown_conversation_is_404_and_leaves_rasa_alone(
    admin_client: tuple[TestClient, str], seeded: Settings, tracker_up: str
) -> None:
    client, csrf = admin_client
    response = _erase(client, "web-nosuchconv", csrf)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json() == {
        "type": "tag:nso-assistant,2026:problem:unknown-conversation",
        "title": "Unknown conversation",
        "status": 404,
        "detail": "unknown conversation: web-nosuchconv",
    }
    assert (tracker_rows(tracker_up, CONVERSATION), tracker_rows(tracker_up, OTHER)) == (3, 3)


def test_conversation_page_shows_erase_button_to_admins_only(
    admin_client: tuple[TestClient, str], agent_client: tuple[TestClient, str], seeded: Settings
) -> None:
    button = re.compile(
        r'<button type="button" data-erase [^>]*data-confirm="[^"]+">Erase conversation</button>'
    )
    assert button.search(admin_client[0].get(f"/console/conversations/{CONVERSATION}").text)
    assert "data-erase" not in agent_client[0].get(f"/console/conversations/{CONVERSATION}").text


@pytest.mark.parametrize(
    ("done", "message"),
    [
        ("erased", "Conversation erased everywhere"),
        ("erased_rasa_down", "the assistant (Rasa) could not be reached"),
        ("<b>x</b>", None),
    ],
)
def test_transcripts_page_reports_the_erasure(
    agent_client: tuple[TestClient, str], settings_db: Settings, done: str, message: str | None
) -> None:
    page = agent_client[0].get("/console/transcripts", params={"done": done}).text
    if message is None:
        assert "erased" not in page and "<b>x</b>" not in page
    else:
        assert message in page


@pytest.mark.slow
def test_erase_button_in_chromium_confirms_erases_and_returns_to_transcripts(
    browser: Browser, seeded: Settings
) -> None:
    from playwright.sync_api import expect

    make_agent(seeded, "ada.browser@example.org", role="admin", name="Ada Admin")
    errors: list[str] = []
    shared_retriever()  # load the models before serve(), which allows the app 10 s to start
    with serve(create_app()) as url:
        page = browser.new_context().new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(f"{url}/console/conversations/{CONVERSATION}")
        page.get_by_label("E-mail").fill("ada.browser@example.org")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        erase = page.get_by_role("button", name="Erase conversation")

        dialogs: list[str] = []
        page.once("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        erase.click()
        expect(erase).to_be_enabled()
        assert dialogs and "cannot be undone" in dialogs[0]
        assert _rows(seeded, CONVERSATION)["messages"] == 5  # dismissed: nothing erased

        page.once("dialog", lambda dialog: dialog.accept())
        erase.click()
        expect(page).to_have_url(f"{url}/console/transcripts?done=erased_rasa_down")
        expect(page.get_by_role("alert")).to_contain_text("could not be reached")
        page.context.close()
    assert _rows(seeded, CONVERSATION) == GONE
    assert errors == []
    with pytest.raises(console.ConversationNotFoundError):
        console.conversation(seeded, CONVERSATION)
