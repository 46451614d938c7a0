"""knowledge.formatting: dates, numbers and lists as each language writes them (CLDR via Babel)."""

from __future__ import annotations

import datetime as dt

import pytest

from knowledge.formatting import format_day, format_list, format_month, format_number, format_when
from knowledge.periods import Relation, parse_period
from knowledge.schema import Lang

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("lang", "day", "expected"),
    [
        ("en", dt.date(2022, 6, 15), "15 June 2022"),
        ("nl", dt.date(2022, 6, 15), "15 juni 2022"),
        ("sl", dt.date(2022, 6, 15), "15. 6. 2022"),
        ("en", dt.date(2021, 1, 1), "1 January 2021"),
        ("nl", dt.date(2022, 3, 13), "13 maart 2022"),
        ("sl", dt.date(2022, 9, 30), "30. 9. 2022"),
    ],
)
def test_format_day_each_language_writes_its_own_form(lang: Lang, day: dt.date, expected: str) -> None:
    assert format_day(day, lang) == expected


@pytest.mark.parametrize("month", range(1, 13))
def test_format_day_sl_has_no_month_name_to_decline(month: int) -> None:
    # After "do" Slovenian needs "junija", after "pred" "junijem", after "po" "juniju": a number fits all.
    assert format_day(dt.date(2022, month, 5), "sl") == f"5. {month}. 2022"


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("en", "May 2022"), ("nl", "mei 2022"), ("sl", "maj 2022")],
)
def test_format_month_each_language_writes_month_and_year(lang: Lang, expected: str) -> None:
    assert format_month(2022, 5, lang) == expected


@pytest.mark.parametrize(
    ("month", "expected"),
    [(3, "marec 2022"), (6, "junij 2022"), (9, "september 2022"), (12, "december 2022")],
)
def test_format_month_sl_month_alone_is_nominative(month: int, expected: str) -> None:
    assert format_month(2022, month, "sl") == expected


def test_format_month_month_13_raises_value_error() -> None:
    with pytest.raises(ValueError, match="month"):
        format_month(2022, 13, "en")


@pytest.mark.parametrize(
    ("lang", "value", "expected"),
    [
        ("en", 3.0, "3"),
        ("nl", 3, "3"),
        ("en", 2.5, "2.5"),
        ("nl", 2.5, "2,5"),
        ("sl", 2.5, "2,5"),
        ("en", 1500, "1,500"),
        ("nl", 1500, "1.500"),
        ("sl", 1500, "1.500"),
    ],
)
def test_format_number_each_language_uses_its_separators(lang: Lang, value: float, expected: str) -> None:
    assert format_number(value, lang) == expected


@pytest.mark.parametrize(
    ("lang", "items", "expected"),
    [
        ("en", ["Belgium", "France", "Spain"], "Belgium, France and Spain"),
        ("nl", ["België", "Frankrijk", "Spanje"], "België, Frankrijk en Spanje"),
        ("sl", ["Belgija", "Francija", "Španija"], "Belgija, Francija in Španija"),
        ("en", ["Belgium", "Slovenia"], "Belgium and Slovenia"),
        ("sl", ["Belgija"], "Belgija"),
        ("nl", [], ""),
    ],
)
def test_format_list_each_language_joins_with_its_and(lang: Lang, items: list[str], expected: str) -> None:
    assert format_list(items, lang) == expected


@pytest.mark.parametrize(
    ("notation", "relation", "expected"),
    [
        ("2022-06-15", "in", {"en": "15 June 2022", "nl": "15 juni 2022", "sl": "15. 6. 2022"}),
        ("2022-05", "in", {"en": "in May 2022", "nl": "in mei 2022", "sl": "v maju 2022"}),
        ("2022-07", "before", {"en": "before July 2022", "nl": "vóór juli 2022", "sl": "pred julijem 2022"}),
        ("2022-07", "by", {"en": "by July 2022", "nl": "tegen juli 2022", "sl": "do julija 2022"}),
        ("2022-08", "after", {"en": "after August 2022", "nl": "na augustus 2022", "sl": "po avgustu 2022"}),
        (
            "2022-H2",
            "in",
            {
                "en": "in the second semester of 2022",
                "nl": "in het tweede semester van 2022",
                "sl": "v drugem polletju leta 2022",
            },
        ),
        (
            "2022-H2",
            "until",
            {
                "en": "until the second semester of 2022",
                "nl": "tot het tweede semester van 2022",
                "sl": "do drugega polletja leta 2022",
            },
        ),
        (
            "2023-spring",
            "in",
            {"en": "in spring 2023", "nl": "in het voorjaar van 2023", "sl": "spomladi 2023"},
        ),
        ("2023-end", "in", {"en": "at the end of 2023", "nl": "eind 2023", "sl": "konec leta 2023"}),
        ("2022", "in", {"en": "in 2022", "nl": "in 2022", "sl": "leta 2022"}),
        ("--09-30", "until", {"en": "until 30 September", "nl": "tot 30 september", "sl": "do 30. 9."}),
        ("--05-15", "in", {"en": "15 May", "nl": "15 mei", "sl": "15. 5."}),
    ],
)
@pytest.mark.parametrize("lang", ["en", "nl", "sl"])
def test_format_when_writes_the_date_at_its_own_precision(
    notation: str, relation: Relation, expected: dict[str, str], lang: Lang
) -> None:
    assert format_when(parse_period(notation), relation, lang) == expected[lang]


@pytest.mark.parametrize("relation", ["in", "before", "until", "by", "after"])
@pytest.mark.parametrize(
    "notation",
    [
        "2022-06-15",
        "--06-15",
        "2022-06",
        "2022-H1",
        "2022-H2",
        "2023-spring",
        "2023-summer",
        "2023-autumn",
        "2023-end",
        "2022",
    ],
)
@pytest.mark.parametrize("lang", ["en", "nl", "sl"])
def test_format_when_has_a_phrase_for_every_relation_and_precision(
    notation: str, relation: Relation, lang: Lang
) -> None:
    text = format_when(parse_period(notation), relation, lang)
    assert text and "{" not in text
