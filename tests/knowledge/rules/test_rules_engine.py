"""Verdicts: every date and threshold boundary (day before / on / after, ±1), as-of evaluation,
need_more, and the errors callers map to 404/422."""

import datetime as dt

import pytest

from knowledge.rules import (
    InvalidInputError,
    RulesError,
    UnknownRuleError,
    Verdict,
    evaluate,
    list_rules,
    parse_input,
)

pytestmark = pytest.mark.unit

TODAY = dt.date(2026, 11, 26)
SCHOOL_OK = {"years_registered": 3, "active_teachers": 3, "european_nql_count": 1}
PROFILE_OK = {"same_email": True, "already_registered_with_other_email": False, "accounts": ["etwinning"]}


def _verdict(rule: str, inputs: dict[str, object], as_of: dt.date = TODAY, lang: str = "en") -> Verdict:
    return evaluate(rule, inputs, lang=lang, as_of=as_of)


BOUNDARIES = [
    # group_migration: window 1.1.2021 - 21.2.2022 (EC Q1/Q2) or 22.2.2022 (EC Q14)
    ("group_migration", {"last_activity": "2020-12-31"}, "no"),
    ("group_migration", {"last_activity": "2021-01-01"}, "yes"),
    ("group_migration", {"last_activity": "2021-01-02"}, "yes"),
    ("group_migration", {"last_activity": "2022-02-20"}, "yes"),
    ("group_migration", {"last_activity": "2022-02-21"}, "yes"),
    ("group_migration", {"last_activity": "2022-02-22"}, "uncertain"),
    ("group_migration", {"last_activity": "2022-02-23"}, "uncertain"),
    # twinspace_migration: 1.7.2018 cutoff; after it EC and the Flemish NSO disagree
    ("twinspace_migration", {"project_registered": "2018-06-30"}, "no"),
    ("twinspace_migration", {"project_registered": "2018-07-01"}, "uncertain"),
    ("twinspace_migration", {"project_registered": "2018-07-02"}, "uncertain"),
    # quality_label_migration: labels of projects created after 1.7.2018 (SL FAQ)
    ("quality_label_migration", {"project_registered": "2018-06-30"}, "no"),
    ("quality_label_migration", {"project_registered": "2018-07-01"}, "uncertain"),
    ("quality_label_migration", {"project_registered": "2018-07-02"}, "yes"),
    # portfolio_activity_migration: activities as from 1.7.2018 are kept
    ("portfolio_activity_migration", {"activity_date": "2018-06-30"}, "no"),
    ("portfolio_activity_migration", {"activity_date": "2018-07-01"}, "yes"),
    ("portfolio_activity_migration", {"activity_date": "2018-07-02"}, "yes"),
    # national_quality_label: two different countries, first four submissions
    (
        "national_quality_label",
        {"founder_country": "BE", "cofounder_country": "SI", "submission_number": 3},
        "yes",
    ),
    (
        "national_quality_label",
        {"founder_country": "BE", "cofounder_country": "SI", "submission_number": 4},
        "yes",
    ),
    (
        "national_quality_label",
        {"founder_country": "BE", "cofounder_country": "SI", "submission_number": 5},
        "no",
    ),
    (
        "national_quality_label",
        {"founder_country": "BE", "cofounder_country": "België", "submission_number": 1},
        "no",
    ),
    (
        "national_quality_label",
        {"founder_country": "Slovenija", "cofounder_country": "SI", "submission_number": 5},
        "no",
    ),
    # european_quality_label: NQL from two different countries
    ("european_quality_label", {"nql_countries": []}, "no"),
    ("european_quality_label", {"nql_countries": ["BE"]}, "no"),
    ("european_quality_label", {"nql_countries": ["BE", "Belgium"]}, "no"),
    ("european_quality_label", {"nql_countries": ["BE", "SI"]}, "yes"),
    ("european_quality_label", {"nql_countries": ["BE", "SI", "IT"]}, "yes"),
    # school_label: > 2 years, >= 3 active teachers, >= 1 NQL for a European project
    ("school_label", {**SCHOOL_OK, "years_registered": 1}, "no"),
    ("school_label", {**SCHOOL_OK, "years_registered": 2}, "no"),
    ("school_label", {**SCHOOL_OK, "years_registered": 2.5}, "yes"),
    ("school_label", {**SCHOOL_OK, "years_registered": "2,01"}, "yes"),
    ("school_label", {**SCHOOL_OK, "years_registered": 3}, "yes"),
    ("school_label", {**SCHOOL_OK, "active_teachers": 2}, "no"),
    ("school_label", {**SCHOOL_OK, "active_teachers": 3}, "yes"),
    ("school_label", {**SCHOOL_OK, "active_teachers": 4}, "yes"),
    ("school_label", {**SCHOOL_OK, "european_nql_count": 0}, "no"),
    ("school_label", {**SCHOOL_OK, "european_nql_count": 1}, "yes"),
    ("school_label", {**SCHOOL_OK, "european_nql_count": 2}, "yes"),
    # project_reopen (as of 2026): only multiannual projects may be reopened
    ("project_reopen", {"closed_on": "2020-01-15", "multiannual": False}, "no"),
    ("project_reopen", {"closed_on": "2022-07-31", "multiannual": False}, "no"),
    ("project_reopen", {"closed_on": "2022-07-31", "multiannual": True}, "yes"),
    ("project_reopen", {"closed_on": "2020-01-15", "multiannual": "ja"}, "yes"),
    # profile_migration
    ("profile_migration", PROFILE_OK, "yes"),
    ("profile_migration", {**PROFILE_OK, "accounts": ["seg"]}, "yes"),
    ("profile_migration", {**PROFILE_OK, "accounts": ["etwinning", "seg"]}, "yes"),
    ("profile_migration", {**PROFILE_OK, "accounts": []}, "no"),
    ("profile_migration", {**PROFILE_OK, "same_email": False}, "no"),
    ("profile_migration", {**PROFILE_OK, "already_registered_with_other_email": True}, "no"),
    ("profile_migration", {"already_registered_with_other_email": True}, "no"),
    # single-input and no-input rules
    ("seg_course_migration", {"has_reviews": True}, "yes"),
    ("seg_course_migration", {"has_reviews": False}, "no"),
    ("mailbox_migration", {"role": "teacher"}, "no"),
    ("mailbox_migration", {"role": "pupil"}, "no"),
    ("contacts_migration", {}, "uncertain"),
    ("profile_picture_migration", {}, "uncertain"),
    ("seg_certificates", {}, "no"),
    ("toolkit_results", {}, "no"),
]


