"""Verdicts: every date and threshold boundary (day before / on / after, ±1), as-of evaluation,
need_more, and the errors callers map to 404/422.

Every row of BOUNDARIES and AS_OF_BOUNDARIES cites the sentence of a source document that
supports its verdict (``source_quote``): the test checks that it stands in the document
(shared/seeds/) and in the quote of a fact the verdict cites.
"""

import datetime as dt

import pytest

from knowledge.date_audit import normalize, seed_text
from knowledge.rules import (
    InvalidInputError,
    RulesError,
    UnknownRuleError,
    Verdict,
    evaluate,
    list_rules,
    parse_input,
)
from knowledge.rules.loader import load_rulebook

pytestmark = pytest.mark.unit

TODAY = dt.date(2026, 11, 26)
SCHOOL_OK = {"years_registered": 3, "active_teachers": 3, "european_nql_count": 1}
PROFILE_OK = {"same_email": True, "already_registered_with_other_email": False, "accounts": ["etwinning"]}
NQL_OK = {
    "founder_country": "BE",
    "cofounder_country": "SI",
    "submission_number": 2,
    "school_education": True,
}

# The source sentences the rows cite, verbatim from the documents.
Q_GROUPS = (
    "Groups with any activities which took place between 1 January 2021 and 21.02.2022 will be migrated"
)
Q_GROUPS_REMOVED = "Groups with no activity during 2021 and 2022 will be removed."
Q_GROUPS_Q14 = "All eTwinning Groups which were active between 1.1.2021 and 22.2.2022 will be migrated"
Q_GROUPS_READ_ONLY = "will become read-only on 13.3.2022."
Q_GROUPS_SEMESTER = "into the new platform as from the second semester 2022."
Q_TWINSPACE_REMOVED = "TwinSpaces of projects created before 1.7. 2018: they will be removed."
Q_TWINSPACE_NL = "De TwinSpaces werden echter niet gemigreerd naar het nieuwe platform."
Q_LABELS = "Nacionalni in evropski znaki kakovosti projektov, ki so bili ustvarjeni po 1. 7. 2018, bodo na voljo tudi na novi platformi."
Q_LABELS_DELETED = "Vsi ostali znaki bodo izbrisani."
Q_LABELS_SCHOOL_YEAR = "(začetek v šolskem letu 2018/2019)"
Q_PORTFOLIO = "will only show your activities as from 1.7.2018."
Q_PORTFOLIO_DELETED = "all activities on the platform which took place before 1.7.2018 will be deleted"
Q_NQL_COUNTRIES = (
    "the eTwinning projects in school education must have founder and co-founder from two different countries"
)
Q_NQL_FOUR = (
    "only your first four projects submissions will be taken into consideration and evaluated by your NSO."
)
Q_NQL_WHEN = "You should apply for a National Quality Label only when your project has finished or is in its last stages."
Q_NSO = "please liaise with your National Support Organisation."
Q_EQL = "Your project needs to have received a National Quality Label from two different countries"
Q_EQL_NOMINATE = "will nominate the projects with the highest quality for the European Quality Label."
Q_SCHOOL_YEARS = "the school should be registered in eTwinning for more than two years,"
Q_SCHOOL_TEACHERS = "there are at least three active eTwinning teachers in this school,"
Q_SCHOOL_NQL = "the teachers have acquired at least one National Quality Label for a European project."
Q_SCHOOL_APPLY = "The application opens once a year"
Q_REOPEN_JANUARY = "Ali lahko projekt, ki se je zaključil januarja 2020, ponovno odprem na novi platformi?"
Q_REOPEN_NEW = "eTwinnerji morajo po avgustu 2022 ustvariti nov projekt, namesto da ponovno odpirajo zaključene projekte."
Q_REOPEN_MULTIANNUAL = "razen če je bil projekt že od začetka načrtovan kot večletni."
Q_REOPEN_EC = "can be reopened in the ‘projects’ section of eTwinning"
Q_PROFILE = "if you use the same email address for your EU Login account"
Q_ONLY_ETWINNING = "only the data from your eTwinning account will be migrated."
Q_TEACHER_ACADEMY = "(known until now as the School Education Gateway Teacher Academy)"
Q_EMAIL_AFTER = "it will not be possible to retrieve the account data from the old platforms"
Q_SEG_COURSES = (
    "the courses that you published on the School Education Gateway will not be migrated to the new platform."
)
Q_SEG_EXPORT = "The export request must be submitted latest by 15 June 2022."
Q_SEG_EXCEPTION = "However, an exception will be made to courses that have received reviews"
Q_SEG_CONTACT = "Providers that have courses with reviews therefore are invited to contact the School Education Gateway helpdesk, latest by 15 May."
Q_MAILBOX = "Unfortunately, the messages which have been exchanged in eTwinning Live will be deleted."
Q_MAILBOX_NL = "Dit is echter (voorlopig) enkel beschikbaar voor leerkrachten, maar niet voor leerlingen."
Q_CONTACTS_NL = (
    "Je contacten en informatie over de gebruikers die je volgt of die jou volgen zal niet worden gemigreerd."
)
Q_PICTURES_NL = "Jouw profielfoto zal worden gemigreerd naar het nieuwe platform."
Q_CERTS = "badges and certificates you earned on the School Education Gateway will not be migrated to the new platform."
Q_CERTS_UNTIL = "will stay available in your School Education Gateway profile until the second semester 2022."
Q_TOOLKIT = "No, the results from the self-assessment or the questionnaire will not be migrated."
Q_TOOLKIT_BEFORE = "please download and save the PDFs on your local computer before July 2022."


