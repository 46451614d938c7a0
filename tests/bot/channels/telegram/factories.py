"""Builders for Telegram Bot API update JSON (what Telegram posts to the webhook)."""

from __future__ import annotations

import itertools
import time
from typing import Any

CHAT_ID = 1001
_update_ids = itertools.count(1000)


def user(user_id: int = CHAT_ID, language_code: str | None = "nl") -> dict[str, Any]:
    data: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": "Marieke", "username": "marieke_t"}
    if language_code:
        data["language_code"] = language_code
    return data


def chat(chat_id: int = CHAT_ID, kind: str = "private") -> dict[str, Any]:
    return {"id": chat_id, "type": kind, "first_name": "Marieke"}


def message(
    text: str | None, chat_id: int = CHAT_ID, language_code: str | None = "nl", **extra: Any
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "message_id": next(_update_ids),
        "date": int(time.time()),
        "chat": chat(chat_id),
        "from": user(chat_id, language_code),
        **extra,
    }
    if text is not None:
        data["text"] = text
    return data


def text_update(text: str, chat_id: int = CHAT_ID, language_code: str | None = "nl") -> dict[str, Any]:
    """A user's text message in a private chat."""
    return {"update_id": next(_update_ids), "message": message(text, chat_id, language_code)}


def callback_update(
    data: str, chat_id: int = CHAT_ID, keyboard: list[list[dict[str, str]]] | None = None
) -> dict[str, Any]:
    """A press on an inline button of a bot message (``keyboard`` = that message's buttons)."""
    bot_message: dict[str, Any] = {
        "message_id": next(_update_ids),
        "date": int(time.time()),
        "chat": chat(chat_id),
        "from": {"id": 4242, "is_bot": True, "first_name": "NSO helpdesk"},
        "text": "…",
    }
    if keyboard:
        bot_message["reply_markup"] = {"inline_keyboard": keyboard}
    return {
        "update_id": next(_update_ids),
        "callback_query": {
            "id": f"cq-{next(_update_ids)}",
            "from": user(chat_id),
            "chat_instance": "ci-1",
            "data": data,
            "message": bot_message,
        },
    }


def other_updates() -> dict[str, dict[str, Any]]:
    """Updates the assistant does not answer, by name."""
    group = message("hallo allemaal")
    group["chat"] = chat(-100200300, "group")
    return {
        "edited_message": {"update_id": next(_update_ids), "edited_message": message("bewerkt")},
        "channel_post": {
            "update_id": next(_update_ids),
            "channel_post": {
                "message_id": 1,
                "date": int(time.time()),
                "chat": chat(-1001, "channel"),
                "text": "x",
            },
        },
        "sticker": {
            "update_id": next(_update_ids),
            "message": message(
                None,
                sticker={
                    "file_id": "f1",
                    "file_unique_id": "u1",
                    "type": "regular",
                    "width": 512,
                    "height": 512,
                    "is_animated": False,
                    "is_video": False,
                },
            ),
        },
        "photo": {
            "update_id": next(_update_ids),
            "message": message(
                None,
                photo=[{"file_id": "p1", "file_unique_id": "pu1", "width": 90, "height": 90}],
                caption="kijk",
            ),
        },
        "group_message": {"update_id": next(_update_ids), "message": group},
        "my_chat_member_unknown_field": {"update_id": next(_update_ids), "some_future_update": {"x": 1}},
        "not_an_update": {"hello": "world"},
    }
