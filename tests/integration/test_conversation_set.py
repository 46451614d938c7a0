"""The held-out conversation set (issue 14) through the real stack: widget API -> Rasa -> actions.

Every conversation of tests/conversations/{en,nl,sl}.yml is played as a teacher would, through
``POST /api/chat/messages``; after each turn the bot messages the turn stored are read from the
stack's database and checked against the turn's expectations. Each category must reach its
threshold (tests/conversations/thresholds.yml) over the three languages. The table of pass rates
per category and language, and every failing turn, go to test-output/conversation-set.md and to
the terminal at the end of the module (with or without ``-s``).

    PYTHONPATH=. .venv/bin/python -m pytest tests/integration/test_conversation_set.py
    PYTHONPATH=. .venv/bin/python -m pytest tests/integration/test_conversation_set.py -k "greeting or handoff"

Only the selected categories are played; never tune the assistant on this set.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from functools import cache
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from sqlalchemy import select

from bench.stack import Stack
from conversation.db import session_scope
from conversation.handoff import OPEN
from conversation.models import Handoff, Message
from tests.conversations.conversation_set import (
    CATEGORIES,
    ROOT,
    Conversation,
    ConversationResult,
    Reply,
    Thresholds,
    TurnFailure,
    TurnOutcome,
    check_turn,
    load_set,
    load_thresholds,
    pass_rate,
    report,
    table,
)
from tests.integration.factories import Chat

if TYPE_CHECKING:
    from lingua import LanguageDetector

REFILL_SECONDS = 16
"""The API's per-client token bucket (a quarter of a minute's allowance) refills in 15 s."""


@pytest.fixture(scope="module", autouse=True)
def _leave_the_rate_limit_as_found() -> Iterator[None]:
    """The set uses up the API's per-client bucket (Chat waits when told to); let it refill so the
    session's next module starts with the allowance it expects."""
    yield
    time.sleep(REFILL_SECONDS)


pytestmark = [pytest.mark.integration, pytest.mark.slow]

REPORT_FILE = ROOT / "test-output" / "conversation-set.md"
_LINGUA_CODES = {"ENGLISH": "en", "DUTCH": "nl", "SLOVENE": "sl"}


@cache
def _lingua() -> LanguageDetector:
    from lingua import Language, LanguageDetectorBuilder

    languages = [getattr(Language, name) for name in _LINGUA_CODES]
    return LanguageDetectorBuilder.from_languages(*languages).with_preloaded_language_models().build()


def detect(text: str) -> tuple[str, float] | None:
    """The reply text's most likely language among en/nl/sl with its confidence (lingua)."""
    values = _lingua().compute_language_confidence_values(text)
    return (_LINGUA_CODES[values[0].language.name], values[0].value) if values else None


def _reply(message: Message) -> Reply:
    return Reply(
        kind=message.kind or message.role,  # a system message ("passed to the helpdesk") has no item
        text=message.text,
        language=message.language,
        faq_id=message.faq_id,
        rule=message.rule,
        result=message.result,
        notes=tuple(message.notes or ()),
        sources=tuple(message.sources or ()),
        buttons=tuple(message.buttons or ()),
    )


def turn_outcome(stack: Stack, conversation_id: str) -> TurnOutcome:
    """The messages stored after the conversation's last user message, and whether it is queued."""
    with session_scope(stack.env["NSO_DATABASE_URL"]) as session:
        rows = list(
            session.scalars(
                select(Message).where(Message.conversation_id == conversation_id).order_by(Message.id)
            )
        )
        last_user = max((i for i, m in enumerate(rows) if m.role == "user"), default=-1)
        replies = tuple(_reply(m) for m in rows[last_user + 1 :] if m.role in ("bot", "system"))
        queued = session.scalars(
            select(Handoff.id).where(Handoff.conversation_id == conversation_id, Handoff.status.in_(OPEN))
        ).first()
        return TurnOutcome(replies, queued is not None)


def _button(messages: list[dict[str, Any]], payload: str) -> dict[str, Any] | None:
    return next(
        (b for m in messages for b in m.get("buttons", []) if str(b.get("payload", "")).startswith(payload)),
        None,
    )


def play(stack: Stack, conversation: Conversation) -> ConversationResult:
    """Play one conversation through the widget API and check every turn.

    Args:
        stack: The running stack.
        conversation: The conversation to play.

    Returns:
        The failing turns (all of them, not only the first), or the error that stopped the play.
    """
    chat = Chat(stack)
    result = ConversationResult(conversation)
    shown: list[dict[str, Any]] = []
    for number, turn in enumerate(conversation.turns, start=1):
        said = turn.user or ""
        try:
            if turn.press:
                button = _button(shown, turn.press)
                if button is None:
                    missing = (f"press: no button with payload {turn.press}... in the previous reply",)
                    result.turns.append(TurnFailure(number, turn.press, missing, ()))
                    break
                said = f"[{button.get('title', '')}]"
                shown = chat.say(str(button.get("title", "")), str(button["payload"]))
            else:
                shown = chat.say(said)
        except httpx.HTTPError as err:
            result.error = f"turn {number} {said!r}: {err!r}"
            break
        assert chat.conversation_id is not None
        outcome = turn_outcome(stack, chat.conversation_id)
        failures = check_turn(turn.expect, outcome, detect)
        if failures:
            result.turns.append(TurnFailure(number, said, tuple(failures), outcome.replies, outcome.queued))
    return result


@pytest.fixture(scope="module")
def thresholds() -> Thresholds:
    """tests/conversations/thresholds.yml."""
    return load_thresholds()


@pytest.fixture(scope="module")
def played(
    stack: Stack, thresholds: Thresholds, request: pytest.FixtureRequest
) -> Iterator[Callable[[str], list[ConversationResult]]]:
    """Plays a category's conversations (once) on demand; at the end writes and shows the table."""
    conversations = [c for f in load_set().values() for c in f.conversations]
    results: dict[str, list[ConversationResult]] = {}

    def of_category(category: str) -> list[ConversationResult]:
        if category not in results:
            results[category] = [play(stack, c) for c in conversations if c.category == category]
        return results[category]

    yield of_category
    everything = [r for category in CATEGORIES for r in results.get(category, [])]
    if not everything:
        return
    text = report(everything, thresholds)
    REPORT_FILE.parent.mkdir(parents=True, exist_ok=True)
    REPORT_FILE.write_text(text, encoding="utf-8")
    summary = (
        f"\nHeld-out conversation set (issue 14)\n{table(everything, thresholds)}\nDetails: {REPORT_FILE}"
    )
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if capture is None:
        print(summary)
        return
    with capture.global_and_fixture_disabled():  # shown whether or not pytest captures output (-s)
        print(summary)


@pytest.mark.parametrize("category", CATEGORIES)
def test_conversation_set_category_reaches_threshold(
    played: Callable[[str], list[ConversationResult]], thresholds: Thresholds, category: str
) -> None:
    results = played(category)
    assert results, f"no conversation of category {category}"
    rate = pass_rate(results)
    failing = "\n".join(r.describe() for r in results if not r.passed)
    passed = sum(r.passed for r in results)
    assert rate >= thresholds.of(category), (
        f"{category}: {passed}/{len(results)} conversations pass ({100 * rate:.0f} %), "
        f"below {100 * thresholds.of(category):.0f} %\n{failing}"
    )
