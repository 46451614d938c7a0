"""Rule checks as a conversation: facts from every message, answers first, ways out of a form,
corrections and the language switch (actions/rules_forms.py, actions/rule_checks.py), with
CollectingDispatcher and real knowledge/rules code: events and response keys."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import ActionExecutor

from tests.factories import load_domain, make_tracker, user_event
from tests.factories import run_action as run

LISTEN = {"event": "action", "name": "action_listen"}


@pytest.fixture(scope="module")
def domain() -> dict[str, Any]:
    return load_domain()


@pytest.fixture(scope="module")
def registry() -> dict[str, Any]:
    executor = ActionExecutor()
    executor.register_package("actions")
    return dict(executor.actions)


def slots(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def responses(messages: list[dict[str, Any]]) -> list[str]:
    """The response keys, without the notes an answer may carry."""
    return [m["response"] for m in said(messages) if m["response"] != "utter_faq_notes"]


def said(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The messages that are responses (not the reply items the actions attach, nor notes)."""
    return [m for m in messages if m.get("response") and m["response"] != "utter_faq_notes"]


def started(text: str, intent: str, lang: str = "en", confidence: float = 1.0, **slot_values: Any) -> Tracker:
    """A form run on the message that started it (``confidence``: the NLU's in ``intent``)."""
    form = intent.removeprefix("check_") + "_form"
    slots = {"language": lang, **slot_values}
    return make_tracker(text, intent, slots, events=[LISTEN], active_loop=form, confidence=confidence)


def answered(text: str, intent: str, form: str, asked: str, lang: str = "en", **slot_values: Any) -> Tracker:
    """A form run on a message sent while it waited for ``asked``."""
    return make_tracker(
        text,
        intent,
        {"language": lang, "requested_slot": asked, **slot_values},
        filled={asked: text},
        events=[LISTEN],
        active_loop=form,
    )


# --- facts from the message that starts a form -------------------------------------------


@pytest.mark.unit
@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("our group had a post on 10.5.2021, will it be migrated?", "en"),
        ("onze groep had een bericht op 10.5.2021, wordt ze gemigreerd?", "nl"),
        ("v naši skupini je bila objava 10. 5. 2021, bo prenesena?", "sl"),
    ],
)
def test_form_start_reads_the_fact_in_the_question_and_asks_nothing(
    registry, domain, text: str, lang: str
) -> None:  # type: ignore[no-untyped-def]
    events, messages = run(
        registry, "validate_group_migration_form", started(text, "check_group_migration", lang), domain
    )
    assert messages == []
    assert slots(events)["last_activity"] == "2021-05-10" and slots(events)["requested_slot"] is None


@pytest.mark.unit
def test_form_start_with_both_founders_asks_only_what_is_missing(registry, domain) -> None:  # type: ignore[no-untyped-def]
    tracker = started(
        "both founders are in Belgium, can we get a national quality label?", "check_national_quality_label"
    )
    events, _ = run(registry, "validate_national_quality_label_form", tracker, domain)
    assert slots(events)["founder_country"] == slots(events)["cofounder_country"] == "BE"
    assert slots(events)["requested_slot"] == "submission_number"  # the countries are not asked


@pytest.mark.unit
@pytest.mark.parametrize(
    ("text", "intent", "form"),
    [
        ("what happens to my mailbox messages?", "check_mailbox_migration", "mailbox_migration"),
        ("wat gebeurt er met mijn berichten in de mailbox?", "check_mailbox_migration", "mailbox_migration"),
        ("groups", "check_group_migration", "group_migration"),
    ],
)
def test_form_start_on_a_general_question_answers_it_first(
    registry, domain, text: str, intent: str, form: str
) -> None:  # type: ignore[no-untyped-def]
    events, messages = run(registry, f"validate_{form}_form", started(text, intent), domain)
    assert messages == [] and slots(events) == {"answer_first": True, "requested_slot": None}


