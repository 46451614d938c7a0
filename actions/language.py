"""Switching the conversation's language on request.

The turn decides each message's language and sets the ``language`` slot before Rasa predicts
(conversation/language.py), so by the time this action runs the slot already holds the new one.
The last answer is then given again in the new language; a waiting form asks its question again
itself (data/rules/rule_checks.yml).
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions._common import as_of, get_retriever, language, report
from actions._replies import say_answer, say_verdict
from actions.rules_forms import rule_inputs
from conversation.reply_items import ReplyKind


class ActionChangeLanguage(Action):
    """Confirms the switch in the new language and repeats the last answer in it."""

    def name(self) -> str:
        """Action name in the domain."""
        return "action_change_language"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Utter the confirmation, then the last FAQ answer or verdict again."""
        dispatcher.utter_message(response="utter_language_changed")
        report(dispatcher, tracker, ReplyKind.SMALL_TALK, status="language_changed")
        if (tracker.active_loop or {}).get("name"):
            return []
        kind, _, ref = str(tracker.get_slot("last_answer") or "").partition(":")
        retriever = get_retriever()
        if kind == "faq" and ref in retriever.kb.topics:
            answer = retriever.compose(ref, language(tracker), as_of=as_of())
            return say_answer(dispatcher, tracker, answer, offer=list(tracker.get_slot("rule_context") or []))
        if kind == "rule" and ref:
            return say_verdict(dispatcher, tracker, ref, rule_inputs(ref, tracker))
        return []
