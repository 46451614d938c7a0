"""Reading a rule's inputs from chat messages (knowledge/rules/answers.py) and writing them back
(knowledge/rules/wording.py), in EN/NL/SL."""

from __future__ import annotations

import datetime as dt

import pytest

from knowledge.rules.answers import input_spec, read_answer, read_facts
from knowledge.rules.message_kinds import asks_for_check, is_general_question, yes_or_no
from knowledge.rules.wording import describe_value, example_text

pytestmark = pytest.mark.unit
AS_OF = dt.date(2026, 11, 26)


@pytest.mark.parametrize(
    ("rule", "text", "lang", "requested", "expected"),
    [
        # dates inside sentences, in each language's common formats
        ("group_migration", "our group had a post on 10.5.2021, will it be migrated?", "en", None, {"last_activity": "2021-05-10"}),
        ("group_migration", "the last post was on 3.3.2021 i think", "en", "last_activity", {"last_activity": "2021-03-03"}),
        ("group_migration", "3rd March 2021", "en", "last_activity", {"last_activity": "2021-03-03"}),
        ("group_migration", "March 3, 2021", "en", "last_activity", {"last_activity": "2021-03-03"}),
        ("group_migration", "2021-06-15", "en", "last_activity", {"last_activity": "2021-06-15"}),
        ("group_migration", "zadnja objava je bila 15. 6. 2021", "sl", "last_activity", {"last_activity": "2021-06-15"}),
        ("group_migration", "onze groep was actief tot maart 2021", "nl", None, {"last_activity": "2021-03"}),
        # at the precision given: a month stays a month, a year a year
        ("group_migration", "february 2022", "en", "last_activity", {"last_activity": "2022-02"}),
        ("group_migration", "v skupini smo nazadnje objavili junija 2021", "sl", None, {"last_activity": "2021-06"}),
        ("group_migration", "no, it was 2020", "en", None, {"last_activity": "2020"}),
        ("group_migration", "in the 2020/21 school year", "en", "last_activity", {"last_activity": "2020/2021"}),
        ("group_migration", "end of 2021", "en", "last_activity", {"last_activity": "2021-end"}),
        ("group_migration", "zomer 2021", "nl", "last_activity", {"last_activity": "2021-summer"}),
        # countries by name (any Slovenian case) or code, tied to founder or co-founder by the words near them
        ("national_quality_label", "both founders are in Belgium, can we get a national quality label?", "en", None, {"founder_country": "BE", "cofounder_country": "BE"}),
        ("national_quality_label", "nee sorry, mijn partner zit in nederland", "nl", None, {"cofounder_country": "NL"}),
        ("national_quality_label", "jaz sem iz Slovenije, partnerica pa iz Hrvaške", "sl", None, {"founder_country": "SI", "cofounder_country": "HR"}),
        ("national_quality_label", "oba sva v Belgiji", "sl", None, {"founder_country": "BE", "cofounder_country": "BE"}),
        ("national_quality_label", "BE", "en", "cofounder_country", {"cofounder_country": "BE"}),
        ("national_quality_label", "I'm in Slovenia and my partner is in Croatia, it's our 2nd submission", "en", None, {"founder_country": "SI", "cofounder_country": "HR", "submission_number": 2}),
        ("european_quality_label", "v Sloveniji in na Hrvaškem", "sl", "nql_countries", {"nql_countries": ["SI", "HR"]}),
        ("european_quality_label", "BE, SI", "en", "nql_countries", {"nql_countries": ["BE", "SI"]}),
        # numbers as digits or words, tied by the noun after them; "since 2019" counts the years
        ("school_label", "we have 3 active teachers and one NQL, registered for 4 years", "en", None, {"active_teachers": 3, "european_nql_count": 1, "years_registered": 4}),
        ("school_label", "we zijn met vijf leerkrachten en hebben 2 labels, sinds 2019 geregistreerd", "nl", None, {"years_registered": 7, "active_teachers": 5, "european_nql_count": 2}),
        ("school_label", "imamo 4 učitelje, registrirani smo od leta 2020", "sl", None, {"years_registered": 6, "active_teachers": 4}),
        ("school_label", "two and a half", "en", "years_registered", {"years_registered": 2.5}),
        # yes/no by phrase anywhere, or as the answer to a yes/no question
        ("project_reopen", "our project closed on 31.7.2022, it is a multiannual Erasmus+ project", "en", None, {"closed_on": "2022-07-31", "multiannual": True}),
        ("project_reopen", "it was planned for one school year only", "en", "multiannual", {"multiannual": False}),
        ("project_reopen", "nee", "nl", "multiannual", {"multiannual": False}),
        ("profile_migration", "I used a different email for EU Login", "en", None, {"same_email": False}),
        # several dates told apart by the words near them
        ("quality_label_migration", "project created in 2017, label awarded in 2019", "en", None, {"project_registered": "2017", "label_awarded": "2019"}),
        ("mailbox_migration", "I'm a teacher", "en", "role", {"role": "teacher"}),
        # nothing to read
        ("mailbox_migration", "what happens to my mailbox messages?", "en", None, {}),
        ("group_migration", "pa moj twinspace?", "sl", "last_activity", {}),
        ("group_migration", "i don't know the date", "en", "last_activity", {}),
        ("national_quality_label", "can our project get a national quality label? it is for 2 schools", "en", None, {}),
    ],
)  # fmt: skip
def test_read_facts_finds_every_input_the_message_gives(
    rule: str, text: str, lang: str, requested: str | None, expected: dict[str, object]
) -> None:
    assert read_facts(rule, text, lang=lang, as_of=AS_OF, requested=requested).values == expected


