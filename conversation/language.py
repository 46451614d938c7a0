"""The language of a turn, decided once, by the turn, before Rasa sees the message.

Rasa's responses pick their variant by the ``language`` slot and the actions read it, so the
turn sets that slot (only when it changes) instead of every message making a custom-action round
trip to detect the language again. The rules, in order:

1. A button payload names its language (``/change_language{"language": "sl"}``, Telegram's
   ``/greet{"language": "nl"}``); any other payload keeps the language.
2. A message that asks for a language ("in English please", "v slovenščini") switches to it,
   if the NLU agrees it is a request to switch (``Slovenia`` as a form's answer is not).
3. Otherwise the message's words decide (knowledge/langdetect.py): a greeting or thanks by
   itself ("hoi", "dober dan"), or enough words of one language. Short or ambiguous messages
   ("ok", "Slovenia", "eTwinning", "15 juni 2021", keyboard mashing) keep the conversation's
   language. The language the channel says the user chose (widget picker, Telegram's
   ``language_code``) is where a new conversation starts; the widget sends its picker with every
   message, so it does not override a language the conversation has since taken.
"""

from __future__ import annotations

import json

from knowledge.langdetect import detect, requested_language
from knowledge.schema import LANGS, Lang

CHANGE_LANGUAGE = "change_language"  # the intent of rule 2


def payload_language(payload: str) -> Lang | None:
    """The ``language`` entity of a button payload such as ``/change_language{"language": "sl"}``."""
    _, brace, entities = payload.partition("{")
    try:
        value = json.loads(brace + entities).get("language") if brace else None
    except (ValueError, AttributeError):
        return None
    return value if value in LANGS else None


def turn_language(
    text: str, payload: str | None, chosen: Lang | None, current: Lang, *, new: bool = False
) -> Lang:
    """The language of a message by rules 1 and 3 (rule 2 needs the NLU: :func:`asked_language`).

    Args:
        text: What the user typed, or the title of the button they pressed.
        payload: The button's payload, if a button was pressed.
        chosen: The language the channel says the user chose, if it knows one.
        current: The conversation's language so far.
        new: Whether this is the conversation's first message (then ``chosen`` is the default).
    """
    fallback = (chosen or current) if new else current
    if payload is not None:
        return payload_language(payload) or fallback
    return detect(text, default=fallback)


def asked_language(text: str, payload: str | None) -> Lang | None:
    """The language a typed message names ("in English please"); the turn switches to it only if
    the NLU classifies the message as a request to switch (rule 2)."""
    return None if payload is not None else requested_language(text)
