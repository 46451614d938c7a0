"""The conversation layer's metrics: turns by kind and language, the turn's latency, Rasa up or
down from the last call, and the handoffs waiting, counted in the database at scrape time."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client import REGISTRY

from conversation.db import session_scope
from conversation.metrics import HandoffsWaiting, RasaTransport, count_turn
from conversation.models import Handoff
from conversation.rasa_client import RasaClient, RasaUnavailableError
from conversation.reply_items import ReplyItem, ReplyKind
from conversation.turns import process_message
from settings import Settings

pytestmark = pytest.mark.unit


def value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


class OneReplyRasa:
    """A Rasa that answers every message with ``replies`` (or is down)."""

    def __init__(self, replies: list[dict[str, Any]], down: bool = False) -> None:
        self.replies, self.down = replies, down

    async def send(self, sender: str, message: str, metadata: dict[str, Any]) -> list[dict[str, Any]]:
        if self.down:
            raise RasaUnavailableError("connection refused")
        return self.replies

    async def set_slot(self, sender: str, name: str, value: Any, *, maybe_new: bool = False) -> None:
        return None

    async def intent(self, text: str) -> str | None:
        return "ask_faq"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(database_url=f"sqlite:///{tmp_path / 'metrics.db'}")


def turn(settings: Settings, rasa: OneReplyRasa, text: str, conversation_id: str = "web-metrics") -> None:
    asyncio.run(
        process_message(
            settings,
            rasa,
            channel="web",
            conversation_id=conversation_id,
            text=text,  # type: ignore[arg-type]
        )
    )


def test_metrics_faq_turn_counts_its_kind_and_language_once(settings: Settings) -> None:
    item = ReplyItem(ReplyKind.FAQ, language="nl", faq_id="registration", status="answered")
    parts = [{"text": "Registreer met EU Login."}, {"text": "Bron: EC FAQ"}, {"custom": item.as_json()}]
    before = value("nso_turns_total", kind="faq", language="nl")
    turns_before = value("nso_stage_seconds_count", stage="turn")
    turn(settings, OneReplyRasa(parts), "Hoe kan ik me registreren op het nieuwe platform?")
    assert value("nso_turns_total", kind="faq", language="nl") == before + 1  # two parts, one turn
    assert value("nso_stage_seconds_count", stage="turn") == turns_before + 1


def test_metrics_turn_without_rasa_counts_assistant_unavailable_and_a_waiting_handoff(
    settings: Settings,
) -> None:
    before = value("nso_turns_total", kind="assistant_unavailable", language="en")
    turn(settings, OneReplyRasa([], down=True), "How do I register on the new platform?")
    assert value("nso_turns_total", kind="assistant_unavailable", language="en") == before + 1
    (family,) = HandoffsWaiting(settings.database_url).collect()
    assert [s.value for s in family.samples] == [1]


def test_metrics_handoffs_waiting_counts_only_untaken_handoffs(settings: Settings) -> None:
    with session_scope(settings.database_url) as session:
        session.add_all(
            Handoff(conversation_id=f"c{i}", language="sl", reason="asked", status=status)
            for i, status in enumerate(["waiting", "waiting", "taken", "closed"])
        )
    (family,) = HandoffsWaiting(settings.database_url).collect()
    assert (family.name, [s.value for s in family.samples]) == ("nso_handoffs_waiting", [2])


def test_metrics_count_turn_without_kinds_is_none() -> None:
    before = value("nso_turns_total", kind="none", language="en")
    count_turn("en", [None])
    assert value("nso_turns_total", kind="none", language="en") == before + 1


def test_metrics_rasa_up_follows_the_last_call_outcome() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/model/parse":
            return httpx.Response(200, json={"intent": {"name": "greet"}})
        return httpx.Response(500)

    async def calls() -> list[float]:
        client = RasaClient("http://rasa.test", 1.0)
        client._client = httpx.AsyncClient(transport=RasaTransport(httpx.MockTransport(answer)))
        seen = []
        assert await client.intent("hi") == "greet"
        seen.append(value("nso_rasa_up"))
        with pytest.raises(RasaUnavailableError):
            await client.send("c", "hi", {})
        seen.append(value("nso_rasa_up"))
        await client.close()
        unreachable = RasaClient("http://127.0.0.1:9", 1.0)  # the default transport, nothing listening
        with pytest.raises(RasaUnavailableError):
            await unreachable.intent("hi")
        await unreachable.close()
        return [*seen, REGISTRY.get_sample_value("nso_rasa_up") or 0.0]

    calls_before = value("nso_stage_seconds_count", stage="rasa")
    assert asyncio.run(calls()) == [1.0, 0.0, 0.0]
    assert value("nso_stage_seconds_count", stage="rasa") == calls_before + 3
