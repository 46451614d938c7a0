"""Custom actions with CollectingDispatcher and real knowledge/rules code: events and response keys."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk import Action
from rasa_sdk.executor import ActionExecutor

from settings import get_settings
from tests.factories import load_domain, make_tracker, user_event
from tests.factories import run_action as run

ACTIONS_DIR = Path(__file__).resolve().parents[2] / "actions"


@pytest.fixture(scope="module")
def domain() -> dict[str, Any]:
    return load_domain()


@pytest.fixture(scope="module")
def registry() -> dict[str, Action]:
    executor = ActionExecutor()
    executor.register_package("actions")
    return dict(executor.actions)  # type: ignore[arg-type]


def item(messages: list[dict[str, Any]]) -> dict[str, Any]:
    """The reply item the action attached last (what the turn stores with the reply)."""
    assert messages and messages[-1].get("custom"), messages
    attached: dict[str, Any] = messages[-1]["custom"]
    return attached


@pytest.mark.unit
def test_domain_every_custom_action_has_a_class(domain: dict[str, Any], registry: dict[str, Any]) -> None:
    custom = [a for a in domain["actions"] if not a.startswith("utter_")]
    assert sorted(set(custom) - set(registry)) == []


@pytest.mark.unit
def test_domain_every_response_used_in_python_exists(domain: dict[str, Any]) -> None:
    used = set()
    for path in ACTIONS_DIR.glob("*.py"):
        used |= set(re.findall(r'"(utter_[a-z_]+)"', path.read_text(encoding="utf-8")))
    assert used and used <= set(domain["responses"]), used - set(domain["responses"])


@pytest.mark.unit
def test_domain_every_response_has_three_languages(domain: dict[str, Any]) -> None:
    for key, variants in domain["responses"].items():
        langs = {
            next((c["value"] for c in v.get("condition", []) if c["name"] == "language"), "en")
            for v in variants
        }
        assert langs == {"en", "nl", "sl"}, key


@pytest.mark.unit
def test_domain_forms_match_rule_inputs(domain: dict[str, Any]) -> None:
    from knowledge.rules import list_rules

    expected = {f"{r.name}_form": [i.name for i in r.inputs] for r in list_rules() if r.inputs}
    assert {k: v["required_slots"] for k, v in domain["forms"].items()} == expected


@pytest.mark.integration
def test_faq_action_dutch_contacts_answers_with_source_and_notes(registry, domain) -> None:  # type: ignore[no-untyped-def]
    tracker = make_tracker(
        "Worden mijn contactpersonen overgezet naar het nieuwe platform?", "ask_faq", {"language": "nl"}
    )
    events, messages = run(registry, "action_answer_faq", tracker, domain)
    assert messages[0]["response"] == "utter_faq_answer"
    assert "epos" in messages[0]["source"].lower() or "Vlaanderen" in messages[0]["source"]
    assert (
        messages[1]["response"] == "utter_faq_notes"
        and "Bronnen spreken elkaar tegen" in messages[1]["notes"]
    )
    assert {"event": "slot", "timestamp": None, "name": "fallback_count", "value": 0} in events
    said = item(messages)
    assert said["kind"] == "faq" and said["status"] == "answered" and said["language"] == "nl"
    assert said["faq_id"] and said["confidence"] > 0
    assert said["sources"] == messages[0]["source"].split("\n") and any("Bronnen" in n for n in said["notes"])


@pytest.mark.integration
def test_faq_action_button_payload_answers_chosen_topic(registry, domain) -> None:  # type: ignore[no-untyped-def]
    entities = [{"entity": "faq_id", "value": "learning-lab"}]
    tracker = make_tracker('/ask_faq{"faq_id": "learning-lab"}', "ask_faq", {"language": "sl"}, entities)
    _, messages = run(registry, "action_answer_faq", tracker, domain)
    assert messages[0]["response"] == "utter_faq_answer" and "Learning Lab" in messages[0]["answer"]


@pytest.mark.integration
def test_faq_action_first_miss_offers_topics_second_offers_a_person(registry, domain) -> None:  # type: ignore[no-untyped-def]
    events, messages = run(
        registry, "action_answer_faq", make_tracker("qwxz plorf snerg", "nlu_fallback"), domain
    )
    assert messages[0]["response"] == "utter_faq_rephrase"
    assert len(messages[0]["buttons"]) >= 3 and all(
        b["payload"].startswith("/ask_faq") for b in messages[0]["buttons"]
    )
    assert item(messages)["kind"] == "fallback" and item(messages)["status"] == "fallback"
    assert any(e.get("name") == "fallback_count" and e.get("value") == 1 for e in events)
    tracker = make_tracker("qwxz plorf snerg", "nlu_fallback", {"fallback_count": 1})
    events, messages = run(registry, "action_answer_faq", tracker, domain)
    assert messages[0]["response"] == "utter_offer_human"  # a button: nobody is queued unasked
    assert item(messages)["status"] == "offer_human"
    assert not any(e.get("event") == "followup" for e in events)


@pytest.mark.unit
def test_faq_action_keyboard_mashing_asks_to_rephrase_without_retrieval(registry, domain) -> None:  # type: ignore[no-untyped-def]
    _, messages = run(registry, "action_answer_faq", make_tracker("plonk plonk", "nonsense"), domain)
    assert messages[0]["response"] == "utter_faq_rephrase" and item(messages)["kind"] == "fallback"


@pytest.mark.integration
def test_faq_action_vague_question_offers_three_buttons(registry, domain) -> None:  # type: ignore[no-untyped-def]
    _, messages = run(registry, "action_answer_faq", make_tracker("groups", "ask_faq"), domain)
    assert messages[0]["response"] == "utter_faq_clarify"
    assert len(messages[0]["buttons"]) == 3
    assert all(b["payload"].startswith('/ask_faq{"faq_id": ') for b in messages[0]["buttons"])
    assert item(messages)["kind"] == "clarify" and item(messages)["faq_id"]


@pytest.mark.unit
@pytest.mark.parametrize(
    ("text", "slot_value"),
    [("15.6.2021", "2021-06-15"), ("junija 2021", "2021-06"), ("sinds maart 2021", "2021-03")],
)
def test_form_validation_reads_dates_in_any_language(registry, domain, text: str, slot_value: str) -> None:  # type: ignore[no-untyped-def]
    tracker = make_tracker(
        text,
        "inform",
        {"requested_slot": "last_activity"},
        filled={"last_activity": text},
        active_loop="group_migration_form",
    )
    events, messages = run(registry, "validate_group_migration_form", tracker, domain)
    assert messages == []
    assert {"event": "slot", "timestamp": None, "name": "last_activity", "value": slot_value} in events
    assert {"event": "slot", "timestamp": None, "name": "requested_slot", "value": None} in events


@pytest.mark.unit
def test_form_validation_bad_date_is_cleared_and_reasked_quoting_it(registry, domain) -> None:  # type: ignore[no-untyped-def]
    tracker = make_tracker(
        "31.02.2021",
        "inform",
        {"requested_slot": "last_activity"},
        filled={"last_activity": "31.02.2021"},
        active_loop="group_migration_form",
    )
    events, messages = run(registry, "validate_group_migration_form", tracker, domain)
    assert messages == []
    assert {"event": "slot", "timestamp": None, "name": "last_activity", "value": None} in events
    assert {"event": "slot", "timestamp": None, "name": "requested_slot", "value": "last_activity"} in events
    notice = next(e["value"] for e in events if e.get("name") == "form_notice")
    assert notice == {"kind": "unreadable", "slot": "last_activity", "raw": "31.02.2021"}
    asked = make_tracker("31.02.2021", "inform", {"form_notice": notice}, active_loop="group_migration_form")
    events, messages = run(registry, "action_ask_last_activity", asked, domain)
    assert [m["response"] for m in messages[:2]] == ["utter_rule_unreadable", "utter_rule_question"]
    assert messages[0]["raw"] == "31.02.2021"
    assert {"event": "slot", "timestamp": None, "name": "form_notice", "value": None} in events


@pytest.mark.unit
def test_form_stops_asking_once_rule_is_decided(registry, domain) -> None:  # type: ignore[no-untyped-def]
    tracker = make_tracker(
        "no",
        "deny",
        {"requested_slot": "multiannual", "closed_on": "2021-06-30"},
        filled={"multiannual": "no"},
        active_loop="project_reopen_form",
    )
    events, _ = run(registry, "validate_project_reopen_form", tracker, domain)
    assert {"event": "slot", "timestamp": None, "name": "multiannual", "value": False} in events
    assert {"event": "slot", "timestamp": None, "name": "requested_slot", "value": None} in events


@pytest.mark.unit
def test_ask_action_uses_rule_prompt_in_user_language(registry, domain) -> None:  # type: ignore[no-untyped-def]
    tracker = make_tracker("", None, {"language": "sl"}, active_loop="group_migration_form")
    _, messages = run(registry, "action_ask_last_activity", tracker, domain)
    assert messages[0]["response"] == "utter_rule_question"  # the prompt gives its own example
    assert "15. 6. 2021" in messages[0]["prompt"] and "2021-06-15" not in messages[0]["prompt"]
    assert messages[0]["prompt"] != make_prompt_en(registry, domain)
    said = item(messages)
    assert (said["kind"], said["rule"], said["status"], said["language"]) == (
        "form_question",
        "group_migration",
        "ask:last_activity",
        "sl",
    )


def make_prompt_en(registry: dict[str, Any], domain: dict[str, Any]) -> str:
    _, messages = run(
        registry,
        "action_ask_last_activity",
        make_tracker("", None, active_loop="group_migration_form"),
        domain,
    )
    return str(messages[0]["prompt"])


@pytest.mark.unit
@pytest.mark.parametrize(("lang", "word"), [("en", "2022"), ("nl", "2022"), ("sl", "2022")])
def test_check_rule_gives_verdict_with_sources(registry, domain, lang: str, word: str) -> None:  # type: ignore[no-untyped-def]
    tracker = make_tracker(
        "15.6.2021",
        "inform",
        {"language": lang, "last_activity": "2021-06-15"},
        events=[user_event("check_group_migration", "will my group migrate?")],
    )
    _, messages = run(registry, "action_check_rule", tracker, domain)
    assert messages[0]["response"] == "utter_rule_verdict"
    assert word in messages[0]["explanation"] and messages[0]["sources"]
    said = item(messages)
    assert (said["kind"], said["rule"], said["language"]) == ("rule_verdict", "group_migration", lang)
    assert said["status"] in ("yes", "no", "uncertain")
    assert said["sources"] and all(s in messages[0]["sources"] for s in said["sources"])


@pytest.mark.unit
@pytest.mark.parametrize(
    ("intent", "response", "rating"),
    [
        ("feedback_negative", "utter_feedback_sorry", "down"),
        ("feedback_positive", "utter_feedback_thanks", "up"),
    ],
)
def test_feedback_action_answers_and_reports_the_rating(registry, domain, intent, response, rating) -> None:  # type: ignore[no-untyped-def]
    tracker = make_tracker("klopt niet", intent, {"language": "nl"})
    events, messages = run(registry, "action_feedback", tracker, domain)
    assert events == [] and messages[0]["response"] == response
    assert (item(messages)["kind"], item(messages)["status"]) == ("feedback", rating)


@pytest.mark.unit
def test_language_change_action_confirms_in_the_slot_language(registry, domain) -> None:  # type: ignore[no-untyped-def]
    tracker = make_tracker("in English please", "change_language", {"language": "en"})
    events, messages = run(registry, "action_change_language", tracker, domain)
    assert events == [] and messages[0]["response"] == "utter_language_changed"
    assert (item(messages)["kind"], item(messages)["language"]) == ("small_talk", "en")


@pytest.mark.integration
def test_handoff_records_conversation_and_tells_hours(registry, domain, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from conversation.db import session_scope
    from conversation.handoff import open_handoffs
    from conversation.models import Conversation

    monkeypatch.setenv("NSO_DATABASE_URL", f"sqlite:///{tmp_path / 'gw.db'}")
    get_settings.cache_clear()
    try:
        with session_scope(get_settings().database_url) as session:  # stored by the gateway first
            session.add(Conversation(id="conv-42", channel="web", language="nl"))
        tracker = make_tracker("ik wil iemand spreken", "ask_human", {"language": "nl"}, sender_id="conv-42")
        events, messages = run(registry, "action_handoff", tracker, domain)
        assert messages[0]["response"] == "utter_handoff" and messages[0]["hours"]
        assert (item(messages)["kind"], item(messages)["status"]) == ("handoff", "requested")
        assert not any(e.get("name") == "handoff" for e in events)  # the turn reads the handoff table
        run(registry, "action_handoff", tracker, domain)
        waiting = open_handoffs(get_settings())
        assert [(h.conversation_id, h.language, h.reason) for h in waiting] == [
            ("conv-42", "nl", "requested")
        ]
    finally:
        get_settings.cache_clear()


@pytest.mark.unit
def test_rule_forms_domain_and_rules_are_generated_from_the_current_rules() -> None:
    import subprocess
    import sys

    root = ACTIONS_DIR.parent
    done = subprocess.run(
        [sys.executable, "scripts/rule_forms.py", "--check"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stdout + done.stderr
