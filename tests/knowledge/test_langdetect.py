"""The language of a message, and the messages that cannot tell it (knowledge/langdetect.py)."""

from __future__ import annotations

import pytest

from knowledge.langdetect import detect, requested_language, small_talk_language

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    "text",
    ["ok", "Slovenia", "eTwinning", "EU Login", "qwerty uiop", "zxcv bnm lkj", "asdf ghjk", "15 juni 2021", "no, it was 2020", "Belgium and Slovenia", "ne vem"],
)  # fmt: skip
@pytest.mark.parametrize("current", ["en", "nl", "sl"])
def test_detect_short_or_ambiguous_message_keeps_the_language(text: str, current: str) -> None:
    assert detect(text, default=current) == current  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("hoi", "nl"),
        ("dober dan", "sl"),
        ("hvala!", "sl"),
        ("bedankt", "nl"),
        ("thanks a lot", "en"),
        ("How do I register on the new platform?", "en"),
        ("Hoe kan ik me registreren op het nieuwe platform?", "nl"),
        ("Kako se registriram na novi platformi?", "sl"),
        ("nee sorry, mijn partner zit in nederland", "nl"),
    ],
)
def test_detect_greeting_or_clear_sentence_decides(text: str, lang: str) -> None:
    assert detect(text, default="en" if lang != "en" else "sl") == lang


def test_small_talk_language_needs_the_greeting_to_be_the_message() -> None:
    assert small_talk_language("hoi") == "nl"
    assert small_talk_language("hi, how do I register on the new platform and what about my groups") is None


@pytest.mark.parametrize(
    ("text", "lang"),
    [("in English please", "en"), ("v slovenščini prosim", "sl"), ("How do I register?", None)],
)
def test_requested_language_names_the_language(text: str, lang: str | None) -> None:
    assert requested_language(text) == lang
