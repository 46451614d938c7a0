"""Language of the conversation: detected on every message, switched on request."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import ValidationAction
from rasa_sdk.types import DomainDict

from actions._common import language, latest_intent, slot_text
from knowledge.langdetect import detect, requested_language


class ValidateSlotMappings(ValidationAction):
    """Runs after every user message (Rasa's action_extract_slots) and updates ``language``."""

    def name(self) -> str:
        """Rasa's fixed name for the global slot validation action."""
        return "action_validate_slot_mappings"

    async def extract_language(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """An explicit request ("in English please") wins; otherwise lingua, if confident."""
        text = slot_text(tracker)
        current = language(tracker)
        if latest_intent(tracker) == "change_language":
            return {"language": requested_language(text) or detect(text, default=current)}
        if text.startswith("/"):  # button payloads carry no language
            return {"language": current}
        return {"language": detect(text, default=current)}


class ActionChangeLanguage(Action):
    """Confirms the switch; the slot itself was set by ValidateSlotMappings."""

    def name(self) -> str:
        """Action name in the domain."""
        return "action_change_language"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Utter the confirmation in the new language."""
        dispatcher.utter_message(response="utter_language_changed")
        return []
