"""What the console shows for the values stored in the database (a handoff's status, a message's kind).

One table for the pages and their scripts: templates call ``label(group, value)``, and the page's
JSON strings carry ``labels()`` for the scripts, so a status reads the same before and after a live
update. The msgids are marked with ``N_`` (extracted, translated when shown); a value with no
label is shown as stored.
"""

from __future__ import annotations

from bot.console.i18n import gettext


def N_(message: str) -> str:  # gettext's conventional name for "translate later"
    """Mark ``message`` for extraction; it is translated when shown."""
    return message


VALUE_LABELS: dict[str, dict[str, str]] = {
    # handoff status
    "status": {"waiting": N_("waiting"), "taken": N_("taken"), "closed": N_("closed")},
    # why a conversation was handed to a person
    "reason": {"requested": N_("asked for a person"), "fallback": N_("the assistant had no answer")},
    # who wrote a message
    "role": {"user": N_("teacher"), "bot": N_("assistant"), "agent": N_("agent"), "system": N_("system")},
    # what a bot message was (conversation.reply_items.ReplyKind)
    "kind": {
        "faq": N_("answer"),
        "clarify": N_("unsure"),
        "fallback": N_("no answer"),
        "rule_verdict": N_("rule verdict"),
        "form_question": N_("question for a rule"),
        "handoff": N_("handoff"),
        "small_talk": N_("small talk"),
        "feedback": N_("feedback"),
        "chat_ended": N_("chat ended by the teacher"),
    },
    # the teacher's thumbs on an answer, or 1-5 on an ended chat
    "rating": {
        "up": N_("helpful"),
        "down": N_("not helpful"),
        "1": N_("1 of 5"),
        "2": N_("2 of 5"),
        "3": N_("3 of 5"),
        "4": N_("4 of 5"),
        "5": N_("5 of 5"),
    },
    # a message's delivery status (only "queued" is shown)
    "message_status": {"queued": N_("queued for the agent")},
    # what became of a conversation (transcripts)
    "outcome": {
        "answered": N_("answered"),
        "unanswered": N_("unanswered"),
        "handoff": N_("handed over"),
    },
    # what became of a typed question (analytics)
    "question": {
        "answered": N_("answered"),
        "clarify": N_("clarify"),
        "fallback": N_("rephrase"),
        "handoff": N_("handoff"),
        "requested": N_("requested"),
        "queued": N_("queued"),
        "other": N_("other"),
    },
    # console account role
    "account": {"agent": N_("agent"), "admin": N_("admin")},
    # channel
    "channel": {"web": N_("web"), "telegram": N_("Telegram")},
    # a rule's verdict (knowledge.rules) and the types of its inputs
    "verdict": {
        "yes": N_("yes"),
        "no": N_("no"),
        "uncertain": N_("uncertain"),
        "need_more": N_("more facts needed"),
    },
    "input_type": {
        "date": N_("date"),
        "bool": N_("yes or no"),
        "int": N_("whole number"),
        "number": N_("number"),
        "country": N_("country"),
        "country_list": N_("countries, separated by commas"),
        "choice": N_("one choice"),
        "choice_list": N_("one or more choices"),
    },
}


def label(group: str, value: str | None) -> str:
    """The text shown for ``value`` of ``group`` in the active language (``value`` if it has none)."""
    if value is None:
        return ""
    msgid = VALUE_LABELS.get(group, {}).get(value)
    return gettext(msgid) if msgid else value


def labels() -> dict[str, dict[str, str]]:
    """Every label in the active language, for the scripts."""
    return {
        group: {value: gettext(msgid) for value, msgid in table.items()}
        for group, table in VALUE_LABELS.items()
    }
