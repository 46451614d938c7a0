"""Queue, takeover (one winner), live replies (widget and Telegram), notes, hand back, close."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from bot.schemas import ConsoleAgent
from conversation import handoff as console
from conversation.db import session_scope
from conversation.models import Conversation, Handoff, Message
from settings import Settings
from tests.bot.channels.telegram.fakes import TOKEN, FakeBotApi, serving
from tests.bot.console.factories import (
    FakeRasa,
    Turn,
    make_agent,
    seed_conversation,
    sign_in,
    waiting_conversation,
)
from tests.factories import chat_headers

pytestmark = pytest.mark.integration


def _post(client: TestClient, csrf: str, path: str, body: dict[str, str] | None = None) -> object:
    return client.post(path, json=body, headers={"X-CSRF-Token": csrf})


def _handoff(settings: Settings, conversation_id: str) -> Handoff:
    with session_scope(settings.database_url) as session:
        handoff = session.scalars(
            select(Handoff).where(Handoff.conversation_id == conversation_id).order_by(Handoff.id.desc())
        ).first()
        assert handoff is not None
        return handoff


# --- queue -----------------------------------------------------------------------------------------


def test_queue_lists_waiting_conversation_with_question_and_last_answer(
    agent_client: tuple[TestClient, str], settings_db: Settings
) -> None:
    client, _ = agent_client
    waiting_conversation(settings_db, "web-queue0001")
    seed_conversation(settings_db, "web-nohandoff1", [Turn("user", "hello")])
    items = client.get("/console/api/queue").json()
    assert [i["conversation_id"] for i in items] == ["web-queue0001"]
    item = items[0]
    assert item["language"] == "en" and item["channel"] == "web" and item["status"] == "waiting"
    assert item["question"] == "How do I join an eTwinning group?"  # not the "talk to a person" button
    assert item["last_bot_answer"].startswith("Open the group and press Join.")
    assert item["waiting_seconds"] >= 0 and item["taken_by"] is None


def test_queue_page_escapes_user_text(agent_client: tuple[TestClient, str], settings_db: Settings) -> None:
    client, _ = agent_client
    seed_conversation(
        settings_db,
        "web-xss000001",
        [Turn("user", "<script>alert(1)</script>", status="answered")],
        handoff="fallback",
    )
    page = client.get("/console/queue").text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_queue_events_stream_sends_the_queue(
    agent_client: tuple[TestClient, str], settings_db: Settings, short_streams: None
) -> None:
    client, _ = agent_client
    waiting_conversation(settings_db, "web-stream001")
    response = client.get("/console/api/queue/events")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/event-stream")
    data = next(line for line in response.text.splitlines() if line.startswith("data: {"))
    payload = json.loads(data.removeprefix("data: "))
    assert [i["conversation_id"] for i in payload["items"]] == ["web-stream001"]


def test_conversation_events_stream_sends_new_messages(
    agent_client: tuple[TestClient, str], settings_db: Settings, short_streams: None
) -> None:
    client, _ = agent_client
    conv = waiting_conversation(settings_db, "web-stream002")
    response = client.get(f"/console/api/conversations/{conv}/events?after=2")
    data = next(line for line in response.text.splitlines() if line.startswith("data: {"))
    payload = json.loads(data.removeprefix("data: "))
    assert [m["id"] for m in payload["messages"]] == [3, 4]
    assert payload["handoff"]["status"] == "waiting"


# --- takeover --------------------------------------------------------------------------------------


def test_takeover_second_agent_gets_409(settings_db: Settings, make_client: Callable[[], TestClient]) -> None:
    make_agent(settings_db, "els@example.org", name="Els Peeters")
    make_agent(settings_db, "jan@example.org", name="Jan Novak")
    els, jan = make_client(), make_client()
    els_csrf, jan_csrf = sign_in(els, "els@example.org"), sign_in(jan, "jan@example.org")
    conv = waiting_conversation(settings_db, "web-race00001")

    first = els.post(f"/console/api/conversations/{conv}/take", headers={"X-CSRF-Token": els_csrf})
    second = jan.post(f"/console/api/conversations/{conv}/take", headers={"X-CSRF-Token": jan_csrf})
    assert first.status_code == 200 and first.json()["handoff"]["taken_by"] == "Els Peeters"
    assert second.status_code == 409
    assert second.json()["code"] == "taken" and second.json()["taken_by"] == "Els Peeters"
    joined = client_messages(els, conv)[-1]
    assert joined["role"] == "system" and joined["text"].startswith("Els from the helpdesk")


def client_messages(client: TestClient, conversation_id: str) -> list[dict[str, object]]:
    """What the widget sees (its polling API)."""
    messages: list[dict[str, object]] = client.get(
        f"/api/chat/conversations/{conversation_id}/messages", headers=chat_headers(conversation_id)
    ).json()["messages"]
    return messages


def test_takeover_concurrent_calls_have_exactly_one_winner(settings_db: Settings) -> None:
    agents = [
        ConsoleAgent.model_validate(
            {
                "id": make_agent(settings_db, f"a{i}@example.org").id,
                "email": f"a{i}@example.org",
                "name": f"A{i}",
                "role": "agent",
                "csrf_token": "-",
            }
        )
        for i in range(6)
    ]
    conv = waiting_conversation(settings_db, "web-race00002")
    barrier = threading.Barrier(len(agents))
    outcomes: list[str] = []

    def take(agent: ConsoleAgent) -> None:
        barrier.wait()
        try:
            console.take_over(settings_db, conv, agent)
            outcomes.append("won")
        except console.HandoffConflictError as exc:
            outcomes.append(exc.code)

    threads = [threading.Thread(target=take, args=(a,)) for a in agents]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes) == ["taken"] * (len(agents) - 1) + ["won"]
    assert _handoff(settings_db, conv).status == "taken"


def test_takeover_of_unknown_conversation_is_404(agent_client: tuple[TestClient, str]) -> None:
    client, csrf = agent_client
    assert _post(client, csrf, "/console/api/conversations/web-unknown01/take").status_code == 404  # type: ignore[attr-defined]


# --- replies and notes ---------------------------------------------------------------------------


def test_reply_before_takeover_is_409(agent_client: tuple[TestClient, str], settings_db: Settings) -> None:
    client, csrf = agent_client
    conv = waiting_conversation(settings_db, "web-reply0001")
    response = client.post(
        f"/console/api/conversations/{conv}/messages", json={"text": "Hello"}, headers={"X-CSRF-Token": csrf}
    )
    assert response.status_code == 409 and response.json()["code"] == "not_taken"
    with session_scope(settings_db.database_url) as session:
        assert session.scalars(select(Message).where(Message.role == "agent")).first() is None


def test_reply_is_stored_as_agent_message_the_widget_shows(
    agent_client: tuple[TestClient, str], settings_db: Settings
) -> None:
    client, csrf = agent_client
    conv = waiting_conversation(settings_db, "web-reply0002")
    client.post(f"/console/api/conversations/{conv}/take", headers={"X-CSRF-Token": csrf})
    response = client.post(
        f"/console/api/conversations/{conv}/messages",
        json={"text": "  Hi, I'm Els. <b>Which</b> group?  "},
        headers={"X-CSRF-Token": csrf},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["message"]["role"] == "agent" and body["message"]["agent"] == "Els Peeters"
    assert body["warnings"] == []
    widget = client.get(f"/api/chat/conversations/{conv}/messages", headers=chat_headers(conv)).json()
    assert widget["handoff"] is True
    assert widget["messages"][-1] == {
        **widget["messages"][-1],
        "role": "agent",
        "text": "Hi, I'm Els. <b>Which</b> group?",
    }


def test_reply_by_another_agent_is_409(settings_db: Settings, make_client: Callable[[], TestClient]) -> None:
    make_agent(settings_db, "els@example.org")
    make_agent(settings_db, "jan@example.org")
    els, jan = make_client(), make_client()
    els_csrf, jan_csrf = sign_in(els, "els@example.org"), sign_in(jan, "jan@example.org")
    conv = waiting_conversation(settings_db, "web-reply0003")
    els.post(f"/console/api/conversations/{conv}/take", headers={"X-CSRF-Token": els_csrf})
    response = jan.post(
        f"/console/api/conversations/{conv}/messages",
        json={"text": "me too"},
        headers={"X-CSRF-Token": jan_csrf},
    )
    assert response.status_code == 409 and response.json()["code"] == "taken"


def test_reply_on_telegram_conversation_is_sent_to_telegram(
    configure: Callable[..., Settings], make_client: Callable[[], TestClient]
) -> None:
    with serving(FakeBotApi()) as fake:
        settings = configure(telegram_bot_token=TOKEN, telegram_api_url=fake.base_url)
        make_agent(settings, "els@example.org", name="Els Peeters")
        client = make_client()
        csrf = sign_in(client, "els@example.org")
        conv = waiting_conversation(settings, "tg-424242", channel="telegram")
        client.post(f"/console/api/conversations/{conv}/take", headers={"X-CSRF-Token": csrf})
        response = client.post(
            f"/console/api/conversations/{conv}/messages",
            json={"text": "Hallo from Els"},
            headers={"X-CSRF-Token": csrf},
        )
        assert response.status_code == 200 and response.json()["warnings"] == []
        sent = fake.called("sendMessage")
        assert [(int(p["chat_id"]), p["text"]) for p in sent][-1] == (424242, "Hallo from Els")
        assert sent[0]["text"].startswith("Els from the helpdesk")  # the takeover notice went first
        assert "parse_mode" not in sent[-1]


def test_reply_on_telegram_without_token_is_stored_with_warning(
    agent_client: tuple[TestClient, str], settings_db: Settings
) -> None:
    client, csrf = agent_client
    conv = waiting_conversation(settings_db, "tg-434343", channel="telegram")
    client.post(f"/console/api/conversations/{conv}/take", headers={"X-CSRF-Token": csrf})
    response = client.post(
        f"/console/api/conversations/{conv}/messages", json={"text": "Hello"}, headers={"X-CSRF-Token": csrf}
    )
    assert response.status_code == 200 and response.json()["warnings"] == ["delivery_failed"]


def test_notes_are_kept_and_never_shown_to_the_user(
    agent_client: tuple[TestClient, str], settings_db: Settings
) -> None:
    client, csrf = agent_client
    conv = waiting_conversation(settings_db, "web-notes0001")
    response = client.post(
        f"/console/api/conversations/{conv}/notes",
        json={"text": "Teacher from Gent, 2nd time"},
        headers={"X-CSRF-Token": csrf},
    )
    assert response.status_code == 200 and response.json()["note"]["agent"] == "Els Peeters"
    assert (
        client.get(f"/console/api/conversations/{conv}").json()["notes"][0]["text"]
        == "Teacher from Gent, 2nd time"
    )
    assert all("Gent" not in m["text"] for m in client_messages(client, conv))


@pytest.mark.parametrize("text", ["", "   ", "x" * 2001])
def test_reply_and_note_bad_text_is_422(
    agent_client: tuple[TestClient, str], settings_db: Settings, text: str
) -> None:
    client, csrf = agent_client
    conv = waiting_conversation(settings_db, "web-badtext01")
    for kind in ("messages", "notes"):
        response = client.post(
            f"/console/api/conversations/{conv}/{kind}", json={"text": text}, headers={"X-CSRF-Token": csrf}
        )
        assert response.status_code == 422


# --- hand back and close ---------------------------------------------------------------------------


def test_hand_back_closes_handoff_resets_rasa_slot_and_bot_answers_again(
    configure: Callable[..., Settings], make_client: Callable[[], TestClient], fake_rasa: FakeRasa
) -> None:
    settings = configure(rasa_url=fake_rasa.url)
    make_agent(settings, "els@example.org")
    client = make_client()
    csrf = sign_in(client, "els@example.org")
    conv = waiting_conversation(settings, "web-handback1")
    client.post(f"/console/api/conversations/{conv}/take", headers={"X-CSRF-Token": csrf})

    # While with the agent, the user's message is queued, not sent to Rasa.
    queued = client.post(
        "/api/chat/messages",
        json={"text": "Still there?", "conversation_id": conv},
        headers=chat_headers(conv),
    ).json()
    assert queued["handoff"] is True and fake_rasa.messages == []

    response = client.post(f"/console/api/conversations/{conv}/handback", headers={"X-CSRF-Token": csrf})
    assert response.status_code == 200
    assert response.json()["warnings"] == [] and response.json()["handoff"]["status"] == "closed"
    assert not [e for _, events in fake_rasa.events for e in events if e.get("name") == "handoff"]
    handoff = _handoff(settings, conv)
    assert handoff.status == "closed" and handoff.closed_at is not None
    widget = client.get(f"/api/chat/conversations/{conv}/messages", headers=chat_headers(conv)).json()
    assert widget["handoff"] is False
    assert widget["messages"][-1]["role"] == "system" and "assistant" in widget["messages"][-1]["text"]

    again = client.post(
        "/api/chat/messages",
        json={"text": "How do I join a group?", "conversation_id": conv},
        headers=chat_headers(conv),
    ).json()
    assert again["handoff"] is False
    assert [m["text"] for m in again["messages"]] == [fake_rasa.reply]
    assert fake_rasa.messages[-1]["sender"] == conv


def test_hand_back_with_rasa_down_closes_without_needing_rasa(
    agent_client: tuple[TestClient, str], settings_db: Settings
) -> None:
    client, csrf = agent_client
    conv = waiting_conversation(settings_db, "web-handback2")
    client.post(f"/console/api/conversations/{conv}/take", headers={"X-CSRF-Token": csrf})
    response = client.post(f"/console/api/conversations/{conv}/handback", headers={"X-CSRF-Token": csrf})
    assert response.status_code == 200 and response.json()["warnings"] == []
    assert _handoff(settings_db, conv).status == "closed"


def test_hand_back_of_someone_elses_conversation_is_409_but_admin_may(
    settings_db: Settings, make_client: Callable[[], TestClient]
) -> None:
    make_agent(settings_db, "els@example.org")
    make_agent(settings_db, "jan@example.org")
    make_agent(settings_db, "ada@example.org", role="admin")
    els, jan, ada = make_client(), make_client(), make_client()
    tokens = [
        sign_in(c, e)
        for c, e in ((els, "els@example.org"), (jan, "jan@example.org"), (ada, "ada@example.org"))
    ]
    conv = waiting_conversation(settings_db, "web-handback3")
    els.post(f"/console/api/conversations/{conv}/take", headers={"X-CSRF-Token": tokens[0]})
    refused = jan.post(f"/console/api/conversations/{conv}/handback", headers={"X-CSRF-Token": tokens[1]})
    assert refused.status_code == 409 and refused.json()["code"] == "taken"
    assert (
        ada.post(
            f"/console/api/conversations/{conv}/handback", headers={"X-CSRF-Token": tokens[2]}
        ).status_code
        == 200
    )
    again = els.post(f"/console/api/conversations/{conv}/handback", headers={"X-CSRF-Token": tokens[0]})
    assert again.status_code == 409 and again.json()["code"] == "closed"


def test_close_ends_handoff_and_conversation(
    agent_client: tuple[TestClient, str], settings_db: Settings
) -> None:
    client, csrf = agent_client
    conv = waiting_conversation(settings_db, "web-close0001")
    client.post(f"/console/api/conversations/{conv}/take", headers={"X-CSRF-Token": csrf})
    response = client.post(f"/console/api/conversations/{conv}/close", headers={"X-CSRF-Token": csrf})
    assert response.status_code == 200
    with session_scope(settings_db.database_url) as session:
        conversation = session.get(Conversation, conv)
        assert conversation is not None and conversation.status == "closed"
    assert client.get("/console/api/queue").json() == []
    assert client_messages(client, conv)[-1]["text"].startswith("The helpdesk has closed")


def test_conversation_page_shows_sources_rating_and_kb_match(
    agent_client: tuple[TestClient, str], settings_db: Settings
) -> None:
    client, _ = agent_client
    seed_conversation(
        settings_db,
        "web-page00001",
        [
            Turn("user", "How do I find, join or create an eTwinning Group?", status="answered"),
            Turn(
                "bot",
                "Search for the group and ask to join.\n\nSource: eTwinning how-to (2023), Groups",
                rating="down",
            ),
        ],
    )
    page = client.get("/console/conversations/web-page00001").text
    assert "Source: eTwinning how-to (2023), Groups" in page
    assert 'data-slot="rating">not helpful<' in page  # the rating's label in the agent's language
    assert "KB match" in page and 'data-slot="confidence">0.' in page