@pytest.mark.unit
@pytest.mark.parametrize(
    ("text", "intent", "lang", "confidence"),
    [   # the NLU's confidence as the trained model gave it (2026-12-05)
        ("can i log in with my old etwinning account?", "check_profile_migration", "en", 0.57),
        ("kan ik me nog aanmelden met mijn vorige etwinning login?", "check_profile_migration", "nl", 0.54),
        ("our project is still running, can we go on using our twinspace on the old platform?", "check_twinspace_migration", "en", 0.95),
        ("ons project loopt nog, kunnen we verder werken in onze oude twinspace?", "check_twinspace_migration", "nl", 0.95),
    ],
)  # fmt: skip
def test_own_case_question_on_a_topic_without_this_check_is_answered_first(
    registry, domain, text: str, intent: str, lang: str, confidence: float
) -> None:  # type: ignore[no-untyped-def]
    form = intent.removeprefix("check_")
    tracker = started(text, intent, lang, confidence=confidence)
    events, messages = run(registry, f"validate_{form}_form", tracker, domain)
    assert messages == [] and slots(events) == {"answer_first": True, "requested_slot": None}


@pytest.mark.unit
@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("can our project get a national quality label? I'm the founder", "en"),
        ("kan ons project een nationaal kwaliteitslabel krijgen? ik ben de oprichter", "nl"),
    ],
)
def test_own_case_question_the_nlu_is_sure_of_starts_the_check(
    registry, domain, text: str, lang: str
) -> None:  # type: ignore[no-untyped-def]
    # The FAQ answers on how to apply (a topic the rule's facts do not cite); the NLU is sure.
    tracker = started(text, "check_national_quality_label", lang, confidence=0.99)
    events, _ = run(registry, "validate_national_quality_label_form", tracker, domain)
    assert slots(events)["requested_slot"] == "founder_country" and slots(events)["answer_first"] is None


@pytest.mark.integration
def test_verdict_action_after_a_general_question_answers_and_offers_the_check(registry, domain) -> None:  # type: ignore[no-untyped-def]
    tracker = make_tracker(
        "what happens to my mailbox messages?", "check_mailbox_migration", {"answer_first": True}
    )
    events, messages = run(registry, "action_check_rule", tracker, domain)
    assert responses(messages) == ["utter_faq_answer", "utter_offer_check"]
    assert said(messages)[1]["buttons"][0]["payload"] == "/check_mailbox_migration"
    assert slots(events)["answer_first"] is None and slots(events)["rule_context"] == ["mailbox_migration"]


@pytest.mark.unit
def test_form_start_on_own_case_asks_with_the_prompt_and_a_stop_button(registry, domain) -> None:  # type: ignore[no-untyped-def]
    tracker = started("Will my eTwinning group be migrated? I'm the admin of one", "check_group_migration")
    events, _ = run(registry, "validate_group_migration_form", tracker, domain)
    assert slots(events)["requested_slot"] == "last_activity"


@pytest.mark.unit
def test_check_button_starts_the_form_without_the_general_answer(registry, domain) -> None:  # type: ignore[no-untyped-def]
    tracker = started("/check_mailbox_migration", "check_mailbox_migration")
    events, _ = run(registry, "validate_mailbox_migration_form", tracker, domain)
    assert slots(events)["requested_slot"] == "role"


# --- dates at their precision ---------------------------------------------------------------


@pytest.mark.unit
def test_month_that_straddles_the_window_is_asked_to_the_day(registry, domain) -> None:  # type: ignore[no-untyped-def]
    form = "group_migration_form"
    events, _ = run(
        registry,
        "validate_group_migration_form",
        answered("february 2022", "inform", form, "last_activity"),
        domain,
    )
    assert slots(events)["last_activity"] is None and slots(events)["requested_slot"] == "last_activity"
    notice = slots(events)["form_notice"]
    assert notice == {"kind": "precise", "slot": "last_activity", "span": "2022-02", "boundary": "2022-02-22"}
    tracker = make_tracker(
        "february 2022", "inform", {"form_notice": notice, "language": "nl"}, active_loop=form
    )
    _, messages = run(registry, "action_ask_last_activity", tracker, domain)
    assert responses(messages) == ["utter_rule_precise"]
    assert messages[0]["span"] == "februari 2022" and messages[0]["boundary"] == "22 februari 2022"
    assert messages[0]["example"] == "15.6.2021"  # the prompt with its example is not repeated


