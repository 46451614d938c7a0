"""Whole conversations through Rasa's REST webhook, with the real action server (the API).

One scenario per language for each behaviour the assistant promises: a FAQ answer with its
source, a rule check that asks for the missing fact and gives a verdict, a vague question
answered with alternatives, and a request for a person.
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from bench.stack import Stack
from conversation.handoff import open_handoffs
from settings import Settings

pytestmark = [pytest.mark.integration, pytest.mark.slow]

SOURCE_LABEL = {"en": "Source:", "nl": "Bron:", "sl": "Vir:"}
FAQ = {
    "en": "How do I register on the new European School Education Platform?",
    "nl": "Hoe kan ik me registreren op het nieuwe platform?",
    "sl": "Kako se registriram na novi platformi?",
}
GROUP_CHECK = {
    "en": "Will my eTwinning group be migrated? I'm the admin of one",
    "nl": "Wordt mijn eTwinning-groep gemigreerd? Ik beheer er een",
    "sl": "Ali bo moja skupina eTwinning prenesena? Sem njen skrbnik",
}
LAST_ACTIVITY = {"en": "15.6.2021", "nl": "15 juni 2021", "sl": "15. junij 2021"}
VAGUE = {"en": "groups", "nl": "groepen", "sl": "prijava"}
HUMAN = {
    "en": "I would like to talk to a real person please",
    "nl": "Ik wil graag met een echte medewerker praten",
    "sl": "Rad bi govoril s pravo osebo, prosim",
}


def say(stack: Stack, sender: str, text: str) -> list[dict[str, Any]]:
    """Send one message to the REST channel; returns the bot's messages."""
    response = httpx.post(
        f"{stack.rasa}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=60
    )
    response.raise_for_status()
    messages: list[dict[str, Any]] = response.json()
    return messages


def texts(messages: list[dict[str, Any]]) -> str:
    return "\n".join(m.get("text", "") for m in messages)


def slot(stack: Stack, sender: str, name: str) -> object:
    tracker = httpx.get(
        f"{stack.rasa}/conversations/{sender}/tracker", params=stack.rasa_auth, timeout=30
    ).json()
    return tracker["slots"].get(name)


@pytest.mark.parametrize("lang", ["en", "nl", "sl"])
def test_conversation_faq_answer_has_source_in_language(stack: Stack, lang: str) -> None:
    sender = f"faq-{lang}-{uuid.uuid4().hex[:6]}"
    reply = texts(say(stack, sender, FAQ[lang]))
    assert SOURCE_LABEL[lang] in reply, reply
    assert slot(stack, sender, "language") == lang


@pytest.mark.parametrize("lang", ["en", "nl", "sl"])
def test_conversation_group_check_asks_date_then_gives_verdict(stack: Stack, lang: str) -> None:
    sender = f"group-{lang}-{uuid.uuid4().hex[:6]}"
    prompt = say(stack, sender, GROUP_CHECK[lang])
    assert prompt and slot(stack, sender, "requested_slot") == "last_activity", texts(prompt)
    verdict = texts(say(stack, sender, LAST_ACTIVITY[lang]))
    assert slot(stack, sender, "last_activity") == "2021-06-15"
    assert "2022" in verdict and slot(stack, sender, "requested_slot") is None, verdict


@pytest.mark.parametrize("lang", ["en", "nl", "sl"])
def test_conversation_bad_date_is_reasked(stack: Stack, lang: str) -> None:
    sender = f"bad-{lang}-{uuid.uuid4().hex[:6]}"
    say(stack, sender, GROUP_CHECK[lang])
    reply = say(stack, sender, "31.02.2021")
    assert "31.02.2021" in texts(reply)
    assert slot(stack, sender, "requested_slot") == "last_activity"


@pytest.mark.parametrize("lang", ["en", "nl", "sl"])
def test_conversation_vague_question_offers_alternatives(stack: Stack, lang: str) -> None:
    sender = f"vague-{lang}-{uuid.uuid4().hex[:6]}"
    say(stack, sender, FAQ[lang])  # sets the conversation language
    reply = say(stack, sender, VAGUE[lang])
    buttons = [b for m in reply for b in m.get("buttons", [])]
    assert len(buttons) >= 2, reply
    chosen = say(stack, sender, buttons[0]["payload"])
    assert SOURCE_LABEL[lang] in texts(chosen)


@pytest.mark.parametrize("lang", ["en", "nl", "sl"])
def test_conversation_handoff_says_hours_and_marks_conversation(stack: Stack, lang: str) -> None:
    sender = f"human-{lang}-{uuid.uuid4().hex[:6]}"
    reply = texts(say(stack, sender, HUMAN[lang]))
    assert "Mon-Fri 9:00-17:00 CET" in reply, reply
    assert slot(stack, sender, "handoff") is True
    waiting = open_handoffs(Settings(database_url=stack.env["NSO_DATABASE_URL"]))
    assert [(h.language, h.reason) for h in waiting if h.conversation_id == sender] == [(lang, "requested")]


def test_conversation_language_switch_on_request(stack: Stack) -> None:
    sender = f"switch-{uuid.uuid4().hex[:6]}"
    say(stack, sender, FAQ["nl"])
    say(stack, sender, "in English please")
    assert slot(stack, sender, "language") == "en"
    say(stack, sender, "v slovenščini prosim")
    assert slot(stack, sender, "language") == "sl"
