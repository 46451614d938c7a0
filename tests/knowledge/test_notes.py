"""Notes on answers: dates are written per language, the same way verdicts write them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from knowledge.loader import KnowledgeBase, load_kb
from knowledge.notes import notes_for
from knowledge.rules import evaluate
from knowledge.schema import Lang

KB = Path(__file__).resolve().parents[2] / "knowledge" / "kb"
LATE_2026 = dt.date(2026, 11, 26)
pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_kb(KB)


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "en",
            "This deadline has passed: deadline to request an export of courses published on the School Education Gateway, 15 June 2022.",
        ),
        (
            "nl",
            "Deze deadline is verstreken: uiterste datum om een export aan te vragen van cursussen die op de School Education Gateway zijn gepubliceerd, 15 juni 2022.",
        ),
        (
            "sl",
            "Ta rok je potekel: rok za zahtevo za izvoz tečajev, objavljenih na platformi School Education Gateway, 15. 6. 2022.",
        ),
    ],
)
def test_notes_for_passed_deadline_writes_date_in_each_language(
    kb: KnowledgeBase, lang: Lang, expected: str
) -> None:
    assert expected in notes_for(kb, kb.entries["ec-en-seg-courses-migration"], lang, LATE_2026)


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "(FAQ European School Education Platform (eTwinning Vlaanderen), 17 October 2023)"),
        ("nl", "(FAQ European School Education Platform (eTwinning Vlaanderen), 17 oktober 2023)"),
        ("sl", "(FAQ European School Education Platform (eTwinning Vlaanderen), 17. 10. 2023)"),
    ],
)
def test_notes_for_conflict_writes_other_document_date_in_each_language(
    kb: KnowledgeBase, lang: Lang, expected: str
) -> None:
    notes = notes_for(kb, kb.entries["ec-en-profile-migration"], lang, LATE_2026)
    assert any(expected in note for note in notes)


@pytest.mark.parametrize(
    ("lang", "written"), [("en", "15 June 2022"), ("nl", "15 juni 2022"), ("sl", "15. 6. 2022")]
)
def test_notes_for_deadline_date_reads_as_in_the_verdict(kb: KnowledgeBase, lang: Lang, written: str) -> None:
    # 2022-06-15 is both the KB entry's key date and the rule fact seg_courses_export_deadline.
    notes = notes_for(kb, kb.entries["ec-en-seg-courses-migration"], lang, LATE_2026)
    verdict = evaluate("seg_course_migration", {"has_reviews": "no"}, lang=lang, as_of=LATE_2026)
    assert any(written in note for note in notes)
    assert written in verdict.explanation