@pytest.mark.unit
def test_month_inside_the_window_decides_without_a_day(registry, domain) -> None:  # type: ignore[no-untyped-def]
    form = "group_migration_form"
    events, _ = run(
        registry,
        "validate_group_migration_form",
        answered("june 2021", "inform", form, "last_activity"),
        domain,
    )
    assert slots(events)["last_activity"] == "2021-06" and slots(events)["requested_slot"] is None


@pytest.mark.unit
def test_relative_date_after_the_old_platform_is_asked_again_with_what_was_understood(
    registry, domain
) -> None:  # type: ignore[no-untyped-def]
    form = "group_migration_form"
    tracker = answered("vorig jaar in mei", "inform", form, "last_activity", "nl")
    events, _ = run(registry, "validate_group_migration_form", tracker, domain)
    notice = slots(events)["form_notice"]
    assert (
        notice["kind"] == "after_platform"
        and notice["span"] == "2025-05"
        and slots(events)["last_activity"] is None
    )
    asked = make_tracker(
        "vorig jaar in mei", "inform", {"form_notice": notice, "language": "nl"}, active_loop=form
    )
    _, messages = run(registry, "action_ask_last_activity", asked, domain)
    assert responses(messages) == ["utter_rule_after_platform", "utter_rule_question"]
    assert messages[0]["span"] == "mei 2025" and messages[0]["words"] == "vorig jaar in mei"


# --- questions: one example in the teacher's format, quick replies ------------------------


@pytest.mark.unit
@pytest.mark.parametrize(("lang", "yes"), [("en", "Yes"), ("nl", "Ja"), ("sl", "Da")])
def test_yes_no_question_has_yes_no_and_stop_quick_replies(registry, domain, lang: str, yes: str) -> None:  # type: ignore[no-untyped-def]
    tracker = make_tracker("", None, {"language": lang}, active_loop="project_reopen_form")
    _, messages = run(registry, "action_ask_multiannual", tracker, domain)
    assert responses(messages) == ["utter_rule_question_yes_no"]
    variant = next(
        v for v in domain["responses"]["utter_rule_question_yes_no"]
        if lang == "en" and "condition" not in v or any(c["value"] == lang for c in v.get("condition", []))
    )  # fmt: skip
    assert [b["payload"] for b in variant["buttons"]] == ["/affirm", "/deny", "/stop"]
    assert variant["buttons"][0]["title"] == yes


@pytest.mark.unit
@pytest.mark.parametrize(("lang", "example"), [("en", "Slovenia"), ("nl", "Slovenië"), ("sl", "Slovenija")])
def test_question_example_is_in_the_teachers_language(registry, domain, lang: str, example: str) -> None:  # type: ignore[no-untyped-def]
    tracker = make_tracker("", None, {"language": lang}, active_loop="national_quality_label_form")
    _, messages = run(registry, "action_ask_cofounder_country", tracker, domain)
    assert responses(messages) == ["utter_rule_question_example"] and messages[0]["example"] == example


@pytest.mark.unit
def test_choice_question_offers_the_choices_in_the_language(registry, domain) -> None:  # type: ignore[no-untyped-def]
    tracker = make_tracker("", None, {"language": "nl"}, active_loop="mailbox_migration_form")
    _, messages = run(registry, "action_ask_role", tracker, domain)
    assert [b["title"] for b in messages[0]["buttons"]] == ["leerkracht", "leerling"]


@pytest.mark.unit
def test_yes_quick_reply_answers_the_yes_no_question(registry, domain) -> None:  # type: ignore[no-untyped-def]
    tracker = answered("/affirm", "affirm", "project_reopen_form", "multiannual", closed_on="2022-07-31")
    events, _ = run(registry, "validate_project_reopen_form", tracker, domain)
    assert slots(events)["multiannual"] is True and slots(events)["requested_slot"] is None


# --- ways out of a form --------------------------------------------------------------------


