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

from actions._common import as_of, language, latest_intent, leave_form, report, slot_text
from actions._replies import (
    answer_question,
    requested_rule,
    say_general_answer,
    say_verdict,
    use_facts,
)
from actions.rules_forms import FORM_SUFFIX, rule_inputs
from conversation.reply_items import ReplyKind
from knowledge.rules import list_rules
from knowledge.rules.message_kinds import yes_or_no
from knowledge.rules.spans import assess


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
        corrected = use_facts(dispatcher, tracker, context)
        if corrected is not None:
            return corrected
        agrees = intent == "affirm" and yes_or_no(slot_text(tracker)) is True
        if agrees and context and str(tracker.get_slot("last_answer") or "").startswith("faq:"):
            return [FollowupAction(context[0] + FORM_SUFFIX)]  # "yes" to the offered check
        if intent in ("affirm", "deny") and yes_or_no(slot_text(tracker)) is not None:
            dispatcher.utter_message(response="utter_anything_else")
            report(dispatcher, tracker, ReplyKind.SMALL_TALK)
            return []
        return answer_question(dispatcher, tracker)  # facts for the rules of its topic, or a question


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
