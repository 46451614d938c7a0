"""Replies the actions share: an FAQ answer with the checks it offers, a question asked back,
the ladder of misses, a verdict with what changed, and facts read for a rule outside a form.

The actions (faq.py, rule_checks.py, language.py) decide which reply a turn gets; the replies
are built here once, so an answer reads the same whichever action gives it.
"""

from __future__ import annotations

import json
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions._common import as_of, get_retriever, language, latest_intent, report, slot_text
from actions.rules_forms import CHECK_PREFIX, FORM_SUFFIX, rule_inputs
from conversation.reply_items import ReplyKind
from knowledge.chat_queries import expand_shorthand, settle
from knowledge.retrieve import Answer
from knowledge.rules import Verdict, list_rules
from knowledge.rules.answers import (
    Reading,
    changed_inputs,
    describe_value,
    input_spec,
    is_general_question,
    is_own_case,
    read_facts,
)
from knowledge.rules.spans import assess
from knowledge.rules.topics import main_topic, rule_topics, rules_for_topic
from knowledge.schema import Lang
from knowledge.sources import answer_source_lines, verdict_source_lines

MAX_OFFERS = 2
STARTER_TOPICS = ("register-eu-login", "content-migrated", "groups-migration", "twinspace-content")
"""Topics offered as buttons when a message could not be read (among the most asked)."""
UNREADABLE = "nonsense"  # the intent of keyboard mashing: no retrieval, straight to rephrase


# --- FAQ answers -------------------------------------------------------------------------------


def source_line(answer: Answer) -> str:
    """One 'Title (date), section: url' line per document the answer cites (knowledge.sources)."""
    return "\n".join(answer_source_lines(answer.sources, answer.lang))


def faq_button(faq_id: str, lang: Lang) -> dict[str, str]:
    """A button that asks for one topic's answer."""
    question = get_retriever().kb.topic(faq_id).variant_for(lang).question[lang]
    return {"title": question, "payload": "/ask_faq" + json.dumps({"faq_id": faq_id})}


def check_buttons(rules: list[str], lang: Lang) -> list[dict[str, str]]:
    """One button per rule that starts the check of the teacher's own case."""
    titles = {r.name: r.title.get(lang) for r in list_rules()}
    return [{"title": titles[r], "payload": f"/check_{r}"} for r in rules[:MAX_OFFERS]]


def say_answer(
    dispatcher: CollectingDispatcher, tracker: Tracker, answer: Answer, offer: list[str] | None = None
) -> list[dict[str, Any]]:
    """Utter an FAQ answer with its source and notes, offer the checks of ``offer`` (default:
    the rules that speak to its topic), report it; returns the slot events."""
    lang = language(tracker)
    source = source_line(answer)
    dispatcher.utter_message(response="utter_faq_answer", answer=answer.answer, source=source)
    if answer.notes:
        dispatcher.utter_message(response="utter_faq_notes", notes="\n".join(f"- {n}" for n in answer.notes))
    rules = rules_for_topic(answer.faq_id) if offer is None else offer
    if rules:
        dispatcher.utter_message(response="utter_offer_check", buttons=check_buttons(rules, lang))
    found = {"faq_id": answer.faq_id, "confidence": answer.confidence, "status": answer.status}
    report(
        dispatcher,
        tracker,
        ReplyKind.FAQ,
        **found,
        sources=tuple(source.split("\n")),
        notes=tuple(answer.notes),
    )
    return [
        SlotSet("fallback_count", 0),
        SlotSet("faq_id", answer.faq_id),
        SlotSet("last_answer", f"faq:{answer.faq_id}"),
        SlotSet("rule_context", rules[:MAX_OFFERS] or tracker.get_slot("rule_context")),
    ]


def answer_question(
    dispatcher: CollectingDispatcher, tracker: Tracker, offer_rule: str | None = None
) -> list[dict[str, Any]]:
    """Answer the latest message from the knowledge base (shared with the rule actions).

    Args:
        dispatcher: The action's dispatcher.
        tracker: The conversation.
        offer_rule: A rule whose check to offer with the answer if its topic is one the rule
            speaks to (the check the message's intent asked for).
    """
    retriever, lang = get_retriever(), language(tracker)
    chosen = next(tracker.get_latest_entity_values("faq_id"), None)
    if chosen in retriever.kb.topics:
        return say_answer(dispatcher, tracker, retriever.compose(str(chosen), lang, as_of=as_of()))
    if latest_intent(tracker) == UNREADABLE:
        return missed(dispatcher, tracker, None)
    question = expand_shorthand(slot_text(tracker))
    answer = settle(retriever.ask(question, lang, as_of()), question)
    if answer.status != "fallback" and asks_own_case(slot_text(tracker)):
        topic_rules = [*([offer_rule] if offer_rule else []), *rules_for_topic(answer.faq_id)]
        checked = use_facts(dispatcher, tracker, list(dict.fromkeys(topic_rules)))
        if checked is not None:  # facts about the teacher's own case: the check answers
            return checked
    if answer.status == "answered":
        offer = rules_for_topic(answer.faq_id)
        if offer_rule and answer.faq_id in rule_topics(offer_rule):
            offer = list(dict.fromkeys([offer_rule, *offer]))
        return say_answer(dispatcher, tracker, answer, offer=offer)
    if answer.status == "clarify":
        options = [answer.faq_id, *(a.faq_id for a in answer.alternatives[:2])]
        dispatcher.utter_message(response="utter_faq_clarify", buttons=[faq_button(f, lang) for f in options])
        report(
            dispatcher,
            tracker,
            ReplyKind.CLARIFY,
            faq_id=answer.faq_id,
            confidence=answer.confidence,
            status="clarify",
        )
        return [SlotSet("fallback_count", 0)]
    return missed(dispatcher, tracker, answer)


