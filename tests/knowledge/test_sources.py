"""Source lines: one per distinct document, linked when it has a link, dates in the reply's language."""

from __future__ import annotations

import datetime as dt

import pytest

from knowledge.retrieve import Source
from knowledge.rules.schema import Source as RuleSource
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
