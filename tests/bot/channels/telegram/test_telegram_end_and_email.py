"""Telegram after a hand-off: the teacher leaves an e-mail address (/email) and ends the chat
(/end or the End-chat button), then rates it; in the teacher's language, against the fake Bot API.

A hand-off comes from the gateway itself here: with Rasa down, it passes the message to the
helpdesk (the real Rasa's ``action_handoff`` is covered by the end-to-end test).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from conversation.contact import TELEGRAM_CONSENT_VERSION
from conversation.db import session_scope
from conversation.handoff import request_handoff
from conversation.models import Contact, Conversation, Handoff, Message
from conversation.texts import system_text
from settings import Settings
from tests.bot.channels.telegram import factories
from tests.bot.channels.telegram.conftest import telegram_app
from tests.bot.channels.telegram.fakes import SECRET, FakeBotApi, FakeRasa

pytestmark = pytest.mark.unit
CHAT = "tg-1001"
FIRST = {
    "en": "My group has disappeared from the platform, can someone help me?",
    "nl": "Mijn groep is verdwenen van het platform, kan iemand mij helpen?",
    "sl": "Moja skupina je izginila s platforme, mi lahko kdo pomaga?",
}


@pytest.fixture
def rasa_down(configure: Callable[..., Settings], dead_rasa_url: str) -> Settings:
    return configure(rasa_url=dead_rasa_url)


@pytest.fixture
def client(rasa_down: Settings) -> Iterator[TestClient]:
    with TestClient(telegram_app()) as c:
        yield c


def post(client: TestClient, update: dict[str, Any]) -> None:
    response = client.post(
        "/channels/telegram", json=update, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
    )
    assert response.status_code == 200


def sent(fake: FakeBotApi) -> list[dict[str, Any]]:
    return fake.called("sendMessage")


def buttons(params: dict[str, Any]) -> list[tuple[str, str]]:
    rows = params["reply_markup"]["inline_keyboard"]
    return [(b["text"], b["callback_data"]) for row in rows for b in row]


def handed_off(client: TestClient, fake: FakeBotApi, lang: str) -> dict[str, Any]:
    """The teacher's first message, passed to the helpdesk; returns the options message."""
    post(client, factories.text_update(FIRST[lang], language_code=lang))
    unavailable, options = sent(fake)
    assert "helpdesk" in unavailable["text"] or "pomoč" in unavailable["text"]
    return options


@pytest.mark.parametrize("lang", ["en", "nl", "sl"])
def test_telegram_handoff_offers_email_and_end_chat_in_the_teachers_language(
    client: TestClient, fake_bot_api: FakeBotApi, rasa_down: Settings, lang: str
) -> None:
    options = handed_off(client, fake_bot_api, lang)
    assert options["text"] == system_text("telegram_handoff_options", lang, rasa_down)
    assert "/email" in options["text"] and "/end" in options["text"]
    assert buttons(options) == [(system_text("telegram_end_button", lang, rasa_down), "end")]
    assert "parse_mode" not in options

    post(client, factories.text_update("Is er al iemand?", language_code=lang))
    assert len(sent(fake_bot_api)) == 3  # the notice for a waiting message; the options only once


def test_telegram_email_command_keeps_the_address_with_telegram_consent(
    client: TestClient, fake_bot_api: FakeBotApi, fake_rasa: FakeRasa, rasa_down: Settings
) -> None:
    handed_off(client, fake_bot_api, "nl")
    post(client, factories.text_update("/email marieke@school.be"))
    assert sent(fake_bot_api)[-1]["text"] == "We mailen de antwoorden van de helpdesk naar marieke@school.be."
    for wrong in ("/email", "/email marieke at school"):
        post(client, factories.text_update(wrong))
        assert sent(fake_bot_api)[-1]["text"] == system_text("telegram_email_invalid", "nl", rasa_down)
    with session_scope(rasa_down.database_url) as session:
        contact = session.get(Contact, CHAT)
        assert contact is not None
        assert (contact.email, contact.consent_text, contact.consent_language, contact.transcript) == (
            "marieke@school.be",
            TELEGRAM_CONSENT_VERSION,
            "nl",
            False,
        )
        texts = list(session.scalars(select(Message.text).where(Message.conversation_id == CHAT)))
    assert not any("marieke" in t or t.startswith("/email") for t in texts)  # not a chat message
    assert fake_rasa.received == []


@pytest.mark.parametrize("how", ["command", "button"])
def test_telegram_end_closes_the_chat_for_both_sides_and_asks_a_rating(
    client: TestClient, fake_bot_api: FakeBotApi, rasa_down: Settings, how: str
) -> None:
    handed_off(client, fake_bot_api, "sl")
    if how == "command":
        post(client, factories.text_update("/end", language_code="sl"))
    else:
        post(client, factories.callback_update("end"))
        assert len(fake_bot_api.called("answerCallbackQuery")) == 1
    ended, ask = sent(fake_bot_api)[-2:]
    assert ended["text"] == system_text("chat_ended", "sl", rasa_down)
    assert ask["text"] == system_text("telegram_rate", "sl", rasa_down)
    assert buttons(ask) == [(str(n), f"rate:{n}") for n in range(1, 6)]
    with session_scope(rasa_down.database_url) as session:
        conversation = session.get(Conversation, CHAT)
        assert conversation is not None and conversation.status == "closed"
        assert set(session.scalars(select(Handoff.status).where(Handoff.conversation_id == CHAT))) == {
            "closed"
        }

    post(client, factories.callback_update("rate:4"))
    assert sent(fake_bot_api)[-1]["text"] == system_text("telegram_rated", "sl", rasa_down)
    with session_scope(rasa_down.database_url) as session:
        closing = session.scalars(select(Message).where(Message.kind == "chat_ended")).one()
        assert (closing.conversation_id, closing.rating, closing.rating_comment) == (CHAT, "4", None)


def test_telegram_rating_before_the_chat_ended_or_out_of_range_is_ignored(
    client: TestClient, fake_bot_api: FakeBotApi, rasa_down: Settings
) -> None:
    handed_off(client, fake_bot_api, "en")
    for data in ("rate:5", "rate:9", "rate:x"):
        post(client, factories.callback_update(data))
    assert len(sent(fake_bot_api)) == 2
    assert len(fake_bot_api.called("answerCallbackQuery")) == 3


def test_telegram_email_and_end_before_any_conversation_greet(
    tg_client: TestClient, fake_bot_api: FakeBotApi, fake_rasa: FakeRasa
) -> None:
    for text in ("/end", "/email x@y.be"):
        post(tg_client, factories.text_update(text, chat_id=3003 if text == "/end" else 3004))
    assert [r["message"].split("{")[0] for r in fake_rasa.received] == ["/greet", "/greet"]


def test_telegram_options_are_not_repeated_for_a_conversation_already_with_the_helpdesk(
    tg_client: TestClient, fake_bot_api: FakeBotApi, tg_settings: Settings
) -> None:
    post(tg_client, factories.text_update("hallo"))
    assert request_handoff(tg_settings, CHAT, "nl", "requested", "hallo") is not None
    post(tg_client, factories.text_update("nog iets"))
    assert all("reply_markup" not in m or buttons(m)[0][1] != "end" for m in sent(fake_bot_api))
