"""Builders for Rasa trackers and domain data used by the action tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from rasa_sdk import Tracker

DOMAIN_DIR = Path(__file__).resolve().parent.parent / "domain"


def load_domain() -> dict[str, Any]:
    """The merged domain/*.yml (read with PyYAML: the Rasa package is not in this venv)."""
    merged: dict[str, Any] = {"actions": [], "responses": {}, "forms": {}, "slots": {}, "intents": []}
    for path in sorted(DOMAIN_DIR.glob("*.yml")):
        part = yaml.safe_load(path.read_text(encoding="utf-8"))
        for key in ("actions", "intents"):
            merged[key] += part.get(key, [])
        for key in ("responses", "forms", "slots"):
            merged[key].update(part.get(key, {}))
    return merged


def make_tracker(
    text: str = "",
    intent: str | None = None,
    slots: dict[str, Any] | None = None,
    entities: list[dict[str, Any]] | None = None,
    events: list[dict[str, Any]] | None = None,
    active_loop: str | None = None,
    sender_id: str = "test-user",
    filled: dict[str, Any] | None = None,
    metadata: dict[str, Any] | None = None,
    confidence: float = 1.0,
) -> Tracker:
    """A tracker whose latest user message is ``text`` with ``intent`` and ``entities``.

    ``filled`` are slots set from that message (what a form validator gets to validate).
    """
    parse = {"text": text, "intent": {"name": intent, "confidence": confidence}, "entities": entities or []}
    return Tracker.from_dict(
        {
            "sender_id": sender_id,
            "slots": {"language": "en", "fallback_count": 0, **(slots or {}), **(filled or {})},
            "latest_message": parse,
            "events": [
                *(events or []),
                {"event": "user", "text": text, "parse_data": parse, "metadata": metadata or {}},
                *({"event": "slot", "name": k, "value": v} for k, v in (filled or {}).items()),
            ],
            "paused": False,
            "followup_action": None,
            "active_loop": {"name": active_loop} if active_loop else {},
            "latest_action_name": None,
        }
    )


def user_event(intent: str, text: str = "") -> dict[str, Any]:
    """A past user event with ``intent``."""
    return {"event": "user", "text": text, "parse_data": {"intent": {"name": intent}, "entities": []}}


def chat_headers(conversation_id: str) -> dict[str, str]:
    """The header the widget sends with every request about its conversation (its access token)."""
    from conversation.access import web_token
    from settings import get_settings

    return {"X-Conversation-Token": web_token(get_settings(), conversation_id)}


def run_action(
    registry: dict[str, Any], name: str, tracker: Tracker, domain: dict[str, Any]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Run the custom action ``name`` as the SDK would; returns (events, dispatched messages)."""
    import asyncio

    from rasa_sdk import Action
    from rasa_sdk.executor import CollectingDispatcher

    dispatcher = CollectingDispatcher()
    action = registry[name]
    runner = action if callable(action) and not isinstance(action, Action) else action.run
    events = asyncio.run(runner(dispatcher, tracker, domain))
    return events, dispatcher.messages
