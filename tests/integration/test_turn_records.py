"""Each turn says what it did, through real Rasa: the actions' items reach the turn (Rasa 3.6's REST
channel passes ``json_message`` on as a ``{"custom": ...}`` message), the turn stores them with the
bot messages, typed feedback lands on the last answer in every language, and the language costs no
action call of its own."""

from __future__ import annotations

import re
import time
import uuid
from pathlib import Path

import httpx
import pytest

from bench.stack import Stack
from tests.integration.factories import Chat

pytestmark = [pytest.mark.integration, pytest.mark.slow]

FAQ = {
    "en": "How do I register on the new European School Education Platform?",
    "nl": "Hoe kan ik me registreren op het nieuwe platform?",
    "sl": "Kako se registriram na novi platformi?",
}
NEGATIVE = {"en": "that's wrong", "nl": "klopt niet", "sl": "to ni res"}
POSITIVE = {"en": "thanks, that helped", "nl": "bedankt, dat hielp", "sl": "hvala, to mi je pomagalo"}
UNKNOWN = "How many eTwinning ambassadors are there in Latvia?"  # on topic, not in the KB


def test_rest_channel_passes_the_reply_item_on_as_a_custom_message(stack: Stack) -> None:
    response = httpx.post(
        f"{stack.rasa}/webhooks/rest/webhook",
        json={"sender": f"custom-{uuid.uuid4().hex[:8]}", "message": FAQ["en"]},
        timeout=120,
    )
    response.raise_for_status()
    *shown, last = response.json()
    assert shown and all("text" in m and "custom" not in m for m in shown)
    item = last["custom"]
    assert set(last) == {"recipient_id", "custom"}
    assert (item["kind"], item["status"], item["language"]) == ("faq", "answered", "en")
    assert item["faq_id"] and item["confidence"] > 0 and item["sources"]
    assert any(item["sources"][0] in m["text"] for m in shown)  # the source the answer cites


def _last_turn_kinds(chat: Chat) -> list[tuple[str | None, str | None, str | None]]:
    users = chat.stored("user")
    return [(m.kind, m.rule, m.result) for m in chat.stored() if m.id > users[-1].id]


@pytest.mark.parametrize(
    ("turns", "expected"),
    [
        pytest.param([FAQ["en"]], ("faq", None, "answered"), id="faq"),
        pytest.param(["groups"], ("clarify", None, "clarify"), id="clarify"),
        pytest.param([UNKNOWN], ("fallback", None, "fallback"), id="fallback"),
        pytest.param(["is it going to rain"], ("fallback", None, "out_of_scope"), id="out-of-scope"),
        pytest.param(
            ["Will my eTwinning group be migrated? I'm the admin of one"],
            ("form_question", "group_migration", "ask:last_activity"),
            id="form-question",
        ),
        pytest.param(
            ["Will my eTwinning group be migrated? I'm the admin of one", "15.6.2021"],
            ("rule_verdict", "group_migration", None),
            id="rule-verdict",
        ),
        pytest.param(
            ["I would like to talk to a real person please"], ("handoff", None, "requested"), id="handoff"
        ),
        # the second miss offers a person (a button): nobody is queued without asking
        pytest.param([UNKNOWN, UNKNOWN], ("fallback", None, "offer_human"), id="offer-human-2nd-miss"),
        pytest.param(["hello"], ("small_talk", None, None), id="small-talk"),
        pytest.param([FAQ["en"], "that's wrong"], ("feedback", None, "down"), id="feedback"),
    ],
)
def test_turn_stores_the_kind_of_each_reply(
    stack: Stack, turns: list[str], expected: tuple[str, str | None, str | None]
) -> None:
    chat = Chat(stack)
    for text in turns:
        chat.say(text)
    stored = _last_turn_kinds(chat)
    assert stored, chat.stored()
    kind, rule, result = expected
    assert {k for k, _, _ in stored} == {kind}, stored
    assert all(r == rule for _, r, _ in stored)
    if kind == "rule_verdict":
        assert {s for _, _, s in stored} <= {"yes", "no", "uncertain"}
    else:
        assert {s for _, _, s in stored} == {result}, stored
    assert all(m.language == "en" for m in chat.stored())


def test_turn_faq_answer_stores_topic_confidence_and_sources(stack: Stack) -> None:
    chat = Chat(stack)
    chat.say(FAQ["nl"])
    stored = chat.stored()
    assert {(m.kind, m.language) for m in stored} == {("faq", "nl")}
    assert len({m.faq_id for m in stored}) == 1 and stored[0].faq_id
    assert stored[0].confidence and stored[0].confidence > 0
    assert stored[0].sources and any(stored[0].sources[0] in m.text for m in stored)


@pytest.mark.parametrize("lang", ["en", "nl", "sl"])
def test_typed_feedback_rates_the_last_answer_like_the_thumbs(stack: Stack, lang: str) -> None:
    chat = Chat(stack)
    answer = chat.say(FAQ[lang])
    sorry = chat.say(NEGATIVE[lang])
    assert chat.stored()[-1].kind == "feedback" and sorry[0]["buttons"], sorry  # offers a person
    rated = [(m.id, m.rating) for m in chat.stored() if m.rating]
    assert rated == [(answer[0]["id"], "down")]  # the widget's thumbs rate the same message
    chat.say(POSITIVE[lang])
    assert [(m.id, m.rating) for m in chat.stored() if m.rating] == [(answer[0]["id"], "up")]


def _webhook_calls(stack: Stack) -> int:
    log = Path(stack.workdir) / "api.log"
    return len(re.findall(r'"POST /webhook[ ?]', log.read_text(encoding="utf-8", errors="ignore")))


def test_faq_turn_makes_one_action_call_in_any_language(stack: Stack) -> None:
    """The language is decided by the turn: no action_validate_slot_mappings round trip."""
    chat = Chat(stack)
    for lang in ("nl", "sl", "en", "en"):
        before = _webhook_calls(stack)
        chat.say(FAQ[lang])
        deadline = time.monotonic() + 5
        while _webhook_calls(stack) == before and time.monotonic() < deadline:  # the log is written after
            time.sleep(0.05)
        time.sleep(0.2)
        assert _webhook_calls(stack) - before == 1, lang
        assert chat.slot("language") == lang
