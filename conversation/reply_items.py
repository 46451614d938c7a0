"""What the assistant did in a turn: the item each custom action attaches to its reply.

A custom action ends its reply with ``dispatcher.utter_message(json_message=item.as_json())``.
Rasa's REST channel passes that on as a message of its own, ``{"custom": {...}}``, after the
action's texts; the turn stores the item in columns of those bot messages and never shows it.
So the console and analytics read what was done (an FAQ answer, a rule verdict, a miss) instead
of guessing it from the reply's wording.

Responses Rasa utters by itself from its rules (greeting, goodbye, thanks, chitchat) come with
no item: they are small talk. A response that means something else declares its item in the
domain (``custom:`` on its variants, as ``utter_out_of_scope`` does).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class ReplyKind(StrEnum):
    """What one reply of the assistant was."""

    FAQ = "faq"  # an answer from the knowledge base
    CLARIFY = "clarify"  # unsure: offers the closest questions as buttons
    FALLBACK = "fallback"  # no answer: asks to rephrase, or the question is out of scope
    RULE_VERDICT = "rule_verdict"  # the answer to a personal question (knowledge.rules)
    FORM_QUESTION = "form_question"  # asks for (or re-asks) a fact a rule needs
    HANDOFF = "handoff"  # passed to a person at the helpdesk
    SMALL_TALK = "small_talk"  # greeting, thanks, language switch, "anything else?"
    FEEDBACK = "feedback"  # the user said whether the last answer helped


# Replies that mean the assistant had no (sure) answer: the question is a gap in the KB.
MISSED = (ReplyKind.FALLBACK, ReplyKind.CLARIFY)
# Replies a rating is about (the widget's thumbs, or typed feedback).
ANSWERS = (ReplyKind.FAQ, ReplyKind.RULE_VERDICT)
RATINGS = ("up", "down")


@dataclass(frozen=True)
class ReplyItem:
    """The structured side of one reply.

    Args:
        kind: What the reply was.
        language: The language the reply is in.
        faq_id: The KB topic answered (or, for clarify and fallback, the closest one).
        rule: The rule a verdict or a form question is about.
        confidence: The retrieval's confidence in ``faq_id``.
        status: What knowledge or the action decided: answered | clarify | fallback for FAQ
            replies, the verdict (yes | no | uncertain), ``ask:<slot>`` / ``invalid:<slot>`` for
            form questions, the handoff reason, the rating (up | down) for feedback.
        sources: The sources the reply cites, as quoted in its text.
        notes: Notes added to an answer (conflicting sources, dates).
    """

    kind: ReplyKind
    language: str | None = None
    faq_id: str | None = None
    rule: str | None = None
    confidence: float | None = None
    status: str | None = None
    sources: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        """The item as the custom payload of a Rasa message."""
        return {
            "kind": self.kind.value,
            "language": self.language,
            "faq_id": self.faq_id,
            "rule": self.rule,
            "confidence": self.confidence,
            "status": self.status,
            "sources": list(self.sources),
            "notes": list(self.notes),
        }

    @classmethod
    def from_json(cls, data: object) -> ReplyItem | None:
        """The item in a custom payload; None if the payload is not one (no known kind)."""
        if not isinstance(data, dict) or data.get("kind") not in ReplyKind.__members__.values():
            return None
        confidence = data.get("confidence")
        return cls(
            kind=ReplyKind(data["kind"]),
            language=_text(data.get("language")),
            faq_id=_text(data.get("faq_id")),
            rule=_text(data.get("rule")),
            confidence=float(confidence) if isinstance(confidence, int | float) else None,
            status=_text(data.get("status")),
            sources=_texts(data.get("sources")),
            notes=_texts(data.get("notes")),
        )


def _text(value: object) -> str | None:
    return str(value) if value is not None else None


def _texts(value: object) -> tuple[str, ...]:
    return tuple(str(v) for v in value) if isinstance(value, list) else ()


def describe(replies: Sequence[dict[str, Any]]) -> list[tuple[dict[str, Any], ReplyItem | None]]:
    """Pair each message Rasa returned for the user with the item that describes it.

    An item describes every message before it back to the previous item: the REST channel sends
    a reply's texts (split at blank lines) first and its custom payload after them. Messages no
    item follows are Rasa's own responses; they get None (small talk, the caller decides).

    Args:
        replies: The REST channel's messages of one turn, in order.

    Returns:
        The messages to show (with text or buttons), each with its item or None.
    """
    described: list[tuple[dict[str, Any], ReplyItem | None]] = []
    pending: list[dict[str, Any]] = []
    for reply in replies:
        if "text" in reply or "buttons" in reply:
            pending.append(reply)
        item = ReplyItem.from_json(reply.get("custom"))
        if item is not None:
            described += [(shown, item) for shown in pending]
            pending = []
    return described + [(shown, None) for shown in pending]


def cited_lines(text: str, sources: Sequence[str]) -> list[str]:
    """The lines of a reply that cite its sources ("Source: EC FAQ (2022), ..."), for the console
    to show apart from the answer."""
    return [line for line in text.splitlines() if any(s and s in line for s in sources)]
