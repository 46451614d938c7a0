"""Helpers shared by the actions: the process-wide retriever, the user's language, today, and the
item that tells the turn what an action did."""

from __future__ import annotations

import datetime as dt
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from conversation.reply_items import ReplyItem, ReplyKind
from knowledge.schema import LANGS, Lang
from knowledge.service import get_retriever
from settings import get_settings

__all__ = [
    "as_of",
    "get_retriever",
    "language",
    "latest_intent",
    "leave_form",
    "report",
    "slot_text",
]


def language(tracker: Tracker) -> Lang:
    """The conversation's language slot, which the turn sets (validated; default from settings)."""
    value = tracker.get_slot("language")
    return value if value in LANGS else get_settings().default_language


def report(dispatcher: CollectingDispatcher, tracker: Tracker, kind: ReplyKind, **details: Any) -> None:
    """End the action's reply with the item saying what it did (stored by the turn, never shown).

    Args:
        dispatcher: The action's dispatcher; call this after the action's responses.
        tracker: The conversation (for the reply's language).
        kind: What the reply was.
        **details: The other fields of :class:`conversation.reply_items.ReplyItem`.
    """
    item = ReplyItem(kind, language=language(tracker), **details)
    dispatcher.utter_message(json_message=item.as_json())


def as_of() -> dt.date:
    """The date rules and notes are evaluated on (settings override for tests)."""
    return get_settings().as_of or dt.date.today()


def latest_intent(tracker: Tracker) -> str | None:
    """Name of the intent of the latest user message."""
    intent: dict[str, Any] = tracker.latest_message.get("intent") or {}
    return intent.get("name")


def intent_confidence(tracker: Tracker) -> float:
    """The NLU's confidence in the intent of the latest user message (0 when none was given)."""
    intent: dict[str, Any] = tracker.latest_message.get("intent") or {}
    return float(intent.get("confidence") or 0.0)


def slot_text(tracker: Tracker) -> str:
    """Text of the latest user message, whitespace collapsed."""
    return " ".join(str(tracker.latest_message.get("text") or "").split())


def is_payload(tracker: Tracker) -> bool:
    """Whether the latest message is a button's payload (``/check_group_migration``)."""
    return slot_text(tracker).startswith("/")


def leave_form(tracker: Tracker) -> list[dict[str, Any]]:
    """Events that end the active form, if any: an action that answers something else while a
    form waits (a new question, "I don't know", a complaint) leaves it rather than re-asking."""
    if not (tracker.active_loop or {}).get("name"):
        return []
    return [ActiveLoop(None), SlotSet("requested_slot", None)]
