"""End to end: a Telegram update through the real API, gateway, Rasa and actions to the fake Bot API."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import select

from bench.backing import Backing
from bench.stack import Stack, stack_env
from conversation.db import session_scope
from conversation.models import Message
from tests.bot.channels.telegram import factories
from tests.bot.channels.telegram.fakes import SECRET, TOKEN, FakeBotApi

pytestmark = [pytest.mark.integration, pytest.mark.slow]
QUESTION = "Worden mijn contactpersonen overgezet naar het nieuwe platform?"
SOURCE = re.compile(r"\bBron(nen)?:")  # one source, or several when sources disagree


@pytest.fixture(scope="module")
def telegram_api(
    stack: Stack, backing: Backing, bot_api_server: FakeBotApi, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    """A second API process with the Telegram channel on, talking to the shared stack's Rasa."""
    workdir = tmp_path_factory.mktemp("telegram-api")
    env = {
        **stack_env(backing.env(workdir)),
        "NSO_TELEGRAM_BOT_TOKEN": TOKEN,
        "NSO_TELEGRAM_WEBHOOK_SECRET": SECRET,
        "NSO_TELEGRAM_API_URL": bot_api_server.base_url,
        "NSO_RASA_TIMEOUT": "60",
        "NSO_RASA_TOKEN": stack.env["NSO_RASA_TOKEN"],
        "NSO_ACTION_TOKEN": stack.env["NSO_ACTION_TOKEN"],
    }
    api = Stack(workdir, env, rasa_port=stack.rasa_port)
    try:
        api.start_api()
        yield api
    finally:
        api.stop_all()


def test_telegram_dutch_faq_question_is_answered_with_source(
    telegram_api: Stack, fake_bot_api: FakeBotApi
) -> None:
    chat_id = 424242
    update = factories.text_update(QUESTION, chat_id=chat_id, language_code="nl")
    wrong = httpx.post(f"{telegram_api.api}/channels/telegram", json=update, timeout=30)
    assert wrong.status_code == 403
    response = httpx.post(
        f"{telegram_api.api}/channels/telegram",
        json=update,
        headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
        timeout=30,
    )
    assert response.status_code == 200
    answer = fake_bot_api.wait_for(
        "sendMessage", lambda p: p["chat_id"] == str(chat_id) and bool(SOURCE.search(p["text"])), seconds=120
    )
    assert "parse_mode" not in answer
    with session_scope(telegram_api.env["NSO_DATABASE_URL"]) as session:
        rows = session.scalars(select(Message).where(Message.conversation_id == f"tg-{chat_id}")).all()
        assert [m.text for m in rows if m.role == "user"] == [QUESTION]
        assert len(rows) == 1 + len(fake_bot_api.called("sendMessage"))
