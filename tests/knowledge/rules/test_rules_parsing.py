"""Input coercion: European dates, yes/no in three languages, countries by code or name, lists."""

import datetime as dt

import pytest

from knowledge.rules import InvalidInputError, RulesError, evaluate
from knowledge.rules.loader import load_rulebook
from knowledge.rules.parsing import (
    MAX_INPUT_CHARS,
    MAX_LIST_ITEMS,
    Lexicon,
    normalize,
    parse_bool,
    parse_country,
    parse_date,
    parse_int,
    parse_number,
    shown,
    split_list,
)

pytestmark = pytest.mark.unit

JUNE_15 = dt.date(2021, 6, 15)


def _lexicon() -> Lexicon:
    return load_rulebook().lexicon


@pytest.mark.parametrize(
    "raw",
    [
        "2021-06-15",
        "2021-6-15",
        "15.6.2021",
        "15.06.2021",
        "15/06/2021",
        "15/6/2021",
        "15-06-2021",
        "15. 6. 2021",
        "15. 6. 2021.",
        " 15.6.2021 ",
        "15 June 2021",
        "15 juni 2021",
        "15. junij 2021",
        "15. junija 2021",
        "15 jun 2021",
        JUNE_15,
        dt.datetime(2021, 6, 15, 10, 30),
    ],
)
def test_parse_date_iso_and_european_forms_give_the_date(raw: object) -> None:
    assert parse_date(raw, _lexicon()) == JUNE_15


@pytest.mark.parametrize(
    "raw", ["31.02.2021", "2021-02-30", "06/15/2021", "15.13.2021", "yesterday", "15.6.21", 20210615]
)
def test_parse_date_impossible_or_unknown_is_rejected(raw: object) -> None:
    with pytest.raises(ValueError, match="not a date"):
        parse_date(raw, _lexicon())


def test_evaluate_impossible_date_names_field_and_value() -> None:
    with pytest.raises(InvalidInputError) as caught:
        evaluate("group_migration", {"last_activity": "31.02.2021"})
    assert str(caught.value) == "last_activity: not a date: '31.02.2021'"
    assert caught.value.field == "last_activity"
    assert caught.value.reason == "not a date: '31.02.2021'"
    assert isinstance(caught.value, RulesError)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("yes", True),
        ("Yes", True),
        ("ja", True),
        ("JA", True),
        ("da", True),
        ("true", True),
        (True, True),
        (1, True),
        ("no", False),
        ("nee", False),
        ("neen", False),
        ("ne", False),
        ("false", False),
        (False, False),
        (0, False),
    ],
)
def test_parse_bool_accepts_en_nl_sl_words(raw: object, expected: bool) -> None:
    assert parse_bool(raw, _lexicon()) is expected


@pytest.mark.parametrize("raw", ["maybe", "", 2, None])
def test_parse_bool_other_values_are_rejected(raw: object) -> None:
    with pytest.raises(ValueError, match="not yes or no"):
        parse_bool(raw, _lexicon())


@pytest.mark.parametrize(("raw", "expected"), [(4, 4), ("4", 4), (" 12 ", 12), (4.0, 4), ("-1", -1)])
def test_parse_int_whole_numbers(raw: object, expected: int) -> None:
    assert parse_int(raw) == expected


@pytest.mark.parametrize("raw", [4.5, "4.5", "four", True, None, ""])
def test_parse_int_rejects_non_whole_numbers(raw: object) -> None:
    with pytest.raises(ValueError, match="not a whole number"):
        parse_int(raw)


@pytest.mark.parametrize(
    ("raw", "expected"), [("2,5", 2.5), ("2.5", 2.5), (3, 3.0), ("3", 3.0), (2.25, 2.25)]
)
def test_parse_number_accepts_decimal_comma(raw: object, expected: float) -> None:
    assert parse_number(raw) == expected


