"""A turn stores what each reply did (its item), decides the language once and passes it to Rasa,
and puts typed feedback on the last answer. Rasa is a recording fake client here; the real one is
in tests/integration/test_turn_records.py."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from conversation.db import session_scope
from conversation.handoff import message_record
from conversation.models import Conversation, Handoff, Message
from conversation.rasa_client import RasaUnavailableError
from conversation.reply_items import ReplyItem, ReplyKind
from conversation.turns import GatewayReply, process_message
from settings import Settings

pytestmark = pytest.mark.unit

SOURCE = "EC FAQ (2022), eTwinning question 1: https://example.org/faq"


def faq_reply(faq_id: str = "registration", lang: str = "en") -> list[dict[str, Any]]:
    """What the REST channel returns for an FAQ answer: the answer, its source line, the item."""
    item = ReplyItem(
        ReplyKind.FAQ, language=lang, faq_id=faq_id, confidence=0.91, status="answered", sources=(SOURCE,)
    )
    return [{"text": "Register with EU Login."}, {"text": f"Source: {SOURCE}"}, {"custom": item.as_json()}]


def feedback_reply(rating: str) -> list[dict[str, Any]]:
    item = ReplyItem(ReplyKind.FEEDBACK, language="nl", status=rating)
    return [{"text": "Bedankt voor je feedback"}, {"custom": item.as_json()}]


@dataclass
class FakeRasa:
    """The RasaClient's three calls, recorded; replies come from ``replies`` in order."""

    replies: list[list[dict[str, Any]]] = field(default_factory=list)
    intents: dict[str, str] = field(default_factory=dict)
    calls: list[tuple[str, ...]] = field(default_factory=list)
    down: bool = False

    async def send(self, sender: str, message: str, metadata: dict[str, Any]) -> list[dict[str, Any]]:
        self.calls.append(("send", message))
        if self.down:
            raise RasaUnavailableError("connection refused")
        return self.replies.pop(0) if self.replies else [{"text": "ok"}]

    async def set_slot(self, sender: str, name: str, value: Any, *, maybe_new: bool = False) -> None:
        self.calls.append(("set_slot", name, value, maybe_new))
        if self.down:
            raise RasaUnavailableError("connection refused")

    async def intent(self, text: str) -> str | None:
        self.calls.append(("intent", text))
        return self.intents.get(text, "ask_faq")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(database_url=f"sqlite:///{tmp_path / 'turns.db'}")


def say(
    settings: Settings, rasa: FakeRasa, text: str, *, payload: str | None = None, lang: str | None = None
) -> GatewayReply:
    return asyncio.run(
        process_message(
            settings,
            rasa,  # type: ignore[arg-type]
            channel="web",
            conversation_id="web-turns-test",
            text=text,
            payload=payload,
            lang=lang,
        )
    )


def bot_messages(settings: Settings) -> list[Message]:
    with session_scope(settings.database_url) as session:
        rows = list(session.scalars(select(Message).where(Message.role == "bot").order_by(Message.id)))
        session.expunge_all()
        return rows


def test_turn_faq_answer_stores_the_item_on_every_part_and_hides_it(settings: Settings) -> None:
    reply = say(settings, FakeRasa([faq_reply()]), "How do I register on the new platform?")
    assert [m.text for m in reply.messages] == ["Register with EU Login.", f"Source: {SOURCE}"]
    stored = bot_messages(settings)
    assert [(m.kind, m.faq_id, m.confidence, m.result, m.language) for m in stored] == [
        ("faq", "registration", 0.91, "answered", "en")
    ] * 2
    assert all(m.sources == [SOURCE] and m.notes == [] for m in stored)


def test_turn_console_record_shows_the_cited_line_apart(settings: Settings) -> None:
    say(settings, FakeRasa([faq_reply()]), "How do I register on the new platform?")
    answer, source = (message_record(m, {}) for m in bot_messages(settings))
    assert (answer.body, answer.sources, answer.kind) == ("Register with EU Login.", [], "faq")
    assert (source.body, source.sources, source.kind) == ("", [f"Source: {SOURCE}"], "faq")


def test_turn_reply_without_item_is_small_talk(settings: Settings) -> None:
    say(settings, FakeRasa([[{"text": "Hello! I'm the virtual assistant."}]]), "hello")
    assert [(m.kind, m.language, m.sources) for m in bot_messages(settings)] == [("small_talk", "en", [])]


