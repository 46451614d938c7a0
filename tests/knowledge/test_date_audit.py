"""knowledge.date_audit: dates read out of text at the precision their words give, and no date in
the knowledge base or the rules more precise than its source."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.date_audit import read_dates
from knowledge.formatting import format_when
from knowledge.loader import load_kb
from knowledge.periods import parse_period
from knowledge.rules.loader import load_rulebook
from knowledge.schema import LANGS, Lang

KB = Path(__file__).resolve().parents[2] / "knowledge" / "kb"
pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("lang", "text", "notation"),
    [
        ("en", "will be released on 31 May 2022.", "2022-05-31"),
        ("en", "between 1 January 2021 and", "2021-01-01"),
        ("en", "read-only on 13.3.2022.", "2022-03-13"),
        ("en", "created before 1.7. 2018: they", "2018-07-01"),
        ("en", "latest by 15 May.", "--05-15"),
        ("en", "before July 2022.", "2022-07"),
        ("en", "until the second semester 2022", "2022-H2"),
        ("en", "during the second half of 2022", "2022-H2"),
        ("en", "at the end of 2023", "2023-end"),
        ("en", "In 2022, the platform merged", "2022"),
        ("nl", "tot 30/9 een aanvraag", "--09-30"),
        ("nl", "voorjaar 2023 toegankelijk", "2023-spring"),
        ("nl", "tot het tweede semester van 2022", "2022-H2"),
        ("nl", "wij verwachten eind 2023", "2023-end"),
        ("nl", "tussen 1 januari 2021 en", "2021-01-01"),
        ("sl", "bo objavljena v maju 2022.", "2022-05"),
        ("sl", "do julija 2022", "2022-07"),
        ("sl", "po avgustu 2022", "2022-08"),
        ("sl", "z drugim polletjem leta 2022", "2022-H2"),
        ("sl", "do drugega polletja 2022", "2022-H2"),
        ("sl", "Rok je 31. 5. 2022.", "2022-05-31"),
        ("sl", "do 15. 5. obrnejo", "--05-15"),
    ],
)
def test_read_dates_finds_the_date_at_the_precision_of_its_words(
    lang: Lang, text: str, notation: str
) -> None:
    found = read_dates(text, lang)
    assert [str(w.period) for w in found] == [notation]


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "the school year 2018/2019"),
        ("en", "For example 3 or 2.5."),
        ("en", "you may create a new project"),
        ("sl", "v šolskem letu 2021/2022"),
    ],
)
def test_read_dates_ignores_school_years_and_numbers(lang: Lang, text: str) -> None:
    assert read_dates(text, lang) == []


def test_every_kb_key_date_is_shown_exactly_as_precisely_as_its_source() -> None:
    # Written in any language and read back, each date is the period its source's words name.
    kb = load_kb(KB)
    for entry in kb.entries.values():
        for key_date in entry.dates:
            for lang in LANGS:
                shown = format_when(key_date.period, key_date.relation, lang)
                assert [w.period for w in read_dates(shown, lang)] == [key_date.period], (entry.id, shown)


def test_every_rule_date_is_shown_exactly_as_precisely_as_its_kb_key_date() -> None:
    book = load_rulebook()
    assert book.key_dates, "the rules' dated facts resolve to KB key dates"
    for fact_id, key_date in book.key_dates.items():
        for lang in LANGS:
            shown = book.when(fact_id, lang)
            assert [w.period for w in read_dates(shown, lang)] == [key_date.period], (fact_id, shown)


def test_no_rule_fact_restates_a_date() -> None:
    book = load_rulebook()
    for fact_id, fact in book.facts.items():
        assert fact.kind == "threshold" or fact.value is None, fact_id


@pytest.mark.parametrize(
    ("entry", "date_id", "notation", "source_words"),
    [
        ("sl-esep-launch-date", "esep_initial_release", "2022-05", "v maju 2022"),
        ("nl-twinspace-content", "twinspace_migration_request_deadline", "--09-30", "tot 30/9"),
        ("ec-en-project-planning-2022", "project_activities_end", "2022-07", "by July 2022"),
        ("nl-groups-migration", "groups_migrated_accessible", "2023-spring", "voorjaar 2023"),
        (
            "ec-en-toolkit-self-assessment-pdfs",
            "toolkit_result_pdfs_download_deadline",
            "2022-07",
            "before July 2022",
        ),
        (
            "ec-en-seg-mobility-listings",
            "seg_listings_available_until",
            "2022-H2",
            "until the second semester 2022",
        ),
    ],
)
def test_kb_key_dates_the_audit_found_too_precise_now_match_their_words(
    entry: str, date_id: str, notation: str, source_words: str
) -> None:
    key_date = next(d for d in load_kb(KB).entries[entry].dates if d.id == date_id)
    assert key_date.period == parse_period(notation)
    assert key_date.says == source_words