def _verdict(rule: str, inputs: dict[str, object], as_of: dt.date = TODAY, lang: str = "en") -> Verdict:
    return evaluate(rule, inputs, lang=lang, as_of=as_of)


def assert_cites(verdict: Verdict, quote: str) -> None:
    """The quote stands in a source document of the verdict and in a fact the verdict cites."""
    book = load_rulebook()
    entries = {s.entry for s in verdict.sources}
    documents = {s.document for s in verdict.sources}
    seeds = [seed_text(d) for d in book_documents(documents)]
    if all(seed is not None for seed in seeds):
        assert any(normalize(quote) in seed for seed in seeds if seed), f"not in the sources: {quote!r}"
    quotes = [normalize(f.quote) for f in book.facts.values() if f.source.entry in entries]
    assert any(normalize(quote) in q for q in quotes), f"no fact the verdict cites quotes {quote!r}"


def book_documents(ids: set[str]):  # type: ignore[no-untyped-def]
    from knowledge.loader import load_kb
    from knowledge.rules.loader import KB_DIR

    return [doc for doc in load_kb(KB_DIR).documents.values() if doc.id in ids]


# rule, inputs, verdict as of late 2026, the source sentence it rests on
BOUNDARIES = [
    # group_migration: window 1.1.2021 - 21.2.2022 (EC Q1/Q2) or 22.2.2022 (EC Q14)
    ("group_migration", {"last_activity": "2020-12-31"}, "no", Q_GROUPS_REMOVED),
    ("group_migration", {"last_activity": "2021-01-01"}, "yes", Q_GROUPS),
    ("group_migration", {"last_activity": "2021-01-02"}, "yes", Q_GROUPS),
    ("group_migration", {"last_activity": "2022-02-20"}, "yes", Q_GROUPS),
    ("group_migration", {"last_activity": "2022-02-21"}, "yes", Q_GROUPS),
    ("group_migration", {"last_activity": "2022-02-22"}, "uncertain", Q_GROUPS_Q14),
    ("group_migration", {"last_activity": "2022-02-23"}, "uncertain", Q_GROUPS_Q14),
    # twinspace_migration: 1.7.2018 cutoff; after it EC and the Flemish NSO disagree
    ("twinspace_migration", {"project_registered": "2018-06-30"}, "no", Q_TWINSPACE_REMOVED),
    ("twinspace_migration", {"project_registered": "2018-07-01"}, "uncertain", Q_TWINSPACE_NL),
    ("twinspace_migration", {"project_registered": "2018-07-02"}, "uncertain", Q_TWINSPACE_NL),
    # quality_label_migration: labels of projects created after 1.7.2018 (SL FAQ, before the
    # launch); an older project's label awarded since then is also an activity the profile keeps
    (
        "quality_label_migration",
        {"project_registered": "2018-06-30", "label_awarded": "2018-06-30"},
        "no",
        Q_LABELS_DELETED,
    ),
    (
        "quality_label_migration",
        {"project_registered": "2018-06-30", "label_awarded": "2018-07-01"},
        "uncertain",
        Q_PORTFOLIO,
    ),
    (
        "quality_label_migration",
        {"project_registered": "2017-09-01", "label_awarded": "2019-06-15"},
        "uncertain",
        Q_LABELS_DELETED,
    ),
    ("quality_label_migration", {"project_registered": "2018-07-01"}, "uncertain", Q_LABELS_SCHOOL_YEAR),
    ("quality_label_migration", {"project_registered": "2018-07-02"}, "yes", Q_LABELS),
    # portfolio_activity_migration: activities as from 1.7.2018 are kept; a label as above
    ("portfolio_activity_migration", {"activity_date": "2018-06-30"}, "no", Q_PORTFOLIO_DELETED),
    (
        "portfolio_activity_migration",
        {"activity_date": "2018-07-01", "is_quality_label": False},
        "yes",
        Q_PORTFOLIO,
    ),
    (
        "portfolio_activity_migration",
        {"activity_date": "2018-07-02", "is_quality_label": False},
        "yes",
        Q_PORTFOLIO,
    ),
    (
        "portfolio_activity_migration",
        {"activity_date": "2019-06-15", "is_quality_label": True, "project_registered": "2017-09-01"},
        "uncertain",
        Q_LABELS_DELETED,
    ),
    (
        "portfolio_activity_migration",
        {"activity_date": "2019-06-15", "is_quality_label": True, "project_registered": "2018-09-01"},
        "yes",
        Q_LABELS,
    ),
    (
        "portfolio_activity_migration",
        {"activity_date": "2019-06-15", "is_quality_label": True, "project_registered": "2018-07-01"},
        "uncertain",
        Q_LABELS_SCHOOL_YEAR,
    ),
    # national_quality_label: first four submissions; two countries for projects in school education
    ("national_quality_label", {**NQL_OK, "submission_number": 3}, "yes", Q_NQL_COUNTRIES),
    ("national_quality_label", {**NQL_OK, "submission_number": 4}, "yes", Q_NQL_FOUR),
    ("national_quality_label", {**NQL_OK, "submission_number": 5}, "no", Q_NQL_FOUR),
    ("national_quality_label", {"submission_number": 5}, "no", Q_NQL_FOUR),
    ("national_quality_label", {**NQL_OK, "cofounder_country": "België"}, "no", Q_NQL_COUNTRIES),
    ("national_quality_label", {**NQL_OK, "founder_country": "Slovenija"}, "no", Q_NQL_COUNTRIES),
    ("national_quality_label", {**NQL_OK, "school_education": False}, "uncertain", Q_NQL_COUNTRIES),
    ("national_quality_label", {**NQL_OK, "cofounder_country": "United Kingdom"}, "uncertain", Q_NSO),
    ("national_quality_label", {**NQL_OK, "founder_country": "CH"}, "uncertain", Q_NSO),
    # european_quality_label: NQL from two different countries
    ("european_quality_label", {"nql_countries": []}, "no", Q_EQL),
    ("european_quality_label", {"nql_countries": ["BE"]}, "no", Q_EQL),
    ("european_quality_label", {"nql_countries": ["BE", "Belgium"]}, "no", Q_EQL),
    ("european_quality_label", {"nql_countries": ["BE", "SI"]}, "yes", Q_EQL_NOMINATE),
    ("european_quality_label", {"nql_countries": ["BE", "SI", "IT"]}, "yes", Q_EQL),
    # school_label: > 2 years, >= 3 active teachers, >= 1 NQL for a European project
    ("school_label", {**SCHOOL_OK, "years_registered": 1}, "no", Q_SCHOOL_YEARS),
    ("school_label", {**SCHOOL_OK, "years_registered": 2}, "no", Q_SCHOOL_YEARS),
    ("school_label", {**SCHOOL_OK, "years_registered": 2.5}, "yes", Q_SCHOOL_APPLY),
    ("school_label", {**SCHOOL_OK, "years_registered": "2,01"}, "yes", Q_SCHOOL_APPLY),
    ("school_label", {**SCHOOL_OK, "years_registered": 3}, "yes", Q_SCHOOL_APPLY),
    ("school_label", {**SCHOOL_OK, "active_teachers": 2}, "no", Q_SCHOOL_TEACHERS),
    ("school_label", {**SCHOOL_OK, "active_teachers": 3}, "yes", Q_SCHOOL_APPLY),
    ("school_label", {**SCHOOL_OK, "active_teachers": 4}, "yes", Q_SCHOOL_APPLY),
    ("school_label", {**SCHOOL_OK, "european_nql_count": 0}, "no", Q_SCHOOL_NQL),
    ("school_label", {**SCHOOL_OK, "european_nql_count": 1}, "yes", Q_SCHOOL_APPLY),
    ("school_label", {**SCHOOL_OK, "european_nql_count": 2}, "yes", Q_SCHOOL_APPLY),
    # project_reopen (as of 2026): the SL FAQ answers a project closed in January 2020 (new project,
    # no exception) and one closing in July 2022 (new project unless multiannual from the start)
    ("project_reopen", {"closed_on": "2020-01-15", "multiannual": False}, "no", Q_REOPEN_NEW),
    ("project_reopen", {"closed_on": "2020-01-15", "multiannual": True}, "no", Q_REOPEN_JANUARY),
    ("project_reopen", {"closed_on": "2020-01-31", "multiannual": "ja"}, "no", Q_REOPEN_NEW),
    ("project_reopen", {"closed_on": "2019-06-30", "multiannual": True}, "no", Q_REOPEN_NEW),
    ("project_reopen", {"closed_on": "2020-02-01", "multiannual": True}, "uncertain", Q_REOPEN_MULTIANNUAL),
    ("project_reopen", {"closed_on": "2022-06-30", "multiannual": True}, "uncertain", Q_REOPEN_EC),
    ("project_reopen", {"closed_on": "2022-06-30", "multiannual": False}, "no", Q_REOPEN_NEW),
    ("project_reopen", {"closed_on": "2022-07-01", "multiannual": True}, "yes", Q_REOPEN_MULTIANNUAL),
    ("project_reopen", {"closed_on": "2022-07-31", "multiannual": True}, "yes", Q_REOPEN_EC),
    ("project_reopen", {"closed_on": "2022-07-31", "multiannual": False}, "no", Q_REOPEN_MULTIANNUAL),
    ("project_reopen", {"closed_on": "2022-08-01", "multiannual": True}, "uncertain", Q_REOPEN_MULTIANNUAL),
    ("project_reopen", {"closed_on": "2024-05-10", "multiannual": False}, "uncertain", Q_REOPEN_JANUARY),
    # profile_migration
    ("profile_migration", PROFILE_OK, "yes", Q_PROFILE),
    ("profile_migration", {**PROFILE_OK, "accounts": ["seg"]}, "yes", Q_PROFILE),
    ("profile_migration", {**PROFILE_OK, "accounts": ["etwinning", "seg"]}, "yes", Q_ONLY_ETWINNING),
    (
        "profile_migration",
        {**PROFILE_OK, "accounts": ["etwinning", "teacher_academy"]},
        "yes",
        Q_TEACHER_ACADEMY,
    ),
    ("profile_migration", {**PROFILE_OK, "accounts": []}, "no", Q_PROFILE),
    ("profile_migration", {**PROFILE_OK, "same_email": False}, "no", Q_PROFILE),
    ("profile_migration", {**PROFILE_OK, "already_registered_with_other_email": True}, "no", Q_EMAIL_AFTER),
    ("profile_migration", {"already_registered_with_other_email": True}, "no", Q_EMAIL_AFTER),
    # seg_course_migration: reviewed courses are the exception when the provider contacted the helpdesk
    ("seg_course_migration", {"has_reviews": True, "contacted_helpdesk": True}, "yes", Q_SEG_EXCEPTION),
    ("seg_course_migration", {"has_reviews": True, "contacted_helpdesk": False}, "uncertain", Q_SEG_CONTACT),
    ("seg_course_migration", {"has_reviews": False}, "no", Q_SEG_COURSES),
    # single-input and no-input rules
    ("mailbox_migration", {"role": "teacher"}, "no", Q_MAILBOX),
    ("mailbox_migration", {"role": "pupil"}, "no", Q_MAILBOX_NL),
    ("contacts_migration", {}, "uncertain", Q_CONTACTS_NL),
    ("profile_picture_migration", {}, "uncertain", Q_PICTURES_NL),
    ("seg_certificates", {}, "no", Q_CERTS),
    ("toolkit_results", {}, "no", Q_TOOLKIT),
]


