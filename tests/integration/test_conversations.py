"""Whole conversations through the API's chat route, real Rasa and the real action server (the API).

One scenario per language for each behaviour the assistant promises: a FAQ answer with its
source, a rule check that asks for the missing fact and gives a verdict, a vague question
answered with alternatives, and a request for a person. They go through the API, not straight
to Rasa's REST channel, because the turn decides the language and sets Rasa's slot.
"""

from __future__ import annotations

import pytest

from bench.stack import Stack
from conversation.handoff import open_handoffs
from conversation.opening_hours import default_schedule, describe
from settings import Settings
from tests.integration.factories import Chat, texts

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
VAGUE = {"en": "groups", "nl": "groepen", "sl": "skupine"}
HUMAN = {
    "en": "I would like to talk to a real person please",
    "nl": "Ik wil graag met een echte medewerker praten",
    "sl": "Rad bi govoril s pravo osebo, prosim",
}


@pytest.mark.parametrize("lang", ["en", "nl", "sl"])
def test_conversation_faq_answer_has_source_in_language(stack: Stack, lang: str) -> None:
    chat = Chat(stack)
    reply = texts(chat.say(FAQ[lang]))
    assert SOURCE_LABEL[lang] in reply, reply
    assert chat.slot("language") == lang


@pytest.mark.parametrize("lang", ["en", "nl", "sl"])
def test_conversation_group_check_asks_date_then_gives_verdict(stack: Stack, lang: str) -> None:
    chat = Chat(stack)
    prompt = chat.say(GROUP_CHECK[lang])
    assert prompt and chat.slot("requested_slot") == "last_activity", texts(prompt)
    verdict = texts(chat.say(LAST_ACTIVITY[lang]))
    assert chat.slot("last_activity") == "2021-06-15"
    assert "2022" in verdict and chat.slot("requested_slot") is None, verdict


@pytest.mark.parametrize("lang", ["en", "nl", "sl"])
def test_conversation_bad_date_is_reasked(stack: Stack, lang: str) -> None:
    chat = Chat(stack)
    chat.say(GROUP_CHECK[lang])
    reply = chat.say("31.02.2021")
    assert "31.02.2021" in texts(reply)
    assert chat.slot("requested_slot") == "last_activity"


@pytest.mark.parametrize("lang", ["en", "nl", "sl"])
def test_conversation_vague_question_offers_alternatives(stack: Stack, lang: str) -> None:
    chat = Chat(stack)
    chat.say(FAQ[lang])  # sets the conversation language
    reply = chat.say(VAGUE[lang])
    buttons = [b for m in reply for b in m.get("buttons", [])]
    assert len(buttons) >= 2, reply
    chosen = chat.say(buttons[0]["title"], buttons[0]["payload"])
    assert SOURCE_LABEL[lang] in texts(chosen)


@pytest.mark.parametrize("lang", ["en", "nl", "sl"])
def test_conversation_handoff_says_hours_and_marks_conversation(stack: Stack, lang: str) -> None:
    chat = Chat(stack)
    reply = texts(chat.say(HUMAN[lang]))
    # The default schedule, written in the teacher's language (no English "Mon-Fri" in nl/sl).
    assert describe(default_schedule(Settings()), lang) in reply, reply
    assert lang == "en" or "Mon" not in reply, reply
    waiting = open_handoffs(Settings(database_url=stack.env["NSO_DATABASE_URL"]))
    assert [(h.language, h.reason) for h in waiting if h.conversation_id == chat.conversation_id] == [
        (lang, "requested")
    ]


def test_conversation_language_switch_on_request(stack: Stack) -> None:
    chat = Chat(stack)
    chat.say(FAQ["nl"])
    assert "English" in texts(chat.say("in English please"))
    assert chat.slot("language") == "en"
    chat.say("v slovenščini prosim")
    assert chat.slot("language") == "sl"
    chat.say("Can you answer in Dutch?")  # English words, asks for Dutch: the NLU decides
    assert chat.slot("language") == "nl"