def missed(dispatcher: CollectingDispatcher, tracker: Tracker, answer: Answer | None) -> list[dict[str, Any]]:
    """No answer: the first miss asks to rephrase with starter topics, the next offers a person."""
    misses = int(tracker.get_slot("fallback_count") or 0) + 1
    topics = [faq_button(t, language(tracker)) for t in STARTER_TOPICS]
    response = "utter_faq_rephrase" if misses == 1 else "utter_offer_human"
    dispatcher.utter_message(response=response, buttons=topics if misses == 1 else [])
    found = {"faq_id": answer.faq_id, "confidence": answer.confidence} if answer else {}
    report(
        dispatcher, tracker, ReplyKind.FALLBACK, **found, status="fallback" if misses == 1 else "offer_human"
    )
    return [SlotSet("fallback_count", misses)]


# --- verdicts ----------------------------------------------------------------------------------


def requested_rule(tracker: Tracker) -> str | None:
    """The rule of the form that ran last, or of the latest ``check_<rule>`` intent."""
    for event in reversed(tracker.events):
        if event.get("event") == "action" and str(event.get("name") or "").endswith(FORM_SUFFIX):
            return str(event["name"]).removesuffix(FORM_SUFFIX)
        name = (
            (event.get("parse_data") or {}).get("intent", {}).get("name")
            if event.get("event") == "user"
            else None
        )
        if name and name.startswith(CHECK_PREFIX):
            return str(name).removeprefix(CHECK_PREFIX)
    return None


def verdict_sources(verdict: Verdict) -> list[str]:
    """The documents a verdict rests on, one line each, linked where they have a link (knowledge.sources)."""
    return verdict_source_lines(verdict.sources, verdict.lang)


def say_verdict(
    dispatcher: CollectingDispatcher, tracker: Tracker, rule: str, inputs: dict[str, Any]
) -> list[dict[str, Any]]:
    """Utter the verdict (after what changed since the last one on this rule) and keep its facts."""
    lang = language(tracker)
    verdict = assess(rule, inputs, lang, as_of()).verdict
    previous = tracker.get_slot("verdict_facts") or {}
    if previous.get("rule") == rule and (names := changed_inputs(previous.get("facts") or {}, inputs)):
        changes = "; ".join(
            f"{describe_value(spec, previous['facts'][n], lang)} → {describe_value(spec, inputs[n], lang)}"
            for n in names
            if (spec := input_spec(rule, n))
        )
        dispatcher.utter_message(response="utter_facts_changed", changes=changes)
    sources = verdict_sources(verdict)
    dispatcher.utter_message(
        response="utter_rule_verdict", explanation=verdict.explanation, sources="\n".join(sources)
    )
    report(
        dispatcher, tracker, ReplyKind.RULE_VERDICT, rule=rule, status=verdict.verdict, sources=tuple(sources)
    )
    return [
        SlotSet("verdict_facts", {"rule": rule, "facts": inputs}),
        SlotSet("last_answer", f"rule:{rule}"),
        SlotSet("rule_context", [rule]),
        SlotSet("fallback_count", 0),
    ]


def say_general_answer(dispatcher: CollectingDispatcher, tracker: Tracker, rule: str) -> list[dict[str, Any]]:
    """The FAQ answer on the rule's main topic, for a teacher who cannot give its facts."""
    topic = main_topic(rule)
    if topic is None:
        dispatcher.utter_message(response="utter_anything_else")
        return []
    answer = get_retriever().compose(topic, language(tracker), as_of=as_of())
    return say_answer(dispatcher, tracker, answer, offer=[])


def asks_own_case(text: str) -> bool:
    """Whether a question is about the teacher's own case, so the facts in it are theirs ("our
    group had a post on 10.5.2021, is it migrated?", not "which groups active in 2021 moved?")."""
    return is_own_case(text) and not is_general_question(text)


def use_facts(
    dispatcher: CollectingDispatcher, tracker: Tracker, rules: list[str]
) -> list[dict[str, Any]] | None:
    """Read the latest message for each of ``rules``; the first it gives new facts for gets its
    verdict, or its form for what is still missing (a doubtful date asked first). None if the
    message gives no new fact for any of them.
    """
    intent = latest_intent(tracker)
    for rule in rules:
        known = rule_inputs(rule, tracker)
        reading = read_facts(
            rule, slot_text(tracker), lang=language(tracker), as_of=as_of(), intent=intent, known=known
        )
        fresh = {n: v for n, v in reading.values.items() if known.get(n) != v}
        if not fresh:
            continue
        inputs = {**known, **fresh}
        clean = {n: v for n, v in inputs.items() if n not in reading.doubts}
        if (
            not reading.doubts
            and assess(rule, clean, language(tracker), as_of()).verdict.verdict != "need_more"
        ):
            return [
                *(SlotSet(n, v) for n, v in fresh.items()),
                *say_verdict(dispatcher, tracker, rule, clean),
            ]
        return [*(SlotSet(n, clean.get(n)) for n in fresh), *resume_form(rule, reading)]
    return None


def resume_form(rule: str, reading: Reading) -> list[dict[str, Any]]:
    """Start the rule's form to ask what is still missing (a doubtful date first)."""
    notice = next(
        (
            {"kind": doubt, "slot": n, "span": reading.values[n], "words": reading.relative.get(n, "")}
            for n, doubt in reading.doubts.items()
        ),
        None,
    )
    return [SlotSet("form_notice", notice), FollowupAction(rule + FORM_SUFFIX)]
