"""Answers in time: which answer leads, and the first line of an answer written before the launch."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from knowledge.loader import KnowledgeBase, load_kb
from knowledge.notes import messages
from knowledge.schema import Lang
from knowledge.timeline import intro

KB = Path(__file__).resolve().parents[2] / "knowledge" / "kb"
LATE_2026 = dt.date(2026, 11, 26)
pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_kb(KB)


@pytest.mark.parametrize(
    ("topic", "lang", "entry"),
    [
        # the Flemish FAQ of 2023 describes today's platform: it leads in every language
        ("register-eu-login", "en", "nl-register-eu-login"),
        ("register-eu-login", "sl", "nl-register-eu-login"),
        ("register-eu-login", "nl", "nl-register-eu-login"),
        ("contacts-followers", "en", "nl-contacts-followers"),
        # so does the how-to, in its own language first
        ("further-support", "en", "howto-further-support"),
        # no current document covers it: the official text in the language, else the EC FAQ
        ("seg-courses-migration", "en", "ec-en-seg-courses-migration"),
        ("seg-courses-migration", "nl", "ec-en-seg-courses-migration"),
        ("learning-lab", "sl", "sl-learning-lab"),
    ],
)
def test_variant_for_current_document_leads(kb: KnowledgeBase, topic: str, lang: Lang, entry: str) -> None:
    assert kb.topic(topic).variant_for(lang).id == entry


@pytest.mark.parametrize(
    ("entry", "lang", "line"),
    [
        ("ec-en-seg-courses-migration", "en", "Written before the new platform opened (31 May 2022):"),
        (
            "ec-en-seg-courses-migration",
            "nl",
            "Geschreven vóór de lancering van het nieuwe platform (31 mei 2022):",
        ),
        # the Slovenian FAQ says "v maju 2022": its line gives the month, not a day
        ("sl-learning-lab", "sl", "Napisano pred zagonom nove platforme (v maju 2022):"),
        ("sl-learning-lab", "en", "Written before the new platform opened (in May 2022):"),
    ],
)
def test_intro_pre_launch_answer_says_so_in_the_users_language(
    kb: KnowledgeBase, entry: str, lang: Lang, line: str
) -> None:
    first = intro(kb, kb.entries[entry], lang, LATE_2026, messages()["notes"])
    assert first is not None and first.startswith(line)


def test_intro_before_the_launch_or_from_a_current_document_is_none(kb: KnowledgeBase) -> None:
    texts = messages()["notes"]
    assert intro(kb, kb.entries["ec-en-seg-courses-migration"], "en", dt.date(2022, 5, 30), texts) is None
    assert intro(kb, kb.entries["ec-en-seg-courses-migration"], "en", dt.date(2022, 5, 31), texts) is not None
    # "v maju 2022": may or may not have happened before the month is over
    assert intro(kb, kb.entries["sl-learning-lab"], "sl", dt.date(2022, 5, 20), texts) is None
    assert intro(kb, kb.entries["nl-register-eu-login"], "nl", LATE_2026, texts) is None
    assert intro(kb, kb.entries["howto-further-support"], "en", LATE_2026, texts) is None
