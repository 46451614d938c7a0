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


def test_retrieve_en_contacts_question_leads_with_the_2023_answer(retriever: Retriever) -> None:
    # The Flemish FAQ of 2023 describes today's platform; the EC FAQ was written before the launch.
    answer = retriever.ask("will I keep my contacts on the new platform?", "en", LATE_2026)
    assert answer.faq_id == "contacts-followers"
    assert answer.sources[0].document == "nso-flanders-faq-nl"
    assert any(s.entry == "ec-en-contacts-followers" for s in answer.sources[1:])
    assert any("Sources disagree" in n for n in answer.notes)
    assert answer.intro is None


@pytest.mark.parametrize("lang", ["en", "sl"])
def test_retrieve_register_question_leads_with_the_current_answer(retriever: Retriever, lang: str) -> None:
    answer = retriever.compose("register-eu-login", lang, as_of=LATE_2026)  # type: ignore[arg-type]
    assert answer.sources[0].entry == "nl-register-eu-login"
    earlier = "ec-en-register-eu-login" if lang == "en" else "sl-register-eu-login"
    assert earlier in {s.entry for s in answer.sources}


CONFLICT_NOTE = {
    "en": "Sources disagree: ",
    "nl": "Bronnen spreken elkaar tegen: ",
    "sl": "Viri si nasprotujejo: ",
}


@pytest.mark.parametrize("lang", ["en", "nl", "sl"])
def test_retrieve_current_answer_leads_and_the_older_one_is_cited_with_its_note(
    retriever: Retriever, lang: str
) -> None:
    kb = retriever.kb
    shared = [t for t in kb.topics.values() if t.current and len(t.current) < len(t.entries)]
    assert len(shared) >= 15
    for topic in shared:
        answer = retriever.compose(topic.id, lang, as_of=LATE_2026)  # type: ignore[arg-type]
        lead = kb.entries[answer.sources[0].entry]
        assert kb.document_of(lead).current and answer.intro is None, (topic.id, lang)
        cited = {s.entry for s in answer.sources}
        older = [e for e in topic.entries if e.id not in topic.current]
        # the pre-launch answer in the asked language stays one click away, among the sources
        assert {e.id for e in older if e.answer[lang].translated_from is None} <= cited, (topic.id, lang)
        # and where it says otherwise, its disagreement is the answer's note
        if any(e.id in c.targets for c in lead.conflicts_with for e in older):
            assert any(n.startswith(CONFLICT_NOTE[lang]) for n in answer.notes), (topic.id, lang)


@pytest.mark.parametrize(
    ("lang", "first_line"),
    [
        ("en", "Written before the new platform opened (31 May 2022): "),
        ("nl", "Geschreven vóór de lancering van het nieuwe platform (31 mei 2022): "),
        ("sl", "Napisano pred zagonom nove platforme (31. 5. 2022): "),
    ],
)
def test_retrieve_pre_launch_answer_starts_with_one_line_saying_so(
    retriever: Retriever, lang: str, first_line: str
) -> None:
    answer = retriever.compose("seg-courses-migration", lang, as_of=LATE_2026)  # type: ignore[arg-type]
    assert answer.intro is not None and answer.intro.startswith(first_line)
    assert answer.answer.startswith(answer.intro + "\n\n")
    assert "\n" not in answer.intro
    assert retriever.compose("seg-courses-migration", lang, as_of=dt.date(2022, 5, 1)).intro is None  # type: ignore[arg-type]


def test_retrieve_every_answer_written_before_the_launch_says_so(retriever: Retriever) -> None:
    for faq_id, topic in retriever.kb.topics.items():
        for lang in ("en", "nl", "sl"):
            answer = retriever.compose(faq_id, lang, as_of=LATE_2026)
            entry = topic.variant_for(lang)
            pre_launch = retriever.kb.document_of(entry).describes == "pre-launch"
            assert (answer.intro is not None) == pre_launch, (faq_id, lang)


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


def _disagreement_topics() -> list[tuple[str, str]]:
    from pathlib import Path

    from knowledge.conflicts import disagreements
    from knowledge.loader import load_kb

    kb = load_kb(Path(__file__).resolve().parents[2] / "knowledge" / "kb")
    return [(d.id, topic) for d in disagreements(kb) for topic in d.topics]


@pytest.mark.parametrize(("disagreement", "topic"), _disagreement_topics())
def test_retrieve_answer_carries_the_note_of_each_disagreement_in_every_language(
    retriever: Retriever, disagreement: str, topic: str
) -> None:
    from knowledge.conflicts import disagreements

    (found,) = [d for d in disagreements(retriever.kb) if d.id == disagreement]
    for lang in ("en", "nl", "sl"):
        answer = retriever.compose(topic, lang, as_of=LATE_2026)
        assert [n for n in answer.notes if found.differs.get(lang) in n], (lang, answer.notes)


@pytest.mark.parametrize(
    ("question", "lang", "faq_id", "words"),
    [
        ("what happened to the partner finding forum?", "en", "partner-finding-forum", "reinstated"),
        (
            "kaj se je zgodilo s forumom za iskanje partnerjev?",
            "sl",
            "partner-finding-forum",
            "spet na voljo",
        ),
        (
            "kdaj bodo skupine eTwinning prenesene na novo platformo?",
            "sl",
            "groups-migration",
            "spomladi 2023",
        ),
        (
            "how do I apply for the National Quality Label during the migration?",
            "en",
            "nql-application",
            "My Projects",
        ),
    ],
)
def test_retrieve_question_in_any_language_learns_the_newer_source_disagrees(
    retriever: Retriever, question: str, lang: str, faq_id: str, words: str
) -> None:
    answer = retriever.ask(question, lang, LATE_2026)
    assert answer.faq_id == faq_id
    assert any(words in n for n in answer.notes), answer.notes


def test_retrieve_nl_further_support_gives_the_flemish_contact(retriever: Retriever) -> None:
    answer = retriever.compose("further-support", "nl", as_of=LATE_2026)
    assert answer.sources[0].entry == "nl-further-support"
    assert "eTwinning@epos-vlaanderen.be" in answer.answer
    assert "Central Support Service" in answer.answer