@pytest.mark.parametrize(("rule", "inputs", "expected", "source_quote"), BOUNDARIES)
def test_rule_boundaries_give_expected_verdict(
    rule: str, inputs: dict[str, object], expected: str, source_quote: str
) -> None:
    verdict = _verdict(rule, inputs)
    assert verdict.verdict == expected
    assert verdict.missing == []
    assert verdict.reasons, "a decided verdict rests on sourced reasons"
    assert {(r.source.entry, r.source.document) for r in verdict.reasons} == {
        (s.entry, s.document) for s in verdict.sources
    }
    assert_cites(verdict, source_quote)


# rule, inputs, as of, verdict, a phrase of the explanation, the source sentence
AS_OF_BOUNDARIES = [
    # the group activity window is still open on its last day, closed the day after
    ("group_migration", {"last_activity": "2020-12-31"}, dt.date(2022, 2, 21), "no", "still open", Q_GROUPS),
    (
        "group_migration",
        {"last_activity": "2020-12-31"},
        dt.date(2022, 2, 22),
        "no",
        "will not be migrated",
        Q_GROUPS_REMOVED,
    ),
    # inactive groups became read-only on 13.3.2022 (an event: past from that day on)
    (
        "group_migration",
        {"last_activity": "2020-12-31"},
        dt.date(2022, 3, 12),
        "no",
        "become read-only on 13 March 2022",
        Q_GROUPS_READ_ONLY,
    ),
    (
        "group_migration",
        {"last_activity": "2020-12-31"},
        dt.date(2022, 3, 13),
        "no",
        "became read-only on 13 March 2022",
        Q_GROUPS_READ_ONLY,
    ),
    # active groups move "as from the second semester 2022": certainly behind only once it has ended
    (
        "group_migration",
        {"last_activity": "2021-06-15"},
        dt.date(2022, 6, 30),
        "yes",
        "qualifies for migration",
        Q_GROUPS_SEMESTER,
    ),
    (
        "group_migration",
        {"last_activity": "2021-06-15"},
        dt.date(2022, 12, 30),
        "yes",
        "are due to move to the new platform with their members in the second semester of 2022",
        Q_GROUPS_SEMESTER,
    ),
    (
        "group_migration",
        {"last_activity": "2021-06-15"},
        dt.date(2022, 12, 31),
        "yes",
        "qualified for migration",
        Q_GROUPS_SEMESTER,
    ),
    # SEG course export: requests by 15.6.2022
    (
        "seg_course_migration",
        {"has_reviews": False},
        dt.date(2022, 6, 14),
        "no",
        "by 15 June 2022 at the latest",
        Q_SEG_EXPORT,
    ),
    (
        "seg_course_migration",
        {"has_reviews": False},
        dt.date(2022, 6, 15),
        "no",
        "by 15 June 2022 at the latest",
        Q_SEG_EXPORT,
    ),
    (
        "seg_course_migration",
        {"has_reviews": False},
        dt.date(2022, 6, 16),
        "no",
        "passed on 15 June 2022",
        Q_SEG_EXPORT,
    ),
    # reviewed courses: contact the helpdesk "latest by 15 May" (no year given: 2022 by the FAQ's date)
    (
        "seg_course_migration",
        {"has_reviews": True, "contacted_helpdesk": True},
        dt.date(2022, 5, 15),
        "yes",
        "by 15 May at the latest",
        Q_SEG_CONTACT,
    ),
    (
        "seg_course_migration",
        {"has_reviews": True, "contacted_helpdesk": True},
        dt.date(2022, 5, 16),
        "yes",
        "(15 May, in the FAQ of 2022) has passed",
        Q_SEG_CONTACT,
    ),
    # toolkit PDFs: "before July 2022", written so and never as a day
    (
        "toolkit_results",
        {},
        dt.date(2022, 6, 30),
        "no",
        "from your profile before July 2022.",
        Q_TOOLKIT_BEFORE,
    ),
    ("toolkit_results", {}, dt.date(2022, 7, 1), "no", "(before July 2022) has passed", Q_TOOLKIT_BEFORE),
    # SEG badges and certificates: "until the second semester 2022": ahead before it, may have
    # passed inside it, certainly passed from 1 January 2023
    (
        "seg_certificates",
        {},
        dt.date(2022, 6, 30),
        "no",
        "only until the second semester of 2022.",
        Q_CERTS_UNTIL,
    ),
    ("seg_certificates", {}, dt.date(2022, 7, 1), "no", "so they may already be gone", Q_CERTS_UNTIL),
    ("seg_certificates", {}, dt.date(2022, 12, 31), "no", "so they may already be gone", Q_CERTS_UNTIL),
    ("seg_certificates", {}, dt.date(2023, 1, 1), "no", "That period has passed", Q_CERTS_UNTIL),
    # the launch of 31.5.2022 switches the mailbox answer from future to past
    ("mailbox_migration", {"role": "teacher"}, dt.date(2022, 5, 30), "no", "will be deleted", Q_MAILBOX),
    (
        "mailbox_migration",
        {"role": "teacher"},
        dt.date(2022, 5, 31),
        "no",
        "are deleted, not carried over",
        Q_MAILBOX,
    ),
    # reopening: the sources speak of "after August 2022" only
    (
        "project_reopen",
        {"closed_on": "2022-07-15", "multiannual": False},
        dt.date(2022, 8, 31),
        "uncertain",
        "does not say whether a closed project can still be reopened before then",
        Q_REOPEN_NEW,
    ),
    (
        "project_reopen",
        {"closed_on": "2022-07-15", "multiannual": False},
        dt.date(2022, 9, 1),
        "no",
        "should create new projects after August 2022",
        Q_REOPEN_MULTIANNUAL,
    ),
    (
        "project_reopen",
        {"closed_on": "2020-01-15", "multiannual": True},
        dt.date(2022, 9, 1),
        "no",
        "closed in January 2020",
        Q_REOPEN_JANUARY,
    ),
    (
        "project_reopen",
        {"closed_on": "2022-07-15", "multiannual": True},
        dt.date(2022, 1, 10),
        "yes",
        "closed in July 2022 (15 July 2022)",
        Q_REOPEN_EC,
    ),
]


