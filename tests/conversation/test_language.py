"""The turn's language rules (conversation/language.py): payloads, requests, detection, defaults."""

from __future__ import annotations

import pytest

from conversation.language import asked_language, payload_language, turn_language

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ('/change_language{"language": "sl"}', "sl"),
        ('/greet{"language": "nl"}', "nl"),
        ('/change_language{"language": "de"}', None),
        ('/ask_faq{"faq_id": "learning-lab"}', None),
        ("/ask_human", None),
        ("/greet{not json", None),
    ],
)
def test_payload_language_reads_the_language_entity(payload: str, expected: str | None) -> None:
    assert payload_language(payload) == expected


@pytest.mark.parametrize(
    ("text", "payload", "chosen", "current", "expected"),
    [
        ("Ali bo moja skupina prenesena na novo platformo?", None, None, "en", "sl"),
        ("Hoe kan ik me registreren op het nieuwe platform?", None, "en", "en", "nl"),
        ("15.6.2021", None, None, "sl", "sl"),
        ("EU login", None, "nl", "en", "en"),  # ambiguous: the conversation's language, not the picker's
        ("EU login", None, None, "sl", "sl"),  # ambiguous: the conversation's language
        ("ok", None, "en", "nl", "nl"),
        ("Slovenia", None, None, "en", "en"),  # a country's name says nothing about the language
        ("eTwinning", None, "en", "sl", "sl"),
        ("qwerty uiop", None, None, "nl", "nl"),  # keyboard mashing: in no language
        ("hoi", None, "en", "en", "nl"),  # a greeting is short but unmistakable
        ("dober dan", None, "en", "en", "sl"),
        ("nee sorry, mijn partner zit in nederland", None, "en", "en", "nl"),
        ("Slovenščina", '/change_language{"language": "sl"}', None, "en", "sl"),
        ("Learning Lab", '/ask_faq{"faq_id": "learning-lab"}', None, "nl", "nl"),
    ],
)
def test_turn_language_payload_then_detection_then_current(
    text: str, payload: str | None, chosen: str | None, current: str, expected: str
) -> None:
    assert turn_language(text, payload, chosen, current) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(("chosen", "expected"), [("nl", "nl"), (None, "en")])
def test_turn_language_new_conversation_starts_in_the_chosen_language(
    chosen: str | None, expected: str
) -> None:
    assert turn_language("EU login", None, chosen, "en", new=True) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "payload", "expected"),
    [
        ("in English please", None, "en"),
        ("kan het in het Nederlands?", None, "nl"),
        ("lahko v slovenščini?", None, "sl"),
        ("How do I register?", None, None),
        ("English", "/change_language", None),  # a button: its payload decides
    ],
)
def test_asked_language_names_the_language_of_a_typed_request(
    text: str, payload: str | None, expected: str | None
) -> None:
    assert asked_language(text, payload) == expected