@pytest.mark.parametrize(("rule", "inputs", "expected"), BOUNDARIES)
def test_rule_boundaries_give_expected_verdict(rule: str, inputs: dict[str, object], expected: str) -> None:
    verdict = _verdict(rule, inputs)
    assert verdict.verdict == expected
    assert verdict.missing == []
    assert verdict.reasons, "a decided verdict rests on sourced reasons"
    assert {(r.source.entry, r.source.document) for r in verdict.reasons} == {
        (s.entry, s.document) for s in verdict.sources
    }


AS_OF_BOUNDARIES = [
    # the group activity window is still open on its last day, closed the day after
    ("group_migration", {"last_activity": "2020-12-31"}, dt.date(2022, 2, 21), "no", "still open"),
    ("group_migration", {"last_activity": "2020-12-31"}, dt.date(2022, 2, 22), "no", "will not be migrated"),
    # inactive groups became read-only on 13.3.2022 (an event: past from that day on)
    (
        "group_migration",
        {"last_activity": "2020-12-31"},
        dt.date(2022, 3, 12),
        "no",
        "become read-only on 13 March 2022",
    ),
    (
        "group_migration",
        {"last_activity": "2020-12-31"},
        dt.date(2022, 3, 13),
        "no",
        "became read-only on 13 March 2022",
    ),
    # active groups move from the second half of 2022
    (
        "group_migration",
        {"last_activity": "2021-06-15"},
        dt.date(2022, 6, 30),
        "yes",
        "qualifies for migration",
    ),
    (
        "group_migration",
        {"last_activity": "2021-06-15"},
        dt.date(2022, 7, 1),
        "yes",
        "qualified for migration",
    ),
    # SEG course export: requests by 15.6.2022
    (
        "seg_course_migration",
        {"has_reviews": False},
        dt.date(2022, 6, 14),
        "no",
        "by 15 June 2022 at the latest",
    ),
    (
        "seg_course_migration",
        {"has_reviews": False},
        dt.date(2022, 6, 15),
        "no",
        "by 15 June 2022 at the latest",
    ),
    ("seg_course_migration", {"has_reviews": False}, dt.date(2022, 6, 16), "no", "passed on 15 June 2022"),
    # reviewed courses: contact the helpdesk by 15 May (2022)
    (
        "seg_course_migration",
        {"has_reviews": True},
        dt.date(2022, 5, 15),
        "yes",
        "by 15 May 2022 at the latest",
    ),
    ("seg_course_migration", {"has_reviews": True}, dt.date(2022, 5, 16), "yes", "passed on 15 May 2022"),
    # toolkit PDFs: before July 2022
    ("toolkit_results", {}, dt.date(2022, 6, 30), "no", "by 30 June 2022 at the latest"),
    ("toolkit_results", {}, dt.date(2022, 7, 1), "no", "passed on 30 June 2022"),
    # SEG badges and certificates: profiles available until the second half of 2022
    (
        "seg_certificates",
        {},
        dt.date(2022, 12, 31),
        "no",
        "before the School Education Gateway profiles close",
    ),
    ("seg_certificates", {}, dt.date(2023, 1, 1), "no", "That period has passed"),
    # the launch of 31.5.2022 switches the mailbox answer from future to past
    ("mailbox_migration", {"role": "teacher"}, dt.date(2022, 5, 30), "no", "will be deleted"),
    ("mailbox_migration", {"role": "teacher"}, dt.date(2022, 5, 31), "no", "were deleted"),
    # reopening closed projects: possible until the end of August 2022 (SL FAQ)
    (
        "project_reopen",
        {"closed_on": "2022-07-15", "multiannual": False},
        dt.date(2022, 8, 30),
        "yes",
        "until the end of August 2022",
    ),
    (
        "project_reopen",
        {"closed_on": "2022-07-15", "multiannual": False},
        dt.date(2022, 8, 31),
        "yes",
        "until the end of August 2022",
    ),
    (
        "project_reopen",
        {"closed_on": "2022-07-15", "multiannual": False},
        dt.date(2022, 9, 1),
        "no",
        "passed on 31 August 2022",
    ),
    (
        "project_reopen",
        {"closed_on": "2022-08-31", "multiannual": False},
        dt.date(2022, 8, 1),
        "yes",
        "closing date is 31 August 2022",
    ),
    (
        "project_reopen",
        {"closed_on": "2022-09-01", "multiannual": False},
        dt.date(2022, 8, 1),
        "no",
        "is possible until the end of August 2022",
    ),
]