def test_turn_each_item_describes_the_messages_before_it(settings: Settings) -> None:
    invalid = ReplyItem(ReplyKind.FORM_QUESTION, rule="group_migration", status="invalid:last_activity")
    ask = ReplyItem(ReplyKind.FORM_QUESTION, rule="group_migration", status="ask:last_activity")
    replies = [
        {"text": "Sorry, I couldn't read that."},
        {"custom": invalid.as_json()},
        {"text": "When was the group last active?"},
        {"custom": ask.as_json()},
    ]
    say(settings, FakeRasa([replies]), "31.02.2021")
    assert [(m.kind, m.rule, m.result) for m in bot_messages(settings)] == [
        ("form_question", "group_migration", "invalid:last_activity"),
        ("form_question", "group_migration", "ask:last_activity"),
    ]


def test_turn_sets_the_language_slot_only_when_the_language_changes(settings: Settings) -> None:
    rasa = FakeRasa()
    say(settings, rasa, "Hoe kan ik me registreren op het nieuwe platform?")
    say(settings, rasa, "Wordt mijn TwinSpace ook overgezet naar het nieuwe platform?")
    say(settings, rasa, "How do I register on the new platform?")
    assert [c for c in rasa.calls if c[0] == "set_slot"] == [
        ("set_slot", "language", "nl", True),  # the first time: Rasa may not know the conversation
        ("set_slot", "language", "en", False),
    ]
    assert [c[0] for c in rasa.calls] == ["set_slot", "send", "send", "set_slot", "send"]
    with session_scope(settings.database_url) as session:
        conv = session.get(Conversation, "web-turns-test")
        assert conv is not None and (conv.language, conv.assistant_language) == ("en", "en")
        users = session.scalars(select(Message.language).where(Message.role == "user").order_by(Message.id))
        assert list(users) == ["nl", "nl", "en"]


def test_turn_request_for_a_language_switches_only_if_the_nlu_agrees(settings: Settings) -> None:
    rasa = FakeRasa(
        intents={"kan het in het Engels?": "change_language", "My school is in Slovenia": "inform"}
    )
    say(settings, rasa, "Hoe kan ik me registreren op het nieuwe platform?")
    assert say(settings, rasa, "kan het in het Engels?").language == "en"  # Dutch words, asks for English
    assert say(settings, rasa, "My school is in Slovenia").language == "en"  # names a language, asks nothing
    assert say(settings, rasa, "in English please").language == "en"  # already English: NLU not asked
    assert [c[1] for c in rasa.calls if c[0] == "intent"] == [
        "kan het in het Engels?",
        "My school is in Slovenia",
    ]
    assert [c[2] for c in rasa.calls if c[0] == "set_slot"] == ["nl", "en"]


def test_turn_language_button_switches_without_asking_the_nlu(settings: Settings) -> None:
    rasa = FakeRasa()
    reply = say(settings, rasa, "Slovenščina", payload='/change_language{"language": "sl"}', lang="sl")
    assert reply.language == "sl"
    assert rasa.calls == [
        ("set_slot", "language", "sl", True),
        ("send", '/change_language{"language": "sl"}'),
    ]


def test_turn_rasa_refusing_the_language_queues_the_message(settings: Settings) -> None:
    reply = say(settings, FakeRasa(down=True), "Hoe kan ik me registreren op het nieuwe platform?")
    assert reply.handoff is True and reply.language == "nl" and reply.messages[0].role == "system"
    with session_scope(settings.database_url) as session:
        assert session.scalars(select(Message.status).where(Message.role == "user")).all() == ["queued"]
        assert session.scalars(select(Handoff.reason)).all() == ["assistant_unavailable"]
        conv = session.get(Conversation, "web-turns-test")
        assert conv is not None and conv.assistant_language is None  # set again on the next turn


@pytest.mark.parametrize("rating", ["down", "up"])
def test_turn_typed_feedback_rates_the_first_message_of_the_last_answer(
    settings: Settings, rating: str
) -> None:
    rasa = FakeRasa(
        [faq_reply("old-topic"), faq_reply("registration"), [{"text": "hi"}], feedback_reply(rating)]
    )
    for text in ("Wat is eTwinning?", "Hoe registreer ik me?", "hallo", "klopt niet"):
        say(settings, rasa, text)
    rated = [(m.faq_id, m.text, m.rating) for m in bot_messages(settings) if m.rating]
    assert rated == [("registration", "Register with EU Login.", rating)]
    assert bot_messages(settings)[-1].kind == "feedback"


def test_turn_typed_feedback_before_any_answer_rates_nothing(settings: Settings) -> None:
    say(settings, FakeRasa([feedback_reply("down")]), "klopt niet")
    assert [(m.kind, m.rating) for m in bot_messages(settings)] == [("feedback", None)]
