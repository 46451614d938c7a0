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


def test_document_describes_names_the_two_pre_launch_documents(kb: KnowledgeBase) -> None:
    pre_launch = {doc.id for doc in kb.documents.values() if doc.describes == "pre-launch"}
    assert pre_launch == {"ec-faq-en", "ec-faq-sl"}
    assert all((doc.written_before is not None) == (not doc.current) for doc in kb.documents.values())


@pytest.mark.parametrize("lang", ["en", "nl", "sl"])
def test_variant_for_any_topic_a_current_document_covers_leads_with_it(kb: KnowledgeBase, lang: Lang) -> None:
    for topic in kb.topics.values():
        lead = topic.variant_for(lang)
        assert (lead.id in topic.current) == bool(topic.current), (topic.id, lang, lead.id)


@pytest.mark.parametrize(
    ("lang", "entry"),
    [("en", "ec-en-contacts-followers"), ("nl", "nl-contacts-followers"), ("sl", "ec-en-contacts-followers")],
)
def test_variant_for_follows_the_documents_describes(tmp_path: Path, lang: Lang, entry: str) -> None:
    # The lead is data, not a list of document names: a KB that says the EC FAQ describes the
    # current platform lets it lead in its own language, and first among the translations.
    for path in KB.glob("*.yml"):
        text = path.read_text(encoding="utf-8")
        if path.stem == "ec-faq-en":
            text = text.replace("describes: pre-launch", "describes: current platform")
            text = text.replace("  written_before: ec-en-esep-launch-date#esep_initial_release\n", "")
        (tmp_path / path.name).write_text(text, encoding="utf-8")
    assert load_kb(tmp_path).topic("contacts-followers").variant_for(lang).id == entry