@pytest.mark.unit
@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("will I keep my contacts on the new platform?", "ask_faq"),
        ("pa moj twinspace?", "check_twinspace_migration"),
        ("i don't know the date", "dont_know"),
        ("thanks", "thanks"),
        ("this bot is useless", "feedback_negative"),
    ],
)
def test_message_that_is_no_answer_rejects_the_form(registry, domain, text: str, intent: str) -> None:  # type: ignore[no-untyped-def]
    tracker = answered(text, intent, "group_migration_form", "last_activity")
    events, messages = run(registry, "validate_group_migration_form", tracker, domain)
    assert messages == [] and events[-1] == {
        "event": "action_execution_rejected",
        "timestamp": None,
        "name": "group_migration_form",
        "policy": None,
        "confidence": None,
    }
    assert slots(events) == {"last_activity": None}


@pytest.mark.integration
def test_new_question_during_a_form_is_answered_and_the_form_left(registry, domain) -> None:  # type: ignore[no-untyped-def]
    tracker = make_tracker(
        "will I keep my contacts on the new platform?", "ask_faq", active_loop="group_migration_form"
    )
    events, messages = run(registry, "action_answer_faq", tracker, domain)
    assert responses(messages)[0] == "utter_faq_answer"
    assert {"event": "active_loop", "timestamp": None, "name": None} in events
    assert slots(events)["requested_slot"] is None


@pytest.mark.integration
@pytest.mark.parametrize("lang", ["en", "nl", "sl"])
def test_dont_know_during_a_form_leaves_it_with_the_general_answer(registry, domain, lang: str) -> None:  # type: ignore[no-untyped-def]
    tracker = make_tracker("no idea", "dont_know", {"language": lang}, active_loop="group_migration_form")
    events, messages = run(registry, "action_dont_know", tracker, domain)
    assert responses(messages) == ["utter_dont_know_in_form", "utter_faq_answer"]
    assert {"event": "active_loop", "timestamp": None, "name": None} in events


@pytest.mark.unit
def test_dont_know_outside_a_form_says_that_is_fine(registry, domain) -> None:  # type: ignore[no-untyped-def]
    events, messages = run(
        registry, "action_dont_know", make_tracker("geen idee", "dont_know", {"language": "nl"}), domain
    )
    assert events == [] and responses(messages) == ["utter_dont_know"]


@pytest.mark.unit
def test_complaint_during_a_form_apologises_offers_a_person_and_leaves(registry, domain) -> None:  # type: ignore[no-untyped-def]
    tracker = make_tracker("this bot is useless", "feedback_negative", active_loop="group_migration_form")
    events, messages = run(registry, "action_feedback", tracker, domain)
    assert responses(messages) == ["utter_feedback_sorry"]
    assert {"event": "active_loop", "timestamp": None, "name": None} in events


# --- corrections after a verdict ---------------------------------------------------------


@pytest.mark.unit
@pytest.mark.parametrize(
    ("text", "intent", "lang", "changes"),
    [
        ("wait no, it was 15.9.2019", "inform", "en", "10 May 2021 → 15 September 2019"),
        ("nee, het was 2020", "deny", "nl", "10 mei 2021 → 2020"),
        ("ne, bilo je 15. 9. 2019", "deny", "sl", "10. 5. 2021 → 15. 9. 2019"),
    ],
)
def test_correction_after_a_verdict_recomputes_and_says_what_changed(
    registry, domain, text: str, intent: str, lang: str, changes: str
) -> None:  # type: ignore[no-untyped-def]
    previous = {"rule": "group_migration", "facts": {"last_activity": "2021-05-10"}}
    tracker = make_tracker(
        text,
        intent,
        {
            "language": lang,
            "last_activity": "2021-05-10",
            "verdict_facts": previous,
            "rule_context": ["group_migration"],
        },
    )
    events, messages = run(registry, "action_update_facts", tracker, domain)
    assert responses(messages) == ["utter_facts_changed", "utter_rule_verdict"]
    assert said(messages)[0]["changes"] == changes and said(messages)[1]["explanation"].startswith(
        ("No", "Nee", "Ne")
    )
    assert slots(events)["verdict_facts"]["facts"]["last_activity"] != "2021-05-10"


