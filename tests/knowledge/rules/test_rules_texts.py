"""Explanations: written in the requested language, conflicts name both sources, and nothing
that lies behind the as-of date is phrased as still to come."""

import datetime as dt
import re

import pytest

from knowledge.rules import Verdict, evaluate, list_rules

pytestmark = pytest.mark.unit

TODAY = dt.date(2026, 11, 26)
EARLY_2022 = dt.date(2022, 1, 10)
LANGS = ("en", "nl", "sl")
MARKERS = {
    "en": {"the", "your", "you", "of"},
    "nl": {"je", "de", "het", "van", "een"},
    "sl": {"je", "so", "na", "vaš", "vaša", "vaše", "ste", "v"},
}
FUTURE = {"en": r"\bwill\b", "nl": r"\b(zal|zullen)\b", "sl": r"\b(bo|bodo|bosta|bom)\b"}

# One row per case of every rule, so each text variant is rendered.
CASES = [
    ("group_migration", {"last_activity": "2020-05-01"}),
    ("group_migration", {"last_activity": "2021-06-15"}),
    ("group_migration", {"last_activity": "2022-02-22"}),
    ("group_migration", {"last_activity": "2022-04-01"}),
    ("twinspace_migration", {"project_registered": "2017-09-01"}),
    ("twinspace_migration", {"project_registered": "2018-07-01"}),
    ("twinspace_migration", {"project_registered": "2019-09-15"}),
    ("quality_label_migration", {"project_registered": "2017-09-01", "label_awarded": "2018-03-01"}),
    ("quality_label_migration", {"project_registered": "2017-09-01", "label_awarded": "2019-03-01"}),
    ("quality_label_migration", {"project_registered": "2018-07-01"}),
    ("quality_label_migration", {"project_registered": "2019-09-15"}),
    ("portfolio_activity_migration", {"activity_date": "2017-03-10"}),
    ("portfolio_activity_migration", {"activity_date": "2019-03-10", "is_quality_label": False}),
    (
        "portfolio_activity_migration",
        {"activity_date": "2019-03-10", "is_quality_label": True, "project_registered": "2018-09-01"},
    ),
    (
        "portfolio_activity_migration",
        {"activity_date": "2019-03-10", "is_quality_label": True, "project_registered": "2018-07-01"},
    ),
    (
        "portfolio_activity_migration",
        {"activity_date": "2019-03-10", "is_quality_label": True, "project_registered": "2017-09-01"},
    ),
    ("contacts_migration", {}),
    ("profile_picture_migration", {}),
    ("mailbox_migration", {"role": "teacher"}),
    ("mailbox_migration", {"role": "pupil"}),
    ("project_reopen", {"closed_on": "2022-07-31", "multiannual": True}),
    ("project_reopen", {"closed_on": "2022-07-31", "multiannual": False}),
    ("project_reopen", {"closed_on": "2021-07-31", "multiannual": False}),
    ("project_reopen", {"closed_on": "2020-01-15", "multiannual": True}),
    ("project_reopen", {"closed_on": "2021-07-31", "multiannual": True}),
    ("project_reopen", {"closed_on": "2023-07-31", "multiannual": True}),
    ("profile_migration", {"already_registered_with_other_email": True}),
    ("profile_migration", {"same_email": False, "already_registered_with_other_email": False}),
    ("profile_migration", {"same_email": True, "already_registered_with_other_email": False, "accounts": []}),
    (
        "profile_migration",
        {"same_email": True, "already_registered_with_other_email": False, "accounts": "etwinning, seg"},
    ),
    (
        "profile_migration",
        {
            "same_email": True,
            "already_registered_with_other_email": False,
            "accounts": "etwinning, teacher_academy",
        },
    ),
    (
        "profile_migration",
        {"same_email": True, "already_registered_with_other_email": False, "accounts": "seg"},
    ),
    (
        "national_quality_label",
        {
            "founder_country": "BE",
            "cofounder_country": "SI",
            "submission_number": 2,
            "school_education": True,
        },
    ),
    ("national_quality_label", {"founder_country": "BE", "cofounder_country": "BE", "submission_number": 6}),
    (
        "national_quality_label",
        {
            "founder_country": "BE",
            "cofounder_country": "BE",
            "submission_number": 2,
            "school_education": True,
        },
    ),
    (
        "national_quality_label",
        {
            "founder_country": "BE",
            "cofounder_country": "SI",
            "submission_number": 2,
            "school_education": False,
        },
    ),
    (
        "national_quality_label",
        {
            "founder_country": "GB",
            "cofounder_country": "SI",
            "submission_number": 2,
            "school_education": True,
        },
    ),
    ("european_quality_label", {"nql_countries": []}),
    ("european_quality_label", {"nql_countries": "BE"}),
    ("european_quality_label", {"nql_countries": "BE, SI"}),
    ("school_label", {"years_registered": 3, "active_teachers": 4, "european_nql_count": 1}),
    ("school_label", {"years_registered": 1, "active_teachers": 1, "european_nql_count": 0}),
    ("seg_course_migration", {"has_reviews": True, "contacted_helpdesk": True}),
    ("seg_course_migration", {"has_reviews": True, "contacted_helpdesk": False}),
    ("seg_course_migration", {"has_reviews": False}),
    ("seg_certificates", {}),
    ("toolkit_results", {}),
]


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.lower()))


