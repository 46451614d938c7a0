"""Replies the actions share: an FAQ answer with the checks it offers, a question asked back,
the ladder of misses, a verdict with what changed, and facts read for a rule outside a form.

The actions (faq.py, rule_checks.py, language.py) decide which reply a turn gets; the replies
are built here once, so an answer reads the same whichever action gives it.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions._common import as_of, get_retriever, language, latest_intent, report, slot_text
from actions.rules_forms import CHECK_PREFIX, FORM_SUFFIX, rule_inputs
from conversation.reply_items import ReplyKind
from knowledge.chat_queries import expand_shorthand, is_brief, settle
from knowledge.retrieve import Answer
from knowledge.rules import Verdict, list_rules
from knowledge.rules.answers import Reading, input_spec, read_facts
from knowledge.rules.message_kinds import (
    adds_to_list,
    asks_for_check,
    is_correction,
    is_general_question,
    is_own_case,
)
from knowledge.rules.spans import assess
from knowledge.rules.topics import entry_topic, main_topic, rule_topics, rules_for_topic
from knowledge.rules.wording import changed_inputs, describe_value
from knowledge.schema import Lang
from knowledge.sources import answer_source_lines, verdict_source_lines

MAX_OFFERS = 2
OTHER_RULE_FACTS = 2
"""Facts a message must give for a rule its answer's topic does not name to be checked instead
("6 years, 4 active teachers, 2 labels: are we an eTwinning school?" answered on labels)."""
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
    """Answer the latest message from the knowledge base (shared with the rule actions); a
    message that corrects the last verdict or gives the facts of a check gets the check instead.

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
    text, last_rule = slot_text(tracker), verdict_rule(tracker)
    if last_rule and is_correction(text):  # "wait no, it was 2020" whatever the NLU called it
        corrected = use_facts(dispatcher, tracker, [last_rule])
        if corrected is not None:
            return corrected
    question = expand_shorthand(text)
    answer = follow_up(tracker, settle(retriever.ask(question, lang, as_of()), question), question)
    checked = check_instead(dispatcher, tracker, answer, offer_rule)
    return checked if checked is not None else say_found(dispatcher, tracker, answer, offer_rule)


def say_found(
    dispatcher: CollectingDispatcher, tracker: Tracker, answer: Answer, offer_rule: str | None
) -> list[dict[str, Any]]:
    """The reply to a retrieval's answer by its status: the answer, a question back with the
    closest topics, or the ladder of misses."""
    lang = language(tracker)
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


def check_instead(
    dispatcher: CollectingDispatcher, tracker: Tracker, answer: Answer, offer_rule: str | None
) -> list[dict[str, Any]] | None:
    """The check a question gets instead of its FAQ answer, or None.

    A message the retrieval is unsure of that gives a fact of the last verdict corrects it; an
    own-case question with the facts of a rule on its topic (or several facts of another rule)
    gets the verdict; "please check whether ..." starts the check of its topic.
    """
    text, last_rule = slot_text(tracker), verdict_rule(tracker)
    if last_rule and answer.status != "answered":  # a fact for the last verdict, not a question
        corrected = use_facts(dispatcher, tracker, [last_rule])
        if corrected is not None:
            return corrected
    if answer.status == "fallback" or is_general_question(text):
        return None
    topic_rules = list(
        dict.fromkeys([*([offer_rule] if offer_rule else []), *rules_for_topic(answer.faq_id)])
    )
    own = asks_own_case(text)  # facts in a question that names no owner must be several
    checked = use_facts(
        dispatcher, tracker, topic_rules, others=True, min_facts=1 if own else OTHER_RULE_FACTS
    )
    if checked is None and asks_for_check(text):  # the check of its topic, or of a close one
        near = [*topic_rules, *(r for a in answer.alternatives for r in rules_for_topic(a.faq_id))]
        return resume_form(near[0], Reading()) if near else None
    return checked


def context_topics(tracker: Tracker) -> set[str]:
    """The topics the conversation is on: the last FAQ answer's and those its sources cite (an
    answer on creating a project that quotes the Flemish FAQ on adding a partner), and those of
    the rules last checked or offered (a follow-up such as "and how do I apply then?" refers to
    them)."""
    topics: set[str] = set()
    last = tracker.get_slot("faq_id")
    retriever = get_retriever()
    if last and str(last) in retriever.kb.topics:
        shown = retriever.compose(str(last), language(tracker), as_of=as_of())
        topics.update({str(last), *(entry_topic(s.entry) for s in shown.sources if s.entry)})
    for rule in tracker.get_slot("rule_context") or []:
        topics.update(rule_topics(str(rule)))
    return topics