@pytest.mark.parametrize(("rule", "inputs", "as_of", "expected", "phrase", "source_quote"), AS_OF_BOUNDARIES)
def test_rule_as_of_boundaries_switch_verdict_and_tense(
    rule: str, inputs: dict[str, object], as_of: dt.date, expected: str, phrase: str, source_quote: str
) -> None:
    verdict = _verdict(rule, inputs, as_of=as_of)
    assert (verdict.verdict, verdict.as_of) == (expected, as_of)
    assert phrase in verdict.explanation
    assert_cites(verdict, source_quote)


def test_evaluate_without_as_of_uses_today() -> None:
    assert evaluate("contacts_migration", {}).as_of == dt.date.today()


NEED_MORE = [
    ("group_migration", {}, ["last_activity"]),
    ("group_migration", {"last_activity": None}, ["last_activity"]),
    ("group_migration", {"last_activity": "  "}, ["last_activity"]),
    ("twinspace_migration", {}, ["project_registered"]),
    ("quality_label_migration", {}, ["project_registered", "label_awarded"]),
    ("quality_label_migration", {"project_registered": "2017-09-01"}, ["label_awarded"]),
    (
        "portfolio_activity_migration",
        {"activity_date": "2019-03-10"},
        ["is_quality_label", "project_registered"],
    ),
    (
        "portfolio_activity_migration",
        {"activity_date": "2019-03-10", "is_quality_label": True},
        ["project_registered"],
    ),
    ("profile_migration", {}, ["same_email", "already_registered_with_other_email", "accounts"]),
    ("profile_migration", {"same_email": True}, ["already_registered_with_other_email", "accounts"]),
    ("profile_migration", {"same_email": True, "already_registered_with_other_email": False}, ["accounts"]),
    (
        "national_quality_label",
        {},
        ["founder_country", "cofounder_country", "submission_number", "school_education"],
    ),
    (
        "national_quality_label",
        {"founder_country": "BE"},
        ["cofounder_country", "submission_number", "school_education"],
    ),
    (
        "national_quality_label",
        {"founder_country": "BE", "cofounder_country": "SI"},
        ["submission_number", "school_education"],
    ),
    # the two-country condition is stated for projects in school education only
    (
        "national_quality_label",
        {"founder_country": "SI", "cofounder_country": "Slovenia", "submission_number": 1},
        ["school_education"],
    ),
    ("european_quality_label", {}, ["nql_countries"]),
    ("school_label", {}, ["years_registered", "active_teachers", "european_nql_count"]),
    ("school_label", {"years_registered": 3}, ["active_teachers", "european_nql_count"]),
    ("project_reopen", {}, ["closed_on", "multiannual"]),
    ("project_reopen", {"closed_on": "2022-07-15"}, ["multiannual"]),
    ("seg_course_migration", {}, ["has_reviews", "contacted_helpdesk"]),
    ("seg_course_migration", {"has_reviews": True}, ["contacted_helpdesk"]),
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
        ("quality_label_migration", {"project_registered": "2019-09-15"}),
        ("seg_course_migration", {"has_reviews": False}),
        ("project_reopen", {"closed_on": "2024-05-10"}),
        ("profile_migration", {"already_registered_with_other_email": True}),
    ],
)
def test_inputs_that_already_decide_need_no_more(rule: str, inputs: dict[str, object]) -> None:
    verdict = _verdict(rule, inputs)
    assert verdict.verdict in ("yes", "no", "uncertain")
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


