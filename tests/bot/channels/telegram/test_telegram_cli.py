"""``python -m bot telegram set-webhook | poll`` against the fake Bot API."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from bench.stack import ROOT
from bot.__main__ import main, run_polling
from conversation.db import session_scope
from conversation.models import Message
from settings import Settings
from tests.bot.channels.telegram import factories
from tests.bot.channels.telegram.fakes import SECRET, FakeBotApi, FakeRasa

pytestmark = pytest.mark.unit


def test_telegram_set_webhook_sends_url_and_secret(
    configure: Callable[..., Settings], fake_bot_api: FakeBotApi, capsys: pytest.CaptureFixture[str]
) -> None:
    configure(public_url="https://nso.example.org/")
    assert main(["telegram", "set-webhook"]) == 0
    (params,) = fake_bot_api.called("setWebhook")
    assert params["url"] == "https://nso.example.org/channels/telegram"
    assert params["secret_token"] == SECRET
    assert params["allowed_updates"] == ["message", "callback_query"]
    assert "https://nso.example.org/channels/telegram" in capsys.readouterr().out


def test_telegram_set_webhook_registers_the_command_menu_in_each_language(
    configure: Callable[..., Settings], fake_bot_api: FakeBotApi
) -> None:
    configure(public_url="https://nso.example.org/")
    assert main(["telegram", "set-webhook"]) == 0
    menus = {
        params.get("language_code"): params["commands"] for params in fake_bot_api.called("setMyCommands")
    }
    assert set(menus) == {None, "nl", "sl"}
    for commands in menus.values():
        assert [c["command"] for c in commands] == ["start", "language", "email", "end"]
    assert "helpdesk" in menus[None][3]["description"]
    assert "gesprek" in menus["nl"][3]["description"] and "klepet" in menus["sl"][3]["description"]


@pytest.mark.parametrize(
    "overrides", [{"public_url": ""}, {"public_url": "https://x.org", "telegram_webhook_secret": "has space"}]
)
def test_telegram_set_webhook_without_url_or_valid_secret_fails(
    configure: Callable[..., Settings],
    fake_bot_api: FakeBotApi,
    capsys: pytest.CaptureFixture[str],
    overrides: dict[str, str],
) -> None:
    configure(**overrides)
    assert main(["telegram", "set-webhook"]) == 1
    assert "error: NSO_" in capsys.readouterr().err
    assert fake_bot_api.called("setWebhook") == []


def test_telegram_set_webhook_wrong_token_error_hides_token(
    configure: Callable[..., Settings], capsys: pytest.CaptureFixture[str]
) -> None:
    configure(
        public_url="https://nso.example.org",
        telegram_bot_token="999999:wrong_token_abcdefghijklmnopqrstuvwxyz",
    )
    assert main(["telegram", "set-webhook"]) == 1
    err = capsys.readouterr().err
    assert "error:" in err and "wrong_token" not in err


def test_telegram_poll_answers_queued_update_once(
    tg_settings: Settings, fake_bot_api: FakeBotApi, fake_rasa: FakeRasa
) -> None:
    update = factories.text_update("Hallo, werkt de bot?")
    fake_bot_api.updates.append(update)
    asyncio.run(run_polling(tg_settings, timeout=0, batches=2))
    assert fake_bot_api.called("deleteWebhook")
    first, second = fake_bot_api.called("getUpdates")
    assert "offset" not in first and int(second["offset"]) == update["update_id"] + 1
    (reply,) = fake_bot_api.called("sendMessage")
    assert (reply["chat_id"], reply["text"]) == (str(factories.CHAT_ID), "echo: Hallo, werkt de bot?")
    assert [m["message"] for m in fake_rasa.received] == ["Hallo, werkt de bot?"]
    with session_scope(tg_settings.database_url) as session:
        assert session.scalar(select(func.count(Message.id))) == 2


def test_telegram_cli_help_lists_commands() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "telegram", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "set-webhook" in result.stdout and "poll" in result.stdout