def next_topics(context: set[str]) -> set[str]:
    """The topics the knowledge base points to from ``context`` ("see also"): where a teacher
    often goes next ("then how do I save the files?" after the TwinSpace answer). Only the
    retrieval's first topic is answered on them, never one of its alternatives."""
    topics = get_retriever().kb.topics
    return {t for topic in context if topic in topics for t in topics[topic].see_also()}


def previous_question(tracker: Tracker) -> str | None:
    """The teacher's message before the latest one (not a button's payload), if any."""
    texts = [
        " ".join(str(e.get("text") or "").split())
        for e in tracker.events
        if e.get("event") == "user" and not str(e.get("text") or "").startswith("/")
    ]
    return texts[-2] if len(texts) >= 2 and texts[-2] else None


def follow_up(tracker: Tracker, answer: Answer, question: str) -> Answer:
    """Read a question the retrieval is unsure of as a follow-up of the conversation so far.

    A brief question on its own is often contested ("and can they still log in?"); when one
    of the topics it would offer is one the conversation is on (or its first topic is one the
    knowledge base points to from there), that one is answered; otherwise
    the question read together with the previous one may settle on one of its own closest topics.

    Args:
        tracker: The conversation.
        answer: The (settled) answer to the question alone.
        question: The question as retrieval saw it.

    Returns:
        ``answer`` answered, the answer to the question read with the previous one, or ``answer``.
    """
    if answer.status == "answered" or not tracker.get_slot("last_answer"):
        return answer
    if answer.status == "clarify":  # of the topics it would offer, the one the conversation is on
        context = context_topics(tracker)
        if answer.faq_id in context or answer.faq_id in next_topics(context):
            return replace(answer, status="answered")
        offered = [a.faq_id for a in answer.alternatives[:2] if a.faq_id in context]
        if len(offered) == 1:
            return get_retriever().compose(offered[0], language(tracker), as_of=as_of())
    earlier = previous_question(tracker)
    if earlier is None or not is_brief(question):
        return answer
    joined = expand_shorthand(f"{earlier} {question}")
    combined = settle(get_retriever().ask(joined, language(tracker), as_of()), joined)
    own = {answer.faq_id, *(a.faq_id for a in answer.alternatives)}
    if answer.status != "fallback" and combined.status == "answered" and combined.faq_id in own:
        return combined
    return answer


def verdict_rule(tracker: Tracker) -> str | None:
    """The rule of the conversation's last verdict, if the last answer was one."""
    last = str(tracker.get_slot("last_answer") or "")
    return last.removeprefix("rule:") if last.startswith("rule:") else None


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


def read_new_facts(tracker: Tracker, rule: str) -> tuple[Reading, dict[str, Any], dict[str, Any]]:
    """The latest message read for ``rule``: the reading, the facts known before, and the ones it
    changes; a list it adds to ("tudi na Hrvaškem") keeps its earlier items."""
    known, text = rule_inputs(rule, tracker), slot_text(tracker)
    reading = read_facts(
        rule, text, lang=language(tracker), as_of=as_of(), intent=latest_intent(tracker), known=known
    )
    values = dict(reading.values)
    for name, value in values.items():
        if isinstance(value, list) and isinstance(known.get(name), list) and adds_to_list(text):
            values[name] = list(dict.fromkeys([*known[name], *value]))
    return reading, known, {n: v for n, v in values.items() if known.get(n) != v}


def use_facts(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    rules: list[str],
    *,
    others: bool = False,
    min_facts: int = 1,
) -> list[dict[str, Any]] | None:
    """Read the latest message for the rules; the one it gives most new facts for gets its
    verdict, or its form for what is still missing (a doubtful date asked first).

    Args:
        dispatcher: The action's dispatcher.
        tracker: The conversation.
        rules: The rules to read for, most likely first (the first wins a tie).
        others: Whether any other rule with inputs may be checked too, if the message gives it
            at least ``OTHER_RULE_FACTS`` facts (a question answered on a neighbouring topic).
        min_facts: New facts a rule of ``rules`` needs.

    Returns:
        The events, or None if the message gives too few new facts for every rule.
    """
    names = [*rules, *(r.name for r in list_rules() if others and r.inputs and r.name not in rules)]
    best: tuple[int, str, Reading, dict[str, Any], dict[str, Any]] | None = None
    for rule in names:
        reading, known, fresh = read_new_facts(tracker, rule)
        needed = min_facts if rule in rules else max(min_facts, OTHER_RULE_FACTS)
        if len(fresh) >= needed and (best is None or len(fresh) > best[0]):
            best = (len(fresh), rule, reading, known, fresh)
    if best is not None:
        _, rule, reading, known, fresh = best
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
