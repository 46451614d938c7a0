"""Typed feedback on an answer ("that's wrong", "klopt niet", "thanks, that helped") and
complaints ("this bot is useless").

The rating itself is stored by the turn: the action's item says ``feedback`` with the rating,
and the turn puts it on the conversation's last answer, where the widget's thumbs put theirs.
Criticism gets an apology and the offer of a person (a button), and leaves a waiting form.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions._common import latest_intent, leave_form, report
from conversation.reply_items import ReplyKind

NEGATIVE = "feedback_negative"  # the other feedback intent is feedback_positive


class ActionFeedback(Action):
    """Thanks for praise; on criticism apologises and offers to rephrase or talk to a person."""

    def name(self) -> str:
        """Action name in the domain."""
        return "action_feedback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Pick the response from the feedback intent and report the rating."""
        rating = "down" if latest_intent(tracker) == NEGATIVE else "up"
        dispatcher.utter_message(
            response="utter_feedback_sorry" if rating == "down" else "utter_feedback_thanks"
        )
        report(dispatcher, tracker, ReplyKind.FEEDBACK, status=rating)
        return leave_form(tracker)
