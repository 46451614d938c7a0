"""Helpers shared by the actions: the process-wide retriever, the user's language, today."""

from __future__ import annotations

import datetime as dt
from typing import Any

from rasa_sdk import Tracker

from knowledge.schema import LANGS, Lang
from knowledge.service import get_retriever
from settings import get_settings

__all__ = ["as_of", "chosen_language", "get_retriever", "language", "latest_intent", "slot_text"]


def language(tracker: Tracker) -> Lang:
    """The conversation's language slot (validated; default from settings)."""
    value = tracker.get_slot("language")
    return value if value in LANGS else get_settings().default_language


def chosen_language(tracker: Tracker) -> Lang | None:
    """The language the channel says the user picked (widget picker, Telegram language_code)."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            value = (event.get("metadata") or {}).get("chosen_language")
            return value if value in LANGS else None
    return None


def as_of() -> dt.date:
    """The date rules and notes are evaluated on (settings override for tests)."""
    return get_settings().as_of or dt.date.today()


def latest_intent(tracker: Tracker) -> str | None:
    """Name of the intent of the latest user message."""
    intent: dict[str, Any] = tracker.latest_message.get("intent") or {}
    return intent.get("name")


def slot_text(tracker: Tracker) -> str:
    """Text of the latest user message, whitespace collapsed."""
    return " ".join(str(tracker.latest_message.get("text") or "").split())