@pytest.mark.unit
def test_partner_country_correction_recomputes_the_label_verdict(registry, domain) -> None:  # type: ignore[no-untyped-def]
    facts = {
        "founder_country": "BE",
        "cofounder_country": "BE",
        "submission_number": 1,
        "school_education": True,
    }
    tracker = make_tracker(
        "nee sorry, mijn partner zit in nederland",
        "inform",
        {
            "language": "nl",
            **facts,
            "verdict_facts": {"rule": "national_quality_label", "facts": facts},
            "rule_context": ["national_quality_label"],
        },
    )
    events, messages = run(registry, "action_update_facts", tracker, domain)
    assert said(messages)[0]["changes"] == "België → Nederland"
    assert said(messages)[1]["explanation"].startswith("Ja") and slots(events)["cofounder_country"] == "NL"


@pytest.mark.integration
def test_fact_with_no_rule_to_update_is_answered_as_a_question(registry, domain) -> None:  # type: ignore[no-untyped-def]
    _, messages = run(
        registry, "action_update_facts", make_tracker("How do I register on ESEP?", "inform"), domain
    )
    assert responses(messages)[0] in ("utter_faq_answer", "utter_faq_clarify")


@pytest.mark.unit
def test_yes_after_an_offered_check_starts_its_form(registry, domain) -> None:  # type: ignore[no-untyped-def]
    tracker = make_tracker(
        "yes", "affirm", {"rule_context": ["group_migration"], "last_answer": "faq:groups-migration"}
    )
    events, messages = run(registry, "action_update_facts", tracker, domain)
    assert messages == [] and events == [
        {"event": "followup", "timestamp": None, "name": "group_migration_form"}
    ]


@pytest.mark.unit
def test_fact_after_an_offered_check_gives_the_verdict(registry, domain) -> None:  # type: ignore[no-untyped-def]
    tracker = make_tracker(
        "our last post was in march 2021",
        "inform",
        {"rule_context": ["group_migration"], "last_answer": "faq:groups-migration"},
    )
    events, messages = run(registry, "action_update_facts", tracker, domain)
    assert responses(messages) == ["utter_rule_verdict"] and slots(events)["last_activity"] == "2021-03"


# --- language --------------------------------------------------------------------------------


@pytest.mark.unit
def test_language_switch_repeats_the_last_verdict_in_the_new_language(registry, domain) -> None:  # type: ignore[no-untyped-def]
    tracker = make_tracker(
        "in het Nederlands graag",
        "change_language",
        {"language": "nl", "last_activity": "2021-05-10", "last_answer": "rule:group_migration"},
        events=[user_event("check_group_migration", "will my group migrate")],
    )
    _, messages = run(registry, "action_change_language", tracker, domain)
    assert responses(messages) == ["utter_language_changed", "utter_rule_verdict"]
    verdict = said(messages)[1]["explanation"]
    assert verdict.startswith("Ja") and "10 mei 2021" in verdict


@pytest.mark.integration
def test_language_switch_repeats_the_last_answer_in_the_new_language(registry, domain) -> None:  # type: ignore[no-untyped-def]
    tracker = make_tracker(
        "v slovenščini", "change_language", {"language": "sl", "last_answer": "faq:register-eu-login"}
    )
    _, messages = run(registry, "action_change_language", tracker, domain)
    assert responses(messages)[:2] == ["utter_language_changed", "utter_faq_answer"]
    assert said(messages)[1]["answer"] and said(messages)[1]["source"]


@pytest.mark.unit
def test_language_switch_inside_a_form_leaves_the_question_to_the_form(registry, domain) -> None:  # type: ignore[no-untyped-def]
    tracker = make_tracker(
        "in English",
        "change_language",
        {"last_answer": "rule:group_migration"},
        active_loop="group_migration_form",
    )
    _, messages = run(registry, "action_change_language", tracker, domain)
    assert responses(messages) == ["utter_language_changed"]


@pytest.mark.integration
def test_facts_with_no_check_before_them_are_read_for_the_rules_of_their_topic(registry, domain) -> None:  # type: ignore[no-untyped-def]
    text = (
        "Na šoli imamo 3 aktivne učitelje, en nacionalni znak kakovosti in smo registrirani od leta 2019. "
        "Ali smo upravičeni do znaka eTwinning šola?"
    )
    events, messages = run(
        registry, "action_update_facts", make_tracker(text, "inform", {"language": "sl"}), domain
    )
    assert responses(messages) == ["utter_rule_verdict"], messages
    assert slots(events)["active_teachers"] == 3 and slots(events)["european_nql_count"] == 1
    assert slots(events)["verdict_facts"]["rule"] == "school_label"


