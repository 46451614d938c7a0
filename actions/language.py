"""Switching the conversation's language on request.

The turn decides each message's language and sets the ``language`` slot before Rasa predicts
(conversation/language.py), so by the time this action runs the slot already holds the new one.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions._common import report
from conversation.reply_items import ReplyKind


class ActionChangeLanguage(Action):
    """Confirms the switch in the new language."""

    def name(self) -> str:
        """Action name in the domain."""
        return "action_change_language"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Utter the confirmation in the new language."""
        dispatcher.utter_message(response="utter_language_changed")
        report(dispatcher, tracker, ReplyKind.SMALL_TALK, status="language_changed")
        return []