def test_national_quality_label_fifth_submission_is_no_for_any_project() -> None:
    verdict = _verdict(
        "national_quality_label", {**NQL_OK, "cofounder_country": "BE", "submission_number": 5}
    )
    assert verdict.verdict == "no"
    assert [s.entry for s in verdict.sources] == ["howto-apply-national-quality-label"]
    assert "submission number 5" in verdict.explanation
    assert "does not say over which period" in verdict.explanation


def test_national_quality_label_same_country_is_no_naming_school_education() -> None:
    verdict = _verdict("national_quality_label", {**NQL_OK, "cofounder_country": "BE"})
    assert verdict.verdict == "no"
    assert [s.entry for s in verdict.sources] == ["howto-quality-label-eligibility"]
    assert "projects in school education must have a founder and a co-founder" in verdict.explanation


def test_national_quality_label_country_no_source_covers_is_uncertain() -> None:
    verdict = _verdict("national_quality_label", {**NQL_OK, "cofounder_country": "GB"})
    assert verdict.verdict == "uncertain"
    assert "United Kingdom" in verdict.explanation
    assert "none of the sources says" in verdict.explanation


def test_national_quality_label_prompt_asks_no_count_of_all_applications() -> None:
    prompts = [i.prompt.en for r in list_rules() if r.name == "national_quality_label" for i in r.inputs]
    assert not any("all your" in p for p in prompts)


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


