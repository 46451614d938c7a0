"""Source lines: one per distinct document, linked when it has a link, dates in the reply's language."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from knowledge.retrieve import Retriever, Source
from knowledge.rules.schema import Source as RuleSource
from knowledge.schema import Lang
from knowledge.sources import answer_source_lines, verdict_source_lines

pytestmark = pytest.mark.unit

EC = "European School Education Platform: migration questions and answers"
FLEMISH = "FAQ European School Education Platform (eTwinning Vlaanderen)"


def answer_sources() -> list[Source]:
    return [
        Source(
            "ec-faq-en", EC, "2022, before the launch", "https://school-education.ec.europa.eu", "Q 3", "a"
        ),
        Source("nso-flanders-faq-nl", FLEMISH, "2023-10-17", None, "Groepen", "b"),
        Source(
            "ec-faq-en", EC, "2022, before the launch", "https://school-education.ec.europa.eu", "Q 7", "c"
        ),
    ]


@pytest.mark.parametrize(
    ("lang", "flemish"),
    [
        ("en", f"{FLEMISH} (17 October 2023), Groepen"),
        ("nl", f"{FLEMISH} (17 oktober 2023), Groepen"),
        ("sl", f"{FLEMISH} (17. 10. 2023), Groepen"),
    ],
)
def test_answer_source_lines_one_per_document_linked(lang: str, flemish: str) -> None:
    lines = answer_source_lines(answer_sources(), lang)  # type: ignore[arg-type]
    assert lines == [
        f"{EC} (2022, before the launch), Q 3; Q 7: https://school-education.ec.europa.eu",
        flemish,
    ]


def test_verdict_source_lines_one_per_document_in_language() -> None:
    def fact(entry: str, document: str, url: str | None) -> RuleSource:
        title = EC if document == "ec-faq-en" else FLEMISH
        date = None if document == "ec-faq-en" else dt.date(2023, 10, 17)
        return RuleSource(
            entry=entry, document=document, title=title, publisher="European Commission", date=date, url=url
        )

    sources = [
        fact("ec-en-a", "ec-faq-en", "https://school-education.ec.europa.eu"),
        fact("nl-b", "nso-flanders-faq-nl", None),
        fact("ec-en-c", "ec-faq-en", "https://school-education.ec.europa.eu"),
    ]
    assert verdict_source_lines(sources, "nl") == [
        f"{EC} (European Commission): https://school-education.ec.europa.eu",
        f"{FLEMISH} (17 oktober 2023)",
    ]


@pytest.mark.parametrize("lang", ["en", "nl", "sl"])
def test_verdict_source_lines_real_rule_each_document_once_with_its_link(lang: str) -> None:
    from knowledge.rules import evaluate

    verdict = evaluate("contacts_migration", {}, lang=lang, as_of=dt.date(2026, 12, 5))
    documents = {s.document for s in verdict.sources}
    lines = verdict_source_lines(verdict.sources, lang)
    assert "ec-faq-en" in documents and len(lines) == len(documents) >= 2
    assert any(line.endswith(": https://school-education.ec.europa.eu") for line in lines)


PLATFORM = "https://school-education.ec.europa.eu"


def test_kb_documents_carry_the_link_their_source_text_gives_and_no_other() -> None:
    from knowledge.loader import load_kb
    from knowledge.validate import SEEDS_DIR

    kb = load_kb(Path(__file__).resolve().parents[2] / "knowledge" / "kb")
    urls = {doc.id: doc.url for doc in kb.documents.values()}
    # Three texts give the platform's address ("school-education.ec.europa.eu"); the how-to and
    # the overview give none, so their lines carry no link.
    assert urls == {
        "ec-faq-en": PLATFORM,
        "ec-faq-sl": PLATFORM,
        "nso-flanders-faq-nl": PLATFORM,
        "etwinning-howto-en": None,
        "esep-overview-en": None,
    }
    for doc in kb.documents.values():
        if doc.url and SEEDS_DIR.is_dir():
            assert doc.url.removeprefix("https://") in (SEEDS_DIR / doc.seed).read_text(encoding="utf-8")


@pytest.mark.integration
@pytest.mark.parametrize("lang", ["en", "nl", "sl"])
def test_answer_source_lines_real_answers_one_line_per_document_linked_where_given(
    retriever: Retriever, lang: Lang
) -> None:
    for faq_id in ("contacts-followers", "further-support", "register-eu-login"):
        answer = retriever.compose(faq_id, lang)
        lines = answer_source_lines(answer.sources, lang)
        documents = list(dict.fromkeys(s.document for s in answer.sources))
        assert len(lines) == len(documents) >= (2 if faq_id == "contacts-followers" else 1), lines
        for document, line in zip(documents, lines, strict=True):
            url = retriever.kb.documents[document].url
            assert line.startswith(retriever.kb.documents[document].title)
            assert line.endswith(f": {url}") if url else "http" not in line, (faq_id, line)
