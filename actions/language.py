"""Language of the conversation: detected on every message, switched on request."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import ValidationAction
from rasa_sdk.types import DomainDict

from actions._common import chosen_language, language, latest_intent, slot_text
from knowledge.langdetect import detect, requested_language
from knowledge.schema import LANGS


class ValidateSlotMappings(ValidationAction):
    """Runs after every user message (Rasa's action_extract_slots) and updates ``language``."""

    def name(self) -> str:
        """Rasa's fixed name for the global slot validation action."""
        return "action_validate_slot_mappings"

    async def extract_language(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """An explicit choice wins (a language button, "in English please"); otherwise lingua, if
        confident; otherwise the language the channel says the user picked, then the current one.
        """
        text = slot_text(tracker)
        fallback = chosen_language(tracker) or language(tracker)
        if text.startswith("/"):  # button payloads: /change_language{"language": "sl"} or none
            picked = next(tracker.get_latest_entity_values("language"), None)
            return {"language": picked if picked in LANGS else fallback}
        if latest_intent(tracker) == "change_language":
            return {"language": requested_language(text) or detect(text, default=fallback)}
        return {"language": detect(text, default=fallback)}


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
