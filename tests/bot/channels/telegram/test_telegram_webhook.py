"""The Telegram webhook route and channel against the fake Bot API and a fake Rasa."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from bot.channels import telegram as channel_module
from bot.channels.telegram import TelegramChannel, send_agent_message, text_chunks
from bot.main import create_app
from conversation.db import session_scope
from conversation.models import Message
from conversation.rasa_client import RasaClient
from settings import Settings
from tests.bot.channels.telegram import factories
from tests.bot.channels.telegram.conftest import telegram_app
from tests.bot.channels.telegram.fakes import SECRET, TOKEN, FakeBotApi, FakeRasa

pytestmark = pytest.mark.unit
URL = "/channels/telegram"
HEADERS = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
LONG_PAYLOAD = '/ask_faq{"faq_id": "migration-of-groups-and-their-members-to-the-new-platform"}'
CLARIFY = [
    {
        "text": "Bedoel je een van deze vragen?",
        "buttons": [
            {"title": "Worden groepen gemigreerd?", "payload": LONG_PAYLOAD},
            {"title": "Met een medewerker praten", "payload": "/ask_human"},
        ],
    }
]


def post(client: TestClient, update: dict[str, Any], headers: dict[str, str] = HEADERS) -> int:
    return client.post(URL, json=update, headers=headers).status_code


def stored(settings: Settings) -> list[Message]:
    with session_scope(settings.database_url) as session:
        return list(session.scalars(select(Message).order_by(Message.id)))


def keyboard(params: dict[str, Any]) -> list[list[dict[str, str]]]:
    rows: list[list[dict[str, str]]] = params["reply_markup"]["inline_keyboard"]
    return rows


@pytest.mark.parametrize(
    "headers",
    [{}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}, {"X-Telegram-Bot-Api-Secret-Token": SECRET + "x"}],
    ids=["missing", "wrong", "longer"],
)
def test_telegram_webhook_wrong_secret_is_403(
    tg_client: TestClient, fake_bot_api: FakeBotApi, fake_rasa: FakeRasa, headers: dict[str, str]
) -> None:
    assert post(tg_client, factories.text_update("Hallo"), headers) == 403
    assert fake_rasa.received == [] and fake_bot_api.called("sendMessage") == []


def test_telegram_webhook_without_token_is_404(configure: Callable[..., Settings]) -> None:
    configure(telegram_bot_token="")
    with TestClient(telegram_app()) as client:
        assert post(client, factories.text_update("Hallo")) == 404


def test_telegram_webhook_without_secret_is_503(configure: Callable[..., Settings]) -> None:
    configure(telegram_webhook_secret="")
    with TestClient(telegram_app()) as client:
        assert post(client, factories.text_update("Hallo"), {"X-Telegram-Bot-Api-Secret-Token": ""}) == 503


def test_telegram_webhook_non_json_body_is_400(tg_client: TestClient) -> None:
    response = tg_client.post(URL, content=b"not json", headers=HEADERS)
    assert response.status_code == 400


def test_telegram_route_is_part_of_the_app() -> None:
    assert URL in create_app().openapi()["paths"]


def test_telegram_start_in_dutch_greets_the_chat(
    tg_client: TestClient, fake_bot_api: FakeBotApi, fake_rasa: FakeRasa
) -> None:
    fake_rasa.replies['/greet{"language": "nl"}'] = [{"text": "Hallo! Ik ben de virtuele assistent."}]
    assert post(tg_client, factories.text_update("/start", language_code="nl")) == 200
    (sent,) = fake_rasa.received
    assert sent["sender"] == f"tg-{factories.CHAT_ID}"
    assert sent["metadata"] == {"channel": "telegram", "chosen_language": "nl"}
    (reply,) = fake_bot_api.called("sendMessage")
    assert reply["chat_id"] == str(factories.CHAT_ID)
    assert reply["text"] == "Hallo! Ik ben de virtuele assistent."
    assert "parse_mode" not in reply and "reply_markup" not in reply


def test_telegram_start_with_bot_suffix_and_unsupported_language_uses_default(
    tg_client: TestClient, fake_rasa: FakeRasa
) -> None:
    assert post(tg_client, factories.text_update("/start@nso_test_bot", language_code="de")) == 200
    assert fake_rasa.received[0]["message"] == "/greet"
    assert fake_rasa.received[0]["metadata"]["chosen_language"] is None


def test_telegram_language_code_is_sent_only_on_the_first_message(
    tg_client: TestClient, fake_rasa: FakeRasa
) -> None:
    post(tg_client, factories.text_update("Hello there, can you help me?", language_code="sl"))
    post(tg_client, factories.text_update("Worden mijn contactpersonen overgezet?", language_code="sl"))
    assert [m["metadata"]["chosen_language"] for m in fake_rasa.received] == ["sl", None]


def test_telegram_text_from_user_is_forwarded_verbatim_and_echo_is_plain_text(
    tg_client: TestClient, fake_bot_api: FakeBotApi, fake_rasa: FakeRasa
) -> None:
    text = "<b>vet</b> *ster* _x_ [link](http://x)"
    post(tg_client, factories.text_update(text))
    assert fake_rasa.received[0]["message"] == text
    (reply,) = fake_bot_api.called("sendMessage")
    assert reply["text"] == f"echo: {text}" and "parse_mode" not in reply


def test_telegram_bot_buttons_become_inline_keyboard(
    tg_client: TestClient, fake_bot_api: FakeBotApi, fake_rasa: FakeRasa, tg_settings: Settings
) -> None:
    fake_rasa.replies["groepen"] = CLARIFY
    post(tg_client, factories.text_update("groepen"))
    (reply,) = fake_bot_api.called("sendMessage")
    rows = keyboard(reply)
    assert [[b["text"] for b in row] for row in rows] == [
        ["Worden groepen gemigreerd?"],
        ["Met een medewerker praten"],
    ]
    bot_message = stored(tg_settings)[-1]
    assert rows[0][0]["callback_data"] == f"btn:{bot_message.id}:0"  # payload longer than 64 bytes
    assert rows[1][0]["callback_data"] == "/ask_human"
    assert all(len(b["callback_data"].encode()) <= 64 for row in rows for b in row)


def test_telegram_callback_is_answered_and_payload_forwarded(
    tg_client: TestClient, fake_bot_api: FakeBotApi, fake_rasa: FakeRasa, tg_settings: Settings
) -> None:
    update = factories.callback_update(
        "/ask_human", keyboard=[[{"text": "Met een medewerker praten", "callback_data": "/ask_human"}]]
    )
    assert post(tg_client, update) == 200
    assert fake_bot_api.called("answerCallbackQuery") == [
        {"callback_query_id": update["callback_query"]["id"]}
    ]
    assert fake_rasa.received[0]["message"] == "/ask_human"
    user_message = stored(tg_settings)[0]
    assert (user_message.text, user_message.payload) == ("Met een medewerker praten", "/ask_human")
    assert len(fake_bot_api.called("sendMessage")) == 1


def test_telegram_long_payload_button_is_resolved_from_the_stored_message(
    tg_client: TestClient, fake_bot_api: FakeBotApi, fake_rasa: FakeRasa, tg_settings: Settings
) -> None:
    fake_rasa.replies["groepen"] = CLARIFY
    post(tg_client, factories.text_update("groepen"))
    data = keyboard(fake_bot_api.called("sendMessage")[0])[0][0]["callback_data"]
    post(tg_client, factories.callback_update(data))
    assert fake_rasa.received[-1]["message"] == LONG_PAYLOAD
    assert stored(tg_settings)[-2].text == "Worden groepen gemigreerd?"


def test_telegram_stored_button_of_another_chat_is_ignored(
    tg_client: TestClient, fake_bot_api: FakeBotApi, fake_rasa: FakeRasa
) -> None:
    fake_rasa.replies["groepen"] = CLARIFY
    post(tg_client, factories.text_update("groepen"))
    data = keyboard(fake_bot_api.called("sendMessage")[0])[0][0]["callback_data"]
    post(tg_client, factories.callback_update(data, chat_id=2002))
    post(tg_client, factories.callback_update("btn:not:a-number"))
    assert len(fake_rasa.received) == 1
    assert len(fake_bot_api.called("answerCallbackQuery")) == 2


def test_telegram_language_command_shows_keyboard_and_choice_switches(
    tg_client: TestClient, fake_bot_api: FakeBotApi, fake_rasa: FakeRasa, tg_settings: Settings
) -> None:
    post(tg_client, factories.text_update("/language"))
    (menu,) = fake_bot_api.called("sendMessage")
    buttons = [row[0] for row in keyboard(menu)]
    assert [b["callback_data"] for b in buttons] == ["lang:en", "lang:nl", "lang:sl"]
    assert [b["text"] for b in buttons] == ["English", "Nederlands", "Slovenščina"]
    assert fake_rasa.received == []

    post(tg_client, factories.callback_update("lang:sl", keyboard=keyboard(menu)))
    (sent,) = fake_rasa.received
    assert json.loads(sent["message"].removeprefix("/change_language")) == {"language": "sl"}
    assert sent["metadata"]["chosen_language"] == "sl"
    assert stored(tg_settings)[0].text == "Slovenščina"


@pytest.mark.parametrize("kind", list(factories.other_updates()))
def test_telegram_other_update_kinds_are_acknowledged_and_ignored(
    tg_client: TestClient, fake_bot_api: FakeBotApi, fake_rasa: FakeRasa, kind: str
) -> None:
    assert post(tg_client, factories.other_updates()[kind]) == 200
    assert fake_bot_api.called("sendMessage") == [] and fake_rasa.received == []


def test_telegram_stored_messages_equal_sent_plus_replies(
    tg_client: TestClient, fake_bot_api: FakeBotApi, fake_rasa: FakeRasa, tg_settings: Settings
) -> None:
    fake_rasa.replies["groepen"] = CLARIFY
    fake_rasa.replies["/ask_human"] = [
        {"text": "Ik geef je door."},
        {"text": "Een medewerker antwoordt hier."},
    ]
    updates = [
        factories.text_update("/start"),
        factories.text_update("groepen"),
        factories.callback_update("/ask_human"),
        factories.text_update("Wanneer antwoordt iemand?"),
    ]
    for update in updates:
        assert post(tg_client, update) == 200
    rows = stored(tg_settings)
    sent = fake_bot_api.called("sendMessage")
    assert len([m for m in rows if m.role == "user"]) == len(updates)
    assert len(rows) == len(updates) + len(sent)
    assert [m.text for m in rows if m.role != "user"] == [s["text"] for s in sent]


def test_telegram_rasa_down_user_is_told_and_message_kept(
    configure: Callable[..., Settings], fake_bot_api: FakeBotApi, dead_rasa_url: str
) -> None:
    settings = configure(rasa_url=dead_rasa_url)
    with TestClient(telegram_app()) as client:
        post(client, factories.text_update("Worden mijn contactpersonen overgezet naar het nieuwe platform?"))
    reply, options = fake_bot_api.called("sendMessage")  # then how to leave an e-mail or end the chat
    assert "helpdesk" in reply["text"]  # the gateway's Dutch 'assistant unavailable' text
    assert "/email" in options["text"]
    user_message, system_message = stored(settings)
    assert (user_message.role, user_message.status, system_message.role) == ("user", "queued", "system")


def test_telegram_long_text_is_split_at_line_breaks() -> None:
    text = "\n".join(f"regel {i} " + "x" * 90 for i in range(100))
    chunks = text_chunks(text)
    assert len(chunks) == 3 and all(len(c) <= 4096 for c in chunks)
    assert "\n".join(chunks) == text


def test_telegram_send_agent_message_reaches_the_chat(
    tg_settings: Settings, fake_bot_api: FakeBotApi
) -> None:
    asyncio.run(send_agent_message(tg_settings, "tg-1001", "Hallo, ik ben Anja van de NSO."))
    (sent,) = fake_bot_api.called("sendMessage")
    assert (sent["chat_id"], sent["text"]) == ("1001", "Hallo, ik ben Anja van de NSO.")
    with pytest.raises(ValueError, match="not a Telegram conversation"):
        asyncio.run(send_agent_message(tg_settings, "web-abcdefgh", "x"))


def test_telegram_failure_is_logged_without_token_or_user_text(
    tg_settings: Settings, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError(f"boom on {kwargs['text']!r} with {TOKEN}")

    monkeypatch.setattr(channel_module, "process_message", broken)

    async def run() -> None:
        rasa = RasaClient(tg_settings.rasa_url, 1)
        channel = TelegramChannel(tg_settings, rasa)
        update = channel.parse(factories.text_update("Mijn e-mailadres is marieke@school.nl"))
        assert update is not None
        await channel.handle(update)  # must not raise
        await channel.close()
        await rasa.close()

    with caplog.at_level(logging.ERROR, logger="bot.channels.telegram"):
        asyncio.run(run())
    (record,) = caplog.records
    logged = caplog.text
    assert "boom" in logged and "RuntimeError" in logged and record.exc_info
    assert "marieke@school.nl" not in logged and TOKEN not in logged and "Marieke" not in logged