@pytest.mark.parametrize("lang", ["en", "nl", "sl"])
def test_project_reopen_closed_january_2020_multiannual_is_no(lang: str) -> None:
    # The SL FAQ was asked exactly this; its multiannual exception is for projects closing in July 2022.
    verdict = _verdict("project_reopen", {"closed_on": "15.1.2020", "multiannual": "yes"}, lang=lang)
    assert verdict.verdict == "no"
    assert "sl-reopen-closed-project" in {s.entry for s in verdict.sources}


def test_project_reopen_never_promises_reopening_until_august() -> None:
    for as_of in (dt.date(2022, 1, 10), dt.date(2022, 8, 31), TODAY):
        for closed_on in ("2020-01-15", "2021-11-30", "2022-07-15"):
            verdict = _verdict("project_reopen", {"closed_on": closed_on, "multiannual": False}, as_of=as_of)
            assert verdict.verdict != "yes"
            assert "until the end of August" not in verdict.explanation


def test_seg_course_migration_reviewed_course_asks_whether_helpdesk_was_contacted() -> None:
    verdict = _verdict("seg_course_migration", {"has_reviews": True})
    assert verdict.verdict == "need_more" and verdict.missing == ["contacted_helpdesk"]
    assert "by 15 May," in verdict.explanation  # the FAQ's words: no year


