"""Passing the conversation to a human agent at the NSO helpdesk."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from actions._common import language, latest_intent, report, slot_text
from conversation.handoff import request_handoff
from conversation.opening_hours import opening_hours
from conversation.reply_items import ReplyKind
from conversation.texts import availability_text
from settings import get_settings

log = logging.getLogger(__name__)


class ActionHandoff(Action):
    """Records the handoff for the console and tells the user what happens next.

    From then on the turn sends the conversation's messages to agents (it reads the handoff
    table), so Rasa keeps no handoff state of its own.
    """

    def name(self) -> str:
        """Action name in the domain."""
        return "action_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Request a human; the reason is the user's request or repeated misses."""
        settings = get_settings()
        reason = "requested" if latest_intent(tracker) == "ask_human" else "fallback"
        try:
            request_handoff(settings, tracker.sender_id, language(tracker), reason, slot_text(tracker))
        except SQLAlchemyError:
            log.exception("handoff: could not record conversation %s", tracker.sender_id)
            dispatcher.utter_message(response="utter_handoff_unavailable")
            report(dispatcher, tracker, ReplyKind.HANDOFF, status="unavailable")
            return []
        lang = language(tracker)
        dispatcher.utter_message(
            response="utter_handoff",
            hours=opening_hours(settings, lang),
            availability=availability_text(settings, lang),
        )
        report(dispatcher, tracker, ReplyKind.HANDOFF, status=reason)
        return [SlotSet("fallback_count", 0)]