@pytest.mark.parametrize(("rule", "inputs", "as_of", "expected", "phrase"), AS_OF_BOUNDARIES)
def test_rule_as_of_boundaries_switch_verdict_and_tense(
    rule: str, inputs: dict[str, object], as_of: dt.date, expected: str, phrase: str
) -> None:
    verdict = _verdict(rule, inputs, as_of=as_of)
    assert (verdict.verdict, verdict.as_of) == (expected, as_of)
    assert phrase in verdict.explanation


def test_evaluate_without_as_of_uses_today() -> None:
    assert evaluate("contacts_migration", {}).as_of == dt.date.today()


NEED_MORE = [
    ("group_migration", {}, ["last_activity"]),
    ("group_migration", {"last_activity": None}, ["last_activity"]),
    ("group_migration", {"last_activity": "  "}, ["last_activity"]),
    ("twinspace_migration", {}, ["project_registered"]),
    ("profile_migration", {}, ["same_email", "already_registered_with_other_email", "accounts"]),
    ("profile_migration", {"same_email": True}, ["already_registered_with_other_email", "accounts"]),
    ("profile_migration", {"same_email": True, "already_registered_with_other_email": False}, ["accounts"]),
    ("national_quality_label", {}, ["founder_country", "cofounder_country", "submission_number"]),
    ("national_quality_label", {"founder_country": "BE"}, ["cofounder_country", "submission_number"]),
    ("national_quality_label", {"founder_country": "BE", "cofounder_country": "SI"}, ["submission_number"]),
    ("european_quality_label", {}, ["nql_countries"]),
    ("school_label", {}, ["years_registered", "active_teachers", "european_nql_count"]),
    ("school_label", {"years_registered": 3}, ["active_teachers", "european_nql_count"]),
    ("project_reopen", {}, ["closed_on", "multiannual"]),
    ("project_reopen", {"closed_on": "2022-07-15"}, ["multiannual"]),
    ("seg_course_migration", {}, ["has_reviews"]),
    ("mailbox_migration", {}, ["role"]),
]


