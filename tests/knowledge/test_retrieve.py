"""Retrieval on the real encoder and index: languages, variants, notes, alternatives."""

from __future__ import annotations

import datetime as dt

import pytest

from knowledge.loader import UnsupportedLanguageError
from knowledge.retrieve import Retriever

pytestmark = pytest.mark.integration
LATE_2026 = dt.date(2026, 11, 26)


def test_retrieve_nl_contacts_question_uses_flemish_text_and_flags_ec_conflict(retriever: Retriever) -> None:
    answer = retriever.ask("Worden mijn contactpersonen overgezet naar het nieuwe platform?", as_of=LATE_2026)
    assert answer.lang == "nl"
    assert answer.faq_id == "contacts-followers"
    assert answer.status == "answered"
    assert answer.sources[0].document == "nso-flanders-faq-nl"
    assert "niet" in answer.answer
    assert any(s.document == "ec-faq-en" for s in answer.sources[1:])
    assert any(n.startswith("Bronnen spreken elkaar tegen") for n in answer.notes)


def test_retrieve_en_contacts_question_uses_ec_text(retriever: Retriever) -> None:
    answer = retriever.ask("will I keep my contacts on the new platform?", "en", LATE_2026)
    assert answer.faq_id == "contacts-followers"
    assert answer.sources[0].document == "ec-faq-en"
    assert any("Sources disagree" in n for n in answer.notes)


def test_retrieve_nl_question_finds_en_only_topic_and_marks_translation(retriever: Retriever) -> None:
    answer = retriever.ask(
        "Kan ik de pdf met resultaten van de zelfevaluatie in de Toolkit nog bewaren?", as_of=LATE_2026
    )
    assert answer.lang == "nl"
    assert answer.faq_id == "toolkit-self-assessment-pdfs"
    assert answer.sources[0].document == "ec-faq-en"
    assert any(n.startswith("Vertaald uit het Engels") for n in answer.notes)
    assert any(n.startswith("Deze deadline is verstreken") for n in answer.notes)


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [(dt.date(2022, 6, 14), "Deadline still ahead"), (dt.date(2022, 6, 16), "This deadline has passed")],
)
def test_retrieve_deadline_note_depends_on_as_of(retriever: Retriever, as_of: dt.date, expected: str) -> None:
    answer = retriever.compose("seg-courses-migration", "en", as_of=as_of)
    export_notes = [n for n in answer.notes if "15 June 2022" in n]
    assert export_notes and export_notes[0].startswith(expected)


def test_retrieve_late_2026_never_speaks_of_2022_deadlines_as_ahead(retriever: Retriever) -> None:
    for faq_id in retriever.kb.topics:
        for lang in ("en", "nl", "sl"):
            notes = retriever.compose(faq_id, lang, as_of=LATE_2026).notes
            assert not [
                n for n in notes if "still ahead" in n or "nog niet verstreken" in n or "še ni potekel" in n
            ]


def test_retrieve_gibberish_is_not_answered(retriever: Retriever) -> None:
    answer = retriever.ask("qwxz plorf snerg", "en")
    assert answer.status in ("clarify", "fallback")
    assert answer.confidence < retriever.config.answer_threshold


def test_retrieve_returns_three_alternatives_with_lower_confidence(retriever: Retriever) -> None:
    answer = retriever.ask("groups", "en")
    assert len(answer.alternatives) == 3
    assert all(a.confidence <= answer.confidence for a in answer.alternatives)
    assert len({a.faq_id for a in answer.alternatives} | {answer.faq_id}) == 4


def test_retrieve_unknown_language_raises(retriever: Retriever) -> None:
    with pytest.raises(UnsupportedLanguageError, match="supported: en, nl, sl"):
        retriever.ask("hello", "de")


def test_retrieve_search_ranks_by_confidence(retriever: Retriever) -> None:
    lang, hits = retriever.search("EU Login registreren", "nl", k=5)
    assert lang == "nl" and len(hits) == 5
    assert [h.confidence for h in hits] == sorted((h.confidence for h in hits), reverse=True)
    assert hits[0].faq_id == "register-eu-login"