@pytest.mark.parametrize("raw", ["nan", float("nan"), float("inf"), "1,000.5", "two", True])
def test_parse_number_rejects_non_numbers(raw: object) -> None:
    with pytest.raises(ValueError, match="not a number"):
        parse_number(raw)


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("BE", "BE"),
        ("be", "BE"),
        ("Belgium", "BE"),
        ("België", "BE"),
        ("Belgie", "BE"),
        ("Belgija", "BE"),
        ("Slovenia", "SI"),
        ("Slovenië", "SI"),
        ("Slovenija", "SI"),
        ("si", "SI"),
        ("Netherlands", "NL"),
        ("Nederland", "NL"),
        ("Nizozemska", "NL"),
        ("Holland", "NL"),
        ("Greece", "GR"),
        ("EL", "GR"),
        ("Grčija", "GR"),
        ("UK", "GB"),
        ("Turkey", "TR"),
        ("Türkiye", "TR"),
        ("Ukraine", "UA"),
        ("Oekraïne", "UA"),
        ("Ukrajina", "UA"),
        ("Georgia", "GE"),
        ("Gruzija", "GE"),
        ("Armenia", "AM"),
        ("Azerbeidzjan", "AZ"),
        ("Moldavija", "MD"),
        ("Tunesië", "TN"),
        ("Jordan", "JO"),
        ("Libanon", "LB"),
        ("Bosna in Hercegovina", "BA"),
        ("Črna gora", "ME"),
        ("crna gora", "ME"),
    ],
)
def test_parse_country_codes_and_names_in_three_languages(raw: str, code: str) -> None:
    assert parse_country(raw, _lexicon()) == code


@pytest.mark.parametrize("raw", ["Narnia", "", "XX", 32, None])
def test_parse_country_unknown_is_rejected(raw: object) -> None:
    with pytest.raises(ValueError, match="not a known country"):
        parse_country(raw, _lexicon())


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (["BE", "Slovenija"], ["BE", "SI"]),
        ("BE, SI", ["BE", "SI"]),
        ("BE;SI", ["BE", "SI"]),
        ("[BE, SI]", ["BE", "SI"]),
        ("['BE', \"Slovenija\"]", ["BE", "SI"]),
        ("[Bosnia and Herzegovina, SI]", ["BA", "SI"]),
        ("Belgium & Slovenia", ["BE", "SI"]),
        ("Belgium&Slovenia", ["BE", "SI"]),
        ("België en Slovenië", ["BE", "SI"]),
        ("Belgija in Slovenija", ["BE", "SI"]),
        ("Belgium and Slovenia, Italy", ["BE", "SI", "IT"]),
        ("Bosnia and Herzegovina, Slovenia", ["BA", "SI"]),
        ("BE, België, Belgija", ["BE"]),
        ([], []),
    ],
)
def test_country_list_from_lists_and_strings(raw: object, expected: list[str]) -> None:
    verdict = evaluate("european_quality_label", {"nql_countries": raw})
    assert verdict.verdict != "need_more"
    lexicon = _lexicon()
    assert (
        list(dict.fromkeys(parse_country(i, lexicon) for i in split_list(raw, lexicon.countries))) == expected
    )


@pytest.mark.parametrize(
    ("raw", "choices"),
    [
        ("etwinning, seg", ["etwinning", "seg"]),
        ("eTwinning; Teacher Academy", ["etwinning", "teacher_academy"]),
        (["seg", "SEG"], ["seg"]),
        ("[etwinning]", ["etwinning"]),
    ],
)
def test_choice_list_accepts_strings_lists_and_synonyms(raw: object, choices: list[str]) -> None:
    verdict = evaluate(
        "profile_migration",
        {"same_email": "yes", "already_registered_with_other_email": "no", "accounts": raw},
    )
    assert verdict.verdict == "yes"
    assert ("only the data of your eTwinning account" in verdict.explanation) == (len(choices) > 1)


