"""Findings 2 and 3 of issue 13: Rasa's HTTP API and the action endpoint cannot be driven from outside.

Attacks over real HTTP against the real stack: Rasa runs with --auth-token and without wildcard
CORS, and the API's /webhook runs actions only for the holder of the token Rasa sends.
"""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import func, select

from bench.stack import Stack
from conversation.db import session_scope
from conversation.models import Handoff

pytestmark = [pytest.mark.integration, pytest.mark.slow]

FORGED_SENDER = "web-invented-sender-1"


def _forged_handoff_call(sender: str) -> dict[str, object]:
    return {
        "next_action": "action_handoff",
        "sender_id": sender,
        "tracker": {
            "sender_id": sender,
            "slots": {"language": "en"},
            "latest_message": {"text": "help", "intent": {"name": "ask_human"}, "entities": []},
            "events": [],
            "paused": False,
            "latest_event_time": None,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
        },
        "domain": {},
        "version": "3.6.21",
    }


def _handoffs(stack: Stack, sender: str) -> int:
    with session_scope(stack.env["NSO_DATABASE_URL"]) as session:
        return int(session.scalar(select(func.count()).where(Handoff.conversation_id == sender)) or 0)


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/conversations/anyone/tracker", None),
        (
            "POST",
            "/conversations/anyone/tracker/events",
            [{"event": "slot", "name": "language", "value": "sl"}],
        ),
        ("POST", "/model/parse", {"text": "hello"}),
        ("PUT", "/model", {"model_file": "/tmp/evil.tar.gz"}),
        ("GET", "/status", None),
    ],
)
def test_rasa_http_api_without_token_is_401(stack: Stack, method: str, path: str, body: object) -> None:
    response = httpx.request(method, f"{stack.rasa}{path}", json=body, timeout=30)
    assert response.status_code == 401, response.text
    wrong = httpx.request(method, f"{stack.rasa}{path}", json=body, params={"token": "guess"}, timeout=30)
    assert wrong.status_code == 401


def test_rasa_http_api_with_token_works_and_sends_no_wildcard_cors(stack: Stack) -> None:
    response = httpx.get(
        f"{stack.rasa}/status", params=stack.rasa_auth, headers={"Origin": "https://evil.example"}, timeout=30
    )
    assert response.status_code == 200
    assert response.headers.get("access-control-allow-origin") not in ("*", "https://evil.example")


def test_action_endpoint_without_token_is_403_and_creates_no_handoff(stack: Stack) -> None:
    for params in ({}, {"token": "guess"}):
        response = httpx.post(
            f"{stack.api}/webhook", json=_forged_handoff_call(FORGED_SENDER), params=params, timeout=30
        )
        assert response.status_code == 403
    assert _handoffs(stack, FORGED_SENDER) == 0


def test_action_endpoint_multi_megabyte_body_is_refused_fast(stack: Stack) -> None:
    call = _forged_handoff_call(FORGED_SENDER)
    call["tracker"]["latest_message"]["text"] = "x" * (8 * 1024 * 1024)  # type: ignore[index]
    response = httpx.post(f"{stack.api}/webhook", json=call, params=stack_action_auth(stack), timeout=30)
    assert response.status_code == 413
    assert _handoffs(stack, FORGED_SENDER) == 0


def test_action_handoff_with_rasas_token_for_an_unknown_sender_leaves_no_queue_item(stack: Stack) -> None:
    response = httpx.post(
        f"{stack.api}/webhook",
        json=_forged_handoff_call(FORGED_SENDER),
        params=stack_action_auth(stack),
        timeout=30,
    )
    assert response.status_code == 200, response.text
    assert _handoffs(stack, FORGED_SENDER) == 0


def stack_action_auth(stack: Stack) -> dict[str, str]:
    return {"token": stack.env["NSO_ACTION_TOKEN"]}


def test_action_endpoint_with_rasas_token_runs_actions(stack: Stack) -> None:
    # The real path still works: a conversation through the gateway reaches the actions.
    reply = httpx.post(
        f"{stack.api}/api/chat/messages",
        json={"text": "Will my contacts be moved to the new platform?", "lang": "en"},
        timeout=60,
    )
    assert reply.status_code == 200
    assert any(m["role"] == "bot" and m["text"] for m in reply.json()["messages"])