@pytest.mark.parametrize(("rule", "inputs", "missing"), NEED_MORE)
@pytest.mark.parametrize("lang", ["en", "nl", "sl"])
def test_missing_inputs_give_need_more_asking_the_first(
    rule: str, inputs: dict[str, object], missing: list[str], lang: str
) -> None:
    verdict = _verdict(rule, inputs, lang=lang)
    assert verdict.verdict == "need_more"
    assert verdict.missing == missing
    assert (verdict.reasons, verdict.sources) == ([], [])
    spec = next(s for r in list_rules() if r.name == rule for s in r.inputs if s.name == missing[0])
    assert spec.prompt.get(lang) in verdict.explanation


@pytest.mark.parametrize(
    ("rule", "inputs"),
    [
        ("school_label", {"years_registered": 1}),
        ("national_quality_label", {"submission_number": 9}),
        ("national_quality_label", {"founder_country": "SI", "cofounder_country": "Slovenia"}),
        ("project_reopen", {"multiannual": True}),
        ("profile_migration", {"already_registered_with_other_email": True}),
    ],
)
def test_inputs_that_already_decide_need_no_more(rule: str, inputs: dict[str, object]) -> None:
    verdict = _verdict(rule, inputs)
    assert verdict.verdict in ("yes", "no")
    assert verdict.missing == []


def test_school_label_lists_every_failed_condition() -> None:
    verdict = _verdict("school_label", {"years_registered": 2, "active_teachers": 2, "european_nql_count": 0})
    assert verdict.verdict == "no"
    assert [r.source.entry for r in verdict.reasons] == ["howto-school-label"] * 3
    for phrase in (
        "more than two years (you said 2)",
        "three active eTwinning teachers (you said 2)",
        "(you said 0)",
    ):
        assert phrase in verdict.explanation


def test_national_quality_label_no_lists_both_failures_with_sources() -> None:
    verdict = _verdict(
        "national_quality_label", {"founder_country": "BE", "cofounder_country": "BE", "submission_number": 5}
    )
    assert [s.entry for s in verdict.sources] == [
        "howto-quality-label-eligibility",
        "howto-apply-national-quality-label",
    ]
    assert "two different countries" in verdict.explanation
    assert "submission number 5" in verdict.explanation


def test_european_quality_label_yes_says_nsos_nominate() -> None:
    verdict = _verdict("european_quality_label", {"nql_countries": "Belgium, Slovenia"})
    assert verdict.verdict == "yes"
    assert "nominate" in verdict.explanation
    assert "not awarded automatically" in verdict.explanation
    assert "from Belgium and Slovenia" in verdict.explanation


def test_profile_migration_with_etwinning_and_seg_says_only_etwinning_data() -> None:
    verdict = _verdict("profile_migration", {**PROFILE_OK, "accounts": "etwinning, seg"})
    assert "only the data of your eTwinning account is migrated" in verdict.explanation
    assert "ec-en-profile-migration" in {s.entry for s in verdict.sources}


def test_profile_migration_registered_with_other_email_cites_ec_question_6() -> None:
    verdict = _verdict("profile_migration", {**PROFILE_OK, "already_registered_with_other_email": "yes"})
    assert verdict.verdict == "no"
    assert verdict.reasons[0].source.entry == "ec-en-change-email-after-registration"