def _all_text(verdict: Verdict) -> str:
    return " ".join([verdict.explanation, *(r.text for r in verdict.reasons)])


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(("rule", "inputs"), CASES)
def test_explanation_is_written_in_requested_language(
    rule: str, inputs: dict[str, object], lang: str
) -> None:
    verdict = evaluate(rule, inputs, lang=lang, as_of=TODAY)
    assert verdict.lang == lang
    assert len(verdict.explanation) > 40
    assert _words(verdict.explanation) & MARKERS[lang]
    if lang != "en":
        assert not _words(verdict.explanation) & {"the", "your", "will"}
    assert "{" not in _all_text(verdict) and "}" not in _all_text(verdict)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(("rule", "inputs"), CASES)
def test_as_of_today_nothing_from_2022_is_in_future_tense(
    rule: str, inputs: dict[str, object], lang: str
) -> None:
    text = _all_text(evaluate(rule, inputs, lang=lang, as_of=TODAY))
    assert not re.search(FUTURE[lang], text, re.IGNORECASE), text


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("spec", list_rules(), ids=lambda spec: spec.name)
def test_rule_examples_give_a_verdict_in_each_language(spec, lang: str) -> None:  # type: ignore[no-untyped-def]
    verdict = evaluate(spec.name, {i.name: i.example for i in spec.inputs}, lang=lang, as_of=TODAY)
    assert verdict.verdict in ("yes", "no", "uncertain")
    assert spec.title.get(lang) and all(i.prompt.get(lang) for i in spec.inputs)


@pytest.mark.parametrize(
    ("rule", "inputs", "as_of", "phrase"),
    [
        ("group_migration", {"last_activity": "2021-06-15"}, EARLY_2022, "qualifies for migration"),
        ("group_migration", {"last_activity": "2021-06-15"}, EARLY_2022, "are due to move"),
        ("mailbox_migration", {"role": "teacher"}, EARLY_2022, "will be deleted"),
        ("group_migration", {"last_activity": "2020-05-01"}, EARLY_2022, "still open"),
        ("seg_course_migration", {"has_reviews": False}, EARLY_2022, "will not be migrated"),
        ("seg_course_migration", {"has_reviews": False}, EARLY_2022, "by 15 June 2022 at the latest"),
        ("toolkit_results", {}, EARLY_2022, "before July 2022"),
        ("seg_certificates", {}, EARLY_2022, "only until the second semester of 2022"),
        (
            "project_reopen",
            {"closed_on": "2022-07-31", "multiannual": False},
            EARLY_2022,
            "what applies after August 2022",
        ),
    ],
)
def test_as_of_early_2022_deadlines_are_ahead(
    rule: str, inputs: dict[str, object], as_of: dt.date, phrase: str
) -> None:
    verdict = evaluate(rule, inputs, as_of=as_of)
    assert phrase in verdict.explanation
    assert "passed on" not in verdict.explanation


