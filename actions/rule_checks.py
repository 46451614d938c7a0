"""Verdicts on a teacher's own case, corrections of the facts they rest on, and leaving a form.

The facts of the last verdict stay in their slots, so "no, it was 2020" or "mijn partner zit in
Nederland" after a verdict is read for that rule, the verdict recomputed and the change named.
A fact typed after an FAQ answer that offered a check is read for the offered rule the same way.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions._common import as_of, get_retriever, language, latest_intent, leave_form, report, slot_text
from actions.faq import answer_question, say_answer
from actions.rules_forms import CHECK_PREFIX, FORM_SUFFIX, rule_inputs
from conversation.reply_items import ReplyKind
from knowledge.chat_queries import expand_shorthand
from knowledge.rules import Verdict, list_rules
from knowledge.rules.answers import changed_inputs, describe_value, input_spec, read_facts, yes_or_no
from knowledge.rules.spans import assess
from knowledge.rules.topics import main_topic, rules_for_topic
from knowledge.sources import verdict_source_lines


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


class ActionCheckRule(Action):
    """Gives the verdict of the requested rule, or its FAQ answer when the form ended before
    asking (a general question)."""

    def name(self) -> str:
        """Action name in the domain."""
        return "action_check_rule"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Verdict, or general answer plus the offer to check."""
        rule = requested_rule(tracker)
        if rule is None:
            dispatcher.utter_message(response="utter_anything_else")
            report(dispatcher, tracker, ReplyKind.SMALL_TALK)
            return []
        inputs = rule_inputs(rule, tracker)
        left = leave_form(tracker)  # a rule without inputs asked while another form waited
        if assess(rule, inputs, language(tracker), as_of()).verdict.verdict == "need_more":
            if tracker.get_slot("answer_first"):  # a question first, the check offered
                answered = answer_question(dispatcher, tracker, offer_rule=rule)
            else:
                answered = say_general_answer(dispatcher, tracker, rule)
            return [*left, *answered, SlotSet("answer_first", None)]
        return [*left, *say_verdict(dispatcher, tracker, rule, inputs)]


class ActionUpdateFacts(Action):
    """Reads a fact typed outside a form for the rule of the last verdict (a correction) or of
    the last offer, and answers again. "yes" after an offer starts the offered check; a plain
    yes or no is acknowledged; anything else (the NLU calls "pw" a yes) is treated as a question."""

    def name(self) -> str:
        """Action name in the domain."""
        return "action_update_facts"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """New verdict, the form for what is still missing, or the FAQ answer."""
        intent, context = latest_intent(tracker), list(tracker.get_slot("rule_context") or [])
        for rule in [*context, *self.topic_rules(tracker, context)]:
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
            return [*(SlotSet(n, clean.get(n)) for n in fresh), *self.resume(rule, reading)]
        agrees = intent == "affirm" and yes_or_no(slot_text(tracker)) is True
        if agrees and context and str(tracker.get_slot("last_answer") or "").startswith("faq:"):
            return [FollowupAction(context[0] + FORM_SUFFIX)]  # "yes" to the offered check
        if intent in ("affirm", "deny") and yes_or_no(slot_text(tracker)) is not None:
            dispatcher.utter_message(response="utter_anything_else")
            report(dispatcher, tracker, ReplyKind.SMALL_TALK)
            return []
        return answer_question(dispatcher, tracker)

    @staticmethod
    def topic_rules(tracker: Tracker, context: list[str]) -> list[str]:
        """Rules that speak to the topic of the message itself, for facts that come with no
        check before them ("we have 3 active teachers and one NQL, can we ...")."""
        if latest_intent(tracker) != "inform":
            return []
        question = expand_shorthand(slot_text(tracker))
        answer = get_retriever().ask(question, language(tracker), as_of())
        return (
            [r for r in rules_for_topic(answer.faq_id) if r not in context]
            if answer.status != "fallback"
            else []
        )

    @staticmethod
    def resume(rule: str, reading: Any) -> list[dict[str, Any]]:
        """Start the rule's form to ask what is still missing (a doubtful date first)."""
        notice = next(
            (
                {"kind": doubt, "slot": n, "span": reading.values[n], "words": reading.relative.get(n, "")}
                for n, doubt in reading.doubts.items()
            ),
            None,
        )
        return [SlotSet("form_notice", notice), FollowupAction(rule + FORM_SUFFIX)]


class ActionStopForm(Action):
    """Stops the active form at the user's request."""

    def name(self) -> str:
        """Action name in the domain."""
        return "action_stop_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Deactivate the loop and confirm."""
        dispatcher.utter_message(response="utter_form_stopped")
        rule = ((tracker.active_loop or {}).get("name") or "").removesuffix(FORM_SUFFIX) or None
        report(dispatcher, tracker, ReplyKind.SMALL_TALK, rule=rule, status="form_stopped")
        return [ActiveLoop(None), SlotSet("requested_slot", None)]


class ActionDontKnow(Action):
    """ "I don't know": in a form, stops it and gives the general answer instead."""

    def name(self) -> str:
        """Action name in the domain."""
        return "action_dont_know"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Leave the form with the rule's general answer, or just say that's fine."""
        rule = ((tracker.active_loop or {}).get("name") or "").removesuffix(FORM_SUFFIX)
        if rule not in {r.name for r in list_rules()}:
            dispatcher.utter_message(response="utter_dont_know")
            report(dispatcher, tracker, ReplyKind.SMALL_TALK, status="dont_know")
            return []
        dispatcher.utter_message(response="utter_dont_know_in_form")
        return [*leave_form(tracker), *say_general_answer(dispatcher, tracker, rule)]
