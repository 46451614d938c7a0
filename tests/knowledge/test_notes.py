"""Notes on answers: dates are written per language, the same way verdicts write them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from knowledge.loader import KnowledgeBase, load_kb
from knowledge.notes import conflict_notes, linked_entries, notes_for
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
        ("en", "Sources disagree: Flemish NSO FAQ (17 October 2023), registration Q5: "),
        ("nl", "Bronnen spreken elkaar tegen: Vlaamse NSO-FAQ (17 oktober 2023), registratie vraag 5: "),
        ("sl", "Viri si nasprotujejo: Flamska vprašanja NSO (17. 10. 2023), registracija, 5. vpr.: "),
    ],
)
def test_notes_for_conflict_names_both_sources_with_dates_in_each_language(
    kb: KnowledgeBase, lang: Lang, expected: str
) -> None:
    notes = notes_for(kb, kb.entries["ec-en-profile-migration"], lang, LATE_2026)
    assert any(note.startswith(expected) and "(2022)" in note for note in notes), notes


def test_notes_for_major_disagreement_comes_first_and_minor_one_last(kb: KnowledgeBase) -> None:
    # ec-en-content-migrated: TwinSpaces (high) and 21.2 vs 22.2 (low), plus cut-off dates.
    notes = notes_for(kb, kb.entries["ec-en-content-migrated"], "nl", LATE_2026)
    assert "TwinSpaces" in notes[0] and "niet gemigreerd" in notes[0]
    assert notes[1].startswith("Vertaald uit het Engels")
    assert "21.2.2022" in notes[-1] and "22.2.2022" in notes[-1]


@pytest.mark.parametrize("lang", ["en", "nl", "sl"])
def test_conflict_notes_are_one_short_line_each(kb: KnowledgeBase, lang: Lang) -> None:
    for entry in kb.entries.values():
        for note in conflict_notes(kb, entry, lang):
            assert "\n" not in note.text
            assert len(note.text) <= 260, note.text


def test_conflict_notes_one_per_disagreement_even_with_several_links(kb: KnowledgeBase) -> None:
    notes = conflict_notes(kb, kb.entries["nl-twinspace-content"], "nl")
    assert [n.id for n in notes] == ["twinspaces-not-migrated", "old-projects-kept"]
    assert [n.severity for n in notes] == ["high", "low"]


@pytest.mark.parametrize(
    ("lang", "other"),
    [
        ("en", "howto-project-idea-posting"),
        ("nl", "nl-partner-finding-forum"),
        ("sl", "nl-partner-finding-forum"),
    ],
)
def test_conflict_notes_details_link_prefers_an_entry_in_the_asked_language(
    kb: KnowledgeBase, lang: Lang, other: str
) -> None:
    (note,) = conflict_notes(kb, kb.entries["ec-en-partner-finding-forum"], lang)
    assert note.other_entry == other


def test_linked_entries_lists_each_other_side_once(kb: KnowledgeBase) -> None:
    linked = [e.id for e in linked_entries(kb, kb.entries["sl-nql-application"], "sl")]
    assert linked == ["howto-apply-national-quality-label", "ec-en-nql-application"]


@pytest.mark.parametrize(
    ("lang", "written"), [("en", "15 June 2022"), ("nl", "15 juni 2022"), ("sl", "15. 6. 2022")]
)
def test_notes_for_deadline_date_reads_as_in_the_verdict(kb: KnowledgeBase, lang: Lang, written: str) -> None:
    # 2022-06-15 is both the KB entry's key date and the rule fact seg_courses_export_deadline.
    notes = notes_for(kb, kb.entries["ec-en-seg-courses-migration"], lang, LATE_2026)
    verdict = evaluate("seg_course_migration", {"has_reviews": "no"}, lang=lang, as_of=LATE_2026)
    assert any(written in note for note in notes)
    assert written in verdict.explanation


@pytest.mark.parametrize(
    ("entry", "lang", "shown", "never"),
    [
        # "v maju 2022": a month, never "1 May 2022"
        ("sl-esep-launch-date", "en", "in May 2022", "1 May"),
        ("sl-esep-launch-date", "sl", "v maju 2022", "1. 5."),
        # "tot 30/9" in a document of October 2023: no year is invented
        ("nl-twinspace-content", "nl", "tot 30 september.", "2022"),
        ("nl-twinspace-content", "en", "until 30 September.", "2022"),
        # "before July 2022" and "By July 2022": the month, never "1 July" or "30 June"
        ("ec-en-toolkit-self-assessment-pdfs", "en", "before July 2022", "1 July"),
        ("ec-en-project-planning-2022", "en", "by July 2022", "1 July"),
        ("sl-project-planning-2022", "sl", "do julija 2022", "1. 7."),
        # "voorjaar 2023": a season, never "1 maart 2023"
        ("nl-groups-migration", "nl", "in het voorjaar van 2023", "maart"),
        ("ec-en-seg-badges-certificates", "en", "until the second semester of 2022", "1 July"),
    ],
)
def test_notes_write_each_date_at_its_own_precision(
    kb: KnowledgeBase, entry: str, lang: Lang, shown: str, never: str
) -> None:
    notes = [n for n in notes_for(kb, kb.entries[entry], lang, LATE_2026) if shown in n]
    assert notes, notes_for(kb, kb.entries[entry], lang, LATE_2026)
    assert not any(never in n for n in notes)


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (dt.date(2022, 6, 30), "Deadline still ahead"),
        (dt.date(2022, 7, 1), "This deadline may have passed"),
        (dt.date(2022, 12, 31), "This deadline may have passed"),
        (dt.date(2023, 1, 1), "This deadline has passed"),
    ],
)
def test_notes_deadline_known_to_the_semester_is_uncertain_inside_it(
    kb: KnowledgeBase, as_of: dt.date, expected: str
) -> None:
    notes = notes_for(kb, kb.entries["ec-en-seg-badges-certificates"], "en", as_of)
    assert any(n.startswith(expected) and "second semester of 2022" in n for n in notes), notes


@pytest.mark.parametrize("lang", ["en", "nl", "sl"])
def test_notes_late_2026_no_date_is_uncertain_any_more(kb: KnowledgeBase, lang: Lang) -> None:
    for entry in kb.entries.values():
        for note in notes_for(kb, entry, lang, LATE_2026):
            assert "may have" not in note and "mogelijk al" not in note and "morda že" not in note