@pytest.mark.parametrize(
    ("lang", "phrase"),
    [
        ("en", "passed on 15 June 2022"),
        ("nl", "is verstreken op 15 juni 2022"),
        ("sl", "je potekel 15. 6. 2022"),
    ],
)
def test_passed_deadline_is_dated_in_each_language(lang: str, phrase: str) -> None:
    assert (
        phrase in evaluate("seg_course_migration", {"has_reviews": "no"}, lang=lang, as_of=TODAY).explanation
    )


@pytest.mark.parametrize(
    ("lang", "phrase"),
    [
        ("en", "from Belgium, Italy and Slovenia"),
        ("nl", "uit België, Italië en Slovenië"),
        ("sl", "iz teh držav: Belgija, Italija in Slovenija"),
    ],
)
def test_country_list_is_joined_with_and_in_each_language(lang: str, phrase: str) -> None:
    inputs = {"nql_countries": ["BE", "IT", "SI"]}
    assert phrase in evaluate("european_quality_label", inputs, lang=lang, as_of=TODAY).explanation


# rule, inputs, the two sides (entry ids) and, per language, a phrase naming each side
CONFLICTS = [
    (
        "group_migration",
        {"last_activity": "22.2.2022"},
        ("ec-en-groups-migration", "ec-en-groups-membership"),
        {
            "en": ("Questions 1 and 2", "question 14"),
            "nl": ("Vragen 1 en 2", "vraag 14"),
            "sl": ("1. in 2. vprašanje", "14. vprašanje"),
        },
    ),
    (
        "twinspace_migration",
        {"project_registered": "15.9.2019"},
        ("ec-en-twinspace-content", "nl-twinspace-content"),
        {
            "en": ("European Commission", "Flemish NSO"),
            "nl": ("Europese Commissie", "Vlaamse NSO"),
            "sl": ("Evropske komisije", "flamska"),
        },
    ),
    (
        "contacts_migration",
        {},
        ("ec-en-contacts-followers", "nl-contacts-followers"),
        {
            "en": ("European Commission", "Flemish NSO"),
            "nl": ("Europese Commissie", "Vlaamse NSO"),
            "sl": ("Evropske komisije", "flamska"),
        },
    ),
    (
        "profile_picture_migration",
        {},
        ("ec-en-profile-pictures", "nl-profile-pictures"),
        {
            "en": ("European Commission", "Flemish NSO"),
            "nl": ("Europese Commissie", "Vlaamse NSO"),
            "sl": ("Evropske komisije", "flamska"),
        },
    ),
]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(("rule", "inputs", "entries", "names"), CONFLICTS, ids=[c[0] for c in CONFLICTS])
def test_conflict_is_uncertain_and_names_both_sources(
    rule: str,
    inputs: dict[str, object],
    entries: tuple[str, str],
    names: dict[str, tuple[str, str]],
    lang: str,
) -> None:
    verdict = evaluate(rule, inputs, lang=lang, as_of=TODAY)
    assert verdict.verdict == "uncertain"
    assert set(entries) <= {s.entry for s in verdict.sources}
    for name in names[lang]:
        assert name.lower() in verdict.explanation.lower()


@pytest.mark.parametrize("lang", LANGS)
def test_conflicts_with_the_flemish_nso_name_its_2023_update(lang: str) -> None:
    for rule, inputs in [
        ("twinspace_migration", {"project_registered": "2019-09-15"}),
        ("contacts_migration", {}),
    ]:
        verdict = evaluate(rule, inputs, lang=lang, as_of=TODAY)
        assert "EPOS Vlaanderen" in verdict.explanation
        assert "2023" in verdict.explanation
        assert {"ec-faq-en", "nso-flanders-faq-nl"} <= {s.document for s in verdict.sources}