@pytest.mark.parametrize(
    ("raw", "verdict_text"), [("leerling", "not to pupils"), ("učitelj", "As a teacher")]
)
def test_choice_synonyms_in_nl_and_sl(raw: str, verdict_text: str) -> None:
    assert verdict_text in evaluate("mailbox_migration", {"role": raw}).explanation


@pytest.mark.parametrize(
    ("rule", "inputs", "field", "reason"),
    [
        ("mailbox_migration", {"role": "admin"}, "role", "not one of teacher, pupil: 'admin'"),
        (
            "profile_migration",
            {"accounts": "etwinning, moodle"},
            "accounts",
            "not one of etwinning, seg, teacher_academy: 'moodle'",
        ),
        ("national_quality_label", {"submission_number": 0}, "submission_number", "must be at least 1: 0"),
        (
            "national_quality_label",
            {"founder_country": "Narnia"},
            "founder_country",
            "not a known country: 'Narnia'",
        ),
        ("school_label", {"years_registered": "-1"}, "years_registered", "must be at least 0: '-1'"),
        ("school_label", {"active_teachers": "three"}, "active_teachers", "not a whole number: 'three'"),
        ("project_reopen", {"multiannual": "perhaps"}, "multiannual", "not yes or no: 'perhaps'"),
        ("european_quality_label", {"nql_countries": 5}, "nql_countries", "not a list: 5"),
    ],
)
def test_evaluate_bad_input_names_field_and_reason(
    rule: str, inputs: dict[str, object], field: str, reason: str
) -> None:
    with pytest.raises(InvalidInputError) as caught:
        evaluate(rule, inputs)
    assert (caught.value.field, caught.value.reason) == (field, reason)
    assert str(caught.value) == f"{field}: {reason}"


def test_normalize_folds_case_accents_and_punctuation() -> None:
    assert normalize("  BELGIË ") == normalize("belgie") == "belgie"
    assert normalize("Noord-Macedonië") == "noord macedonie"
    assert normalize("teacher_academy") == "teacher academy"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("BE, " + "Narnia " * 100, f"too long: 704 characters, at most {MAX_INPUT_CHARS}"),
        (["BE"] * (MAX_LIST_ITEMS + 1), f"too many items: 51, at most {MAX_LIST_ITEMS}"),
        (", ".join(["BE"] * (MAX_LIST_ITEMS + 1)), f"too many items: 51, at most {MAX_LIST_ITEMS}"),
        ([["BE"]], "a list may hold only texts and numbers, not list"),
        ({"BE": 1}, "must be text, a number, yes/no or a list, not dict"),
        (2**64, "number too large"),
        ("[BE, SI", "not a list: '[BE, SI'"),
    ],
)
def test_list_input_too_big_or_malformed_is_refused_before_parsing(raw: object, reason: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        evaluate("european_quality_label", {"nql_countries": raw})
    assert (caught.value.field, caught.value.reason, caught.value.example) == (
        "nql_countries",
        reason,
        "BE, SI",
    )


def test_list_of_yaml_aliases_is_split_as_text_not_expanded() -> None:
    bomb = "[&a [lol, lol], &b [*a, *a], &c [*b, *b], &d [*c, *c]]"
    with pytest.raises(InvalidInputError) as caught:
        evaluate("european_quality_label", {"nql_countries": bomb})
    assert caught.value.reason == "not a known country: 'a [lol'"  # '&' splits like 'and'


def test_error_quotes_at_most_a_short_piece_of_the_value() -> None:
    assert shown("x" * 1000) == repr("x" * 40) + "…"
    assert shown(["a", "b", "c", "d"]) == "['a', 'b', 'c', …]"
    assert shown(10**100) == "<a very large number>"
    with pytest.raises(InvalidInputError) as caught:
        evaluate("group_migration", {"last_activity": "y" * MAX_INPUT_CHARS})
    assert len(str(caught.value)) < 100