@pytest.mark.parametrize(
    ("project_registered", "label_awarded"),
    [
        ("2017-09-01", "2018-03-01"),
        ("2017-09-01", "2018-06-30"),
        ("2017-09-01", "2018-07-01"),
        ("2017-09-01", "2020-05-01"),
        ("2018-07-01", "2019-05-01"),
        ("2018-07-02", "2019-05-01"),
        ("2020-01-10", "2021-05-01"),
    ],
)
def test_quality_label_and_portfolio_rules_agree_on_a_label(
    project_registered: str, label_awarded: str
) -> None:
    labels = _verdict(
        "quality_label_migration", {"project_registered": project_registered, "label_awarded": label_awarded}
    )
    portfolio = _verdict(
        "portfolio_activity_migration",
        {"activity_date": label_awarded, "is_quality_label": True, "project_registered": project_registered},
    )
    assert labels.verdict == portfolio.verdict


def test_quality_label_migration_yes_does_not_claim_labels_were_carried_over() -> None:
    for lang in ("en", "nl", "sl"):
        verdict = _verdict("quality_label_migration", {"project_registered": "2019-09-15"}, lang=lang)
        assert verdict.verdict == "yes"
        assert "25.2.2022" in verdict.explanation or "25. 2. 2022" in verdict.explanation
    english = _verdict("quality_label_migration", {"project_registered": "2019-09-15"}).explanation
    assert "were carried over" not in english and "written before the launch" in english


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
        "quality_label_migration": [("project_registered", "date"), ("label_awarded", "date")],
        "portfolio_activity_migration": [
            ("activity_date", "date"),
            ("is_quality_label", "bool"),
            ("project_registered", "date"),
        ],
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
            ("school_education", "bool"),
        ],
        "european_quality_label": [("nql_countries", "country_list")],
        "school_label": [
            ("years_registered", "number"),
            ("active_teachers", "int"),
            ("european_nql_count", "int"),
        ],
        "seg_course_migration": [("has_reviews", "bool"), ("contacted_helpdesk", "bool")],
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