@pytest.mark.unit
def test_verdict_is_for_the_form_that_just_ran(registry, domain) -> None:  # type: ignore[no-untyped-def]
    tracker = make_tracker(
        "15.6.2021",
        "inform",
        {"last_activity": "2021-06-15"},
        events=[
            user_event("check_school_label", "school label?"),
            {"event": "action", "name": "group_migration_form"},
        ],
    )
    _, messages = run(registry, "action_check_rule", tracker, domain)
    assert (
        said(messages)[0]["response"] == "utter_rule_verdict" and "2021" in said(messages)[0]["explanation"]
    )


@pytest.mark.integration
def test_own_case_question_with_its_facts_gets_the_verdict_not_the_faq(registry, domain) -> None:  # type: ignore[no-untyped-def]
    tracker = make_tracker("our group was last active in march 2021, is it on the new platform?", "ask_faq")
    events, messages = run(registry, "action_answer_faq", tracker, domain)
    assert responses(messages) == ["utter_rule_verdict"] and slots(events)["last_activity"] == "2021-03"


@pytest.mark.integration
def test_general_question_with_a_year_gets_the_faq_answer(registry, domain) -> None:  # type: ignore[no-untyped-def]
    tracker = make_tracker("which eTwinning groups active in 2021 were migrated?", "ask_faq")
    events, messages = run(registry, "action_answer_faq", tracker, domain)
    assert responses(messages)[0] == "utter_faq_answer" and "last_activity" not in slots(events)


# --- facts anywhere, corrections whatever the NLU called them, follow-ups ----------------------


@pytest.mark.unit
@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("me in france and my partner in greece, first application, a plain class project: NQL?", "en"),
        ("ik zit in belgie, mijn collega in duitsland, eerste aanvraag, gewoon een schoolproject", "nl"),
        ("sem iz slovenije, partnerica iz italije, prvic prijavljamo, solski projekt", "sl"),
    ],
)
def test_form_start_reads_a_school_project_as_school_education(
    registry, domain, text: str, lang: str
) -> None:  # type: ignore[no-untyped-def]
    tracker = started(text, "check_national_quality_label", lang)
    events, _ = run(registry, "validate_national_quality_label_form", tracker, domain)
    assert slots(events)["school_education"] is True and slots(events)["requested_slot"] is None


@pytest.mark.unit
@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("so will my students be able to read the new mailbox?", "en"),
        ("mogen mijn leerlingen die mailbox gebruiken", "nl"),
    ],
)
def test_form_start_reads_a_plural_choice(registry, domain, text: str, lang: str) -> None:  # type: ignore[no-untyped-def]
    events, _ = run(
        registry, "validate_mailbox_migration_form", started(text, "check_mailbox_migration", lang), domain
    )
    assert slots(events)["role"] == "pupil" and slots(events)["requested_slot"] is None


@pytest.mark.unit
@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("we got one in austria as well", "en"),
        ("ook in oostenrijk hebben we er een", "nl"),
        ("imamo ga tudi v avstriji", "sl"),
    ],
)
def test_country_added_after_a_verdict_keeps_the_earlier_ones(registry, domain, text: str, lang: str) -> None:  # type: ignore[no-untyped-def]
    facts = {"nql_countries": ["SI"]}
    tracker = make_tracker(
        text,
        "inform",
        {
            "language": lang,
            **facts,
            "verdict_facts": {"rule": "european_quality_label", "facts": facts},
            "rule_context": ["european_quality_label"],
            "last_answer": "rule:european_quality_label",
        },
    )
    events, messages = run(registry, "action_update_facts", tracker, domain)
    assert slots(events)["nql_countries"] == ["SI", "AT"]
    assert responses(messages) == ["utter_facts_changed", "utter_rule_verdict"]