@pytest.mark.parametrize(
    ("text", "lang", "value", "doubt"),
    [
        ("vorig jaar in mei", "nl", "2025-05", "after_platform"),
        ("lani maja", "sl", "2025-05", "after_platform"),
        ("in may", "en", "2026-05", "after_platform"),
        ("last month", "en", "2026-10", "after_platform"),
        ("15.6.2031", "en", "2031-06-15", "future"),
        ("1999", "en", "1999", "too_early"),
    ],
)
def test_read_facts_relative_or_impossible_date_is_doubted(
    text: str, lang: str, value: str, doubt: str
) -> None:
    reading = read_facts("group_migration", text, lang=lang, as_of=AS_OF, requested="last_activity")
    assert reading.values == {"last_activity": value} and reading.doubts == {"last_activity": doubt}


def test_read_facts_relative_date_within_the_platform_history_is_not_doubted() -> None:
    reading = read_facts(
        "group_migration", "last year in May", lang="en", as_of=dt.date(2022, 3, 1), requested="last_activity"
    )
    assert reading.values == {"last_activity": "2021-05"} and reading.doubts == {}
    assert reading.relative == {"last_activity": "last year in may"}


@pytest.mark.parametrize(
    ("text", "intent", "expected"),
    [("ja hoor", None, True), ("nope", None, False), ("ok", "affirm", True), ("maybe", None, None)],
)
def test_yes_or_no_reads_the_start_of_the_message_or_the_intent(
    text: str, intent: str | None, expected: bool | None
) -> None:
    assert yes_or_no(text, intent) == expected


def test_read_answer_quotes_the_text_it_cannot_read() -> None:
    from knowledge.rules import InvalidInputError

    with pytest.raises(InvalidInputError, match="31.02.2021"):
        read_answer("group_migration", "last_activity", "31.02.2021", lang="en", as_of=AS_OF)


@pytest.mark.parametrize(
    ("rule", "name", "expected"),
    [
        ("group_migration", "last_activity", {"en": None, "nl": None, "sl": None}),  # the prompt gives one
        (
            "national_quality_label",
            "cofounder_country",
            {"en": "Slovenia", "nl": "Slovenië", "sl": "Slovenija"},
        ),
        ("national_quality_label", "school_education", {"en": None, "nl": None, "sl": None}),  # quick replies
        ("mailbox_migration", "role", {"en": None, "nl": None, "sl": None}),  # quick replies
        (
            "profile_migration",
            "accounts",
            {
                "en": "eTwinning, School Education Gateway",
                "nl": "eTwinning, School Education Gateway",
                "sl": "eTwinning, School Education Gateway",
            },
        ),
        ("school_label", "active_teachers", {"en": "4", "nl": "4", "sl": "4"}),
    ],
)
def test_example_text_is_in_the_teachers_language_and_format(
    rule: str, name: str, expected: dict[str, str | None]
) -> None:
    spec = input_spec(rule, name)
    assert {lang: example_text(spec, lang) for lang in expected} == expected


def test_date_prompts_give_their_example_in_the_language_format() -> None:
    from knowledge.rules import list_rules

    for rule in list_rules():
        for spec in rule.inputs:
            for lang in ("en", "nl", "sl"):
                assert "-0" not in spec.prompt.get(lang), (rule.name, spec.name, lang)  # never ISO


@pytest.mark.parametrize(
    ("text", "general"),
    [("what happens to my mailbox messages?", True), ("Hoe werkt dat met mijn groep?", True), ("Kaj se zgodi s sporočili?", True), ("Will my group be migrated?", False), ("our group had a post on 10.5.2021", False)],
)  # fmt: skip
def test_is_general_question_tells_how_from_whether(text: str, general: bool) -> None:
    assert is_general_question(text) is general


@pytest.mark.parametrize(("text", "explicit"), [("/check_group_migration", True), ("can you check my group?", True), ("kun je mijn groep nakijken", True), ("preveri mojo skupino", True), ("will my group migrate?", False)])  # fmt: skip
def test_asks_for_check_spots_an_explicit_request(text: str, explicit: bool) -> None:
    assert asks_for_check(text) is explicit


@pytest.mark.parametrize(
    ("rule", "name", "value", "lang", "expected"),
    [
        ("group_migration", "last_activity", "2022-02", "nl", "februari 2022"),
        ("group_migration", "last_activity", "2021-06-15", "sl", "15. 6. 2021"),
        ("national_quality_label", "cofounder_country", "NL", "sl", "Nizozemska"),
        ("project_reopen", "multiannual", False, "nl", "nee"),
        ("school_label", "years_registered", 2.5, "nl", "2,5"),
    ],
)
def test_describe_value_writes_a_value_as_a_sentence_would(
    rule: str, name: str, value: object, lang: str, expected: str
) -> None:
    assert describe_value(input_spec(rule, name), value, lang) == expected