def test_project_reopen_not_multiannual_cites_slovenian_faq() -> None:
    verdict = _verdict("project_reopen", {"closed_on": "15.1.2020", "multiannual": "nee"})
    assert {"sl-reopen-closed-project", "sl-reopen-project-after-july-2022"} <= {
        s.entry for s in verdict.sources
    }
    assert {s.document for s in verdict.sources} == {"ec-faq-sl"}
    assert "create a new project" in verdict.explanation


def test_sources_carry_document_title_and_date() -> None:
    verdict = _verdict("contacts_migration", {})
    by_document = {s.document: s for s in verdict.sources}
    assert by_document["nso-flanders-faq-nl"].date == dt.date(2023, 10, 17)
    assert by_document["ec-faq-sl"].date == dt.date(2022, 2, 25)
    assert by_document["ec-faq-en"].date is None
    assert all(s.title and s.publisher for s in verdict.sources)


def test_unknown_rule_raises_with_known_rules() -> None:
    with pytest.raises(UnknownRuleError) as caught:
        evaluate("group_migrate", {})
    assert caught.value.rule == "group_migrate"
    assert caught.value.known == [spec.name for spec in list_rules()]
    assert "group_migration" in str(caught.value)
    assert isinstance(caught.value, RulesError)


def test_unknown_input_name_is_invalid_input() -> None:
    with pytest.raises(InvalidInputError) as caught:
        evaluate("group_migration", {"last_activty": "2021-06-15"})
    assert caught.value.field == "last_activty"
    assert "expected: last_activity" in caught.value.reason


@pytest.mark.parametrize(("lang", "resolved"), [("EN", "en"), ("nl-BE", "nl"), ("sl_SI", "sl")])
def test_language_variants_are_accepted(lang: str, resolved: str) -> None:
    assert evaluate("contacts_migration", {}, lang=lang).lang == resolved


def test_unsupported_language_is_invalid_input() -> None:
    with pytest.raises(InvalidInputError) as caught:
        evaluate("contacts_migration", {}, lang="de")
    assert caught.value.field == "lang"


def test_list_rules_gives_contract_names_and_inputs() -> None:
    specs = {spec.name: [(i.name, i.type) for i in spec.inputs] for spec in list_rules()}
    assert specs == {
        "group_migration": [("last_activity", "date")],
        "twinspace_migration": [("project_registered", "date")],
        "quality_label_migration": [("project_registered", "date")],
        "portfolio_activity_migration": [("activity_date", "date")],
        "contacts_migration": [],
        "profile_picture_migration": [],
        "mailbox_migration": [("role", "choice")],
        "project_reopen": [("closed_on", "date"), ("multiannual", "bool")],
        "profile_migration": [
            ("same_email", "bool"),
            ("already_registered_with_other_email", "bool"),
            ("accounts", "choice_list"),
        ],
        "national_quality_label": [
            ("founder_country", "country"),
            ("cofounder_country", "country"),
            ("submission_number", "int"),
        ],
        "european_quality_label": [("nql_countries", "country_list")],
        "school_label": [
            ("years_registered", "number"),
            ("active_teachers", "int"),
            ("european_nql_count", "int"),
        ],
        "seg_course_migration": [("has_reviews", "bool")],
        "seg_certificates": [],
        "toolkit_results": [],
    }
    choices = {i.name: i.choices for spec in list_rules() for i in spec.inputs if i.choices}
    assert choices == {"role": ["teacher", "pupil"], "accounts": ["etwinning", "seg", "teacher_academy"]}


def test_parse_input_reads_one_slot_like_evaluate() -> None:
    assert parse_input("group_migration", "last_activity", "15. 6. 2021") == dt.date(2021, 6, 15)
    assert parse_input("european_quality_label", "nql_countries", "België en Slovenija") == ["BE", "SI"]


@pytest.mark.parametrize(
    ("rule", "name", "raw", "error"),
    [
        ("group_migration", "last_activity", "31.02.2021", InvalidInputError),
        ("group_migration", "last_activity", "", InvalidInputError),
        ("group_migration", "closed_on", "2021-06-15", InvalidInputError),
        ("no_such_rule", "last_activity", "2021-06-15", UnknownRuleError),
    ],
)
def test_parse_input_rejects_bad_values(rule: str, name: str, raw: str, error: type[Exception]) -> None:
    with pytest.raises(error):
        parse_input(rule, name, raw)