def _outcome_index(rule: str, inputs: dict[str, object], as_of: dt.date) -> int:
    """Which of the rule's outcomes (``RuleDef.outcomes()``) the inputs select, as evaluate picks it."""
    from knowledge.rules.engine import decide
    from knowledge.rules.schema import AS_OF

    book = load_rulebook()
    definition = book.rules[rule]
    values = {name: parse_input(rule, name, raw) for name, raw in inputs.items()}
    decision = decide(definition, {**values, AS_OF: as_of}, book.operands)
    assert decision.outcome is not None, (rule, inputs, decision.missing)
    return next(i for i, outcome in enumerate(definition.outcomes()) if outcome is decision.outcome)


def test_every_rule_case_has_a_test_row_citing_its_source_sentence() -> None:
    # Each case of each rule file (and each criteria rule's met / not met) is reached by a row of
    # BOUNDARIES or AS_OF_BOUNDARIES, whose source sentence test_rule_*boundaries* check.
    reached = {(rule, _outcome_index(rule, inputs, TODAY)) for rule, inputs, _, _ in BOUNDARIES}
    reached |= {(rule, _outcome_index(rule, inputs, as_of)) for rule, inputs, as_of, *_ in AS_OF_BOUNDARIES}
    every = {(name, i) for name, rule in load_rulebook().rules.items() for i in range(len(rule.outcomes()))}
    assert sorted(every - reached) == []