@pytest.mark.integration
@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("oops my mistake, the last post in the group was on 2.2.2022", "en"),
        ("pardon, ik vergiste me: de laatste activiteit was op 2.2.2022", "nl"),
        ("oprostite, zmotila sem se, zadnja objava je bila 2. 2. 2022", "sl"),
    ],
)
def test_correction_the_nlu_took_for_a_question_recomputes_the_verdict(
    registry, domain, text: str, lang: str
) -> None:  # type: ignore[no-untyped-def]
    previous = {"rule": "group_migration", "facts": {"last_activity": "2019-05-10"}}
    slot_values = {"language": lang, "last_activity": "2019-05-10", "verdict_facts": previous}
    tracker = make_tracker(
        text,
        "ask_faq",
        {**slot_values, "rule_context": ["group_migration"], "last_answer": "rule:group_migration"},
    )
    events, messages = run(registry, "action_answer_faq", tracker, domain)
    assert responses(messages) == ["utter_facts_changed", "utter_rule_verdict"]
    assert slots(events)["last_activity"] == "2022-02-02"


@pytest.mark.integration
def test_question_with_the_facts_of_another_rule_gets_that_rules_verdict(registry, domain) -> None:  # type: ignore[no-untyped-def]
    text = "we've been on etwinning for 5 years, 4 teachers are active and we hold 3 labels, do we qualify?"
    events, messages = run(registry, "action_answer_faq", make_tracker(text, "ask_faq"), domain)
    assert responses(messages) == ["utter_rule_verdict"], messages
    assert slots(events)["verdict_facts"]["rule"] == "school_label"


@pytest.mark.integration
@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("could you please check if my project qualifies for a national quality label", "en"),
        ("kun je eens nakijken of ons project een nationaal kwaliteitslabel kan krijgen", "nl"),
    ],
)
def test_explicit_check_request_the_nlu_took_for_a_question_starts_the_check(
    registry, domain, text: str, lang: str
) -> None:  # type: ignore[no-untyped-def]
    events, messages = run(
        registry, "action_answer_faq", make_tracker(text, "ask_faq", {"language": lang}), domain
    )
    assert messages == [] and events[-1] == {
        "event": "followup",
        "timestamp": None,
        "name": "national_quality_label_form",
    }


@pytest.mark.integration
def test_brief_follow_up_on_the_conversations_topic_is_answered_not_asked_back(registry, domain) -> None:  # type: ignore[no-untyped-def]
    context = {"rule_context": ["national_quality_label"], "last_answer": "rule:national_quality_label"}
    tracker = make_tracker(
        "nice, and where do i apply for it?",
        "ask_faq",
        context,
        events=[
            user_event("check_national_quality_label", "both of us in spain, 1st time, school project: NQL?")
        ],
    )
    _, messages = run(registry, "action_answer_faq", tracker, domain)
    assert responses(messages)[0] == "utter_faq_answer", messages


@pytest.mark.integration
@pytest.mark.parametrize(
    ("last_topic", "earlier", "text", "topic"),
    [
        # the answer on creating a project quotes the Flemish FAQ on adding a partner
        ("create-project", "how do i set up an etwinning project", "and what if my partner isn't listed?", "add-partner-problem"),
        # the TwinSpace entries list download-content under "see also"
        ("twinspace-content", "is our twinspace moved to the new platform", "any way to save stuff before", "download-content"),
    ],
)  # fmt: skip
def test_unsure_follow_up_on_a_topic_the_last_answer_leads_to_is_answered(
    registry, domain, last_topic: str, earlier: str, text: str, topic: str
) -> None:  # type: ignore[no-untyped-def]
    context = {"faq_id": last_topic, "last_answer": f"faq:{last_topic}"}
    tracker = make_tracker(text, "ask_faq", context, events=[user_event("ask_faq", earlier)])
    events, messages = run(registry, "action_answer_faq", tracker, domain)
    assert responses(messages)[0] == "utter_faq_answer", messages
    assert slots(events)["faq_id"] == topic
    _, alone = run(registry, "action_answer_faq", make_tracker(text, "ask_faq"), domain)
    assert responses(alone)[0] == "utter_faq_clarify", alone  # unsure without the conversation
