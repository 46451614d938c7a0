"""Feedback on an answer (thumbs in the widget send /feedback{"rating": "up"|"down"})."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict


class ActionFeedback(Action):
    """Thanks for praise; on a thumbs-down offers to rephrase or talk to a person."""

    def name(self) -> str:
        """Action name in the domain."""
        return "action_feedback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Pick the response from the rating entity."""
        rating = next(tracker.get_latest_entity_values("rating"), None)
        dispatcher.utter_message(
            response="utter_feedback_sorry" if rating == "down" else "utter_feedback_thanks"
        )
        return []
