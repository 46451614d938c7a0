"""The queue as agents work it: openable conversations only, the longest-waiting teacher first."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from fastapi.testclient import TestClient

from conversation.handoff import waiting_since
from settings import Settings
from tests.bot.console.factories import make_agent
from tests.bot.console.helpdesk_factories import Said, seed_handoff

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def _ago(minutes: float) -> dt.datetime:
    return dt.datetime.now(dt.UTC) - dt.timedelta(minutes=minutes)


@pytest.mark.unit
@pytest.mark.parametrize(
    ("status", "said", "expected"),
    [
        ("waiting", [], T0),
        ("waiting", [("user", 60, "queued")], T0),  # typing while waiting does not reset the wait
        ("taken", [], T0),  # taken, but nobody has replied yet
        ("taken", [("agent", 120, "sent")], None),  # answered: nobody waits
        ("taken", [("agent", 120, "sent"), ("user", 300, "queued"), ("user", 400, "queued")], 300),
        ("taken", [("user", 60, "queued"), ("agent", 120, "sent")], None),
    ],
)
def test_waiting_since_per_state_and_replies(
    status: str, said: list[tuple[str, int, str]], expected: dt.datetime | int | None
) -> None:
    messages = [(role, state, T0 + dt.timedelta(seconds=after)) for role, after, state in said]
    want = T0 + dt.timedelta(seconds=expected) if isinstance(expected, int) else expected
    assert waiting_since(T0, status, messages) == want


@pytest.fixture
def queue_seeded(settings_db: Settings) -> int:
    """Six open handoffs: five of known conversations, one the gateway never saw; returns Jan's id."""
    jan = make_agent(settings_db, "jan@example.org", name="Jan Janssens").id
    seed_handoff(settings_db, "web-waiting-a", at=_ago(10))
    seed_handoff(settings_db, "web-waiting-b", at=_ago(5))
    seed_handoff(  # answered by its agent: nobody waits
        settings_db, "web-answered-c", at=_ago(20), status="taken", agent_id=jan, said=(Said("agent", 300),)
    )
    seed_handoff(  # answered, then the teacher wrote again 12 minutes ago
        settings_db,
        "web-again-d",
        at=_ago(30),
        status="taken",
        agent_id=jan,
        said=(Said("agent", 300), Said("user", 18 * 60, status="queued")),
    )
    seed_handoff(settings_db, "web-taken-e", at=_ago(8), status="taken", agent_id=jan)  # no reply yet
    seed_handoff(settings_db, "rest-unknown-f", at=_ago(60), known=False)
    return jan


def test_queue_lists_longest_waiting_first_and_answered_last(
    agent_client: tuple[TestClient, str], queue_seeded: int
) -> None:
    client, _ = agent_client
    items = client.get("/console/api/queue").json()
    assert [i["conversation_id"] for i in items] == [
        "web-again-d",  # waits since 12 min
        "web-waiting-a",  # 10 min
        "web-taken-e",  # 8 min
        "web-waiting-b",  # 5 min
        "web-answered-c",  # nobody waits
    ]
    by_id = {i["conversation_id"]: i for i in items}
    assert (
        by_id["web-answered-c"]["waiting_since"] is None and by_id["web-answered-c"]["waiting_seconds"] == 0
    )
    assert 11 * 60 <= by_id["web-again-d"]["waiting_seconds"] <= 13 * 60
    assert by_id["web-again-d"]["new_messages"] == 1
    assert {i["taken_by_id"] for i in items} == {None, queue_seeded}


def test_queue_leaves_out_conversations_the_gateway_does_not_know(
    agent_client: tuple[TestClient, str], queue_seeded: int, short_streams: None
) -> None:
    client, _ = agent_client
    assert "rest-unknown-f" not in {i["conversation_id"] for i in client.get("/console/api/queue").json()}
    assert "rest-unknown-f" not in client.get("/console/queue").text
    stream = client.get("/console/api/queue/events").text
    data = next(line for line in stream.splitlines() if line.startswith("data: {"))
    items = json.loads(data.removeprefix("data: "))["items"]
    assert len(items) == 5 and "rest-unknown-f" not in {i["conversation_id"] for i in items}


@pytest.mark.parametrize(
    ("lang", "title"), [("en", "Not found"), ("nl", "Niet gevonden"), ("sl", "Ni najdeno")]
)
def test_conversation_page_unknown_id_is_404_page_in_agent_language(
    agent_client: tuple[TestClient, str], lang: str, title: str
) -> None:
    client, _ = agent_client
    client.cookies.set("nso_console_lang", lang, path="/console")
    response = client.get("/console/conversations/rest-unknown-f")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert f'<html lang="{lang}">' in response.text and f"<h1>{title}</h1>" in response.text
    assert 'href="/console/queue"' in response.text  # a way back, and the console's header
    assert response.headers["content-security-policy"].startswith("default-src 'self'")
    # The JSON API keeps its JSON error.
    api = client.get("/console/api/conversations/rest-unknown-f")
    assert api.status_code == 404 and api.headers["content-type"] == "application/problem+json"


def test_admin_page_for_agent_is_403_page_not_json(agent_client: tuple[TestClient, str]) -> None:
    client, _ = agent_client
    response = client.get("/console/admin")
    assert response.status_code == 403 and "<h1>No access</h1>" in response.text
