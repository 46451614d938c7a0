"""Fixtures of the Telegram tests: a fake Bot API, a fake Rasa (unit tests only), the app.

The end-to-end test uses the real `stack` fixture of tests/conftest.py.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from bench.stack import free_port
from bot.routes import telegram
from conversation.rasa_client import RasaClient
from settings import Settings, get_settings, rasa_token
from tests.bot.channels.telegram.fakes import SECRET, TOKEN, FakeBotApi, FakeRasa, serving


@pytest.fixture(scope="session")
def bot_api_server() -> Iterator[FakeBotApi]:
    with serving(FakeBotApi()) as fake:
        yield fake


@pytest.fixture(scope="session")
def rasa_server() -> Iterator[FakeRasa]:
    with serving(FakeRasa()) as fake:
        yield fake


@pytest.fixture
def fake_bot_api(bot_api_server: FakeBotApi) -> FakeBotApi:
    """The fake Bot API with no recorded calls and no queued updates."""
    bot_api_server.reset()
    return bot_api_server


@pytest.fixture
def fake_rasa(rasa_server: FakeRasa) -> FakeRasa:
    """The fake Rasa with nothing received and echo replies."""
    rasa_server.reset()
    return rasa_server


@pytest.fixture
def configure(
    nso_env: Callable[[Mapping[str, str]], Settings],
    tmp_path: Path,
    fake_bot_api: FakeBotApi,
    fake_rasa: FakeRasa,
) -> Callable[..., Settings]:
    """Set NSO_* for the fakes and a fresh SQLite file (overrides as keyword arguments)."""

    def apply(**overrides: str) -> Settings:
        defaults = {
            "environment": "test",
            "database_url": f"sqlite:///{tmp_path / 'gateway.db'}",
            "rasa_url": fake_rasa.url,
            "rasa_timeout": "5",
            "telegram_bot_token": TOKEN,
            "telegram_webhook_secret": SECRET,
            "telegram_api_url": fake_bot_api.base_url,
            "default_language": "en",
        }
        return nso_env({**defaults, **overrides})

    return apply


@pytest.fixture
def tg_settings(configure: Callable[..., Settings]) -> Settings:
    return configure()


@pytest.fixture
def dead_rasa_url() -> str:
    """A loopback URL nothing listens on (Rasa stopped)."""
    return f"http://127.0.0.1:{free_port()}"


def telegram_app() -> FastAPI:
    """Only the Telegram route, with the Rasa client the real app's lifespan would make."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        settings = get_settings()
        app.state.rasa = RasaClient(settings.rasa_url, settings.rasa_timeout, rasa_token(settings))
        yield
        await app.state.rasa.close()

    app = FastAPI(lifespan=lifespan)
    app.include_router(telegram.router)
    return app


@pytest.fixture
def tg_client(tg_settings: Settings) -> Iterator[TestClient]:
    with TestClient(telegram_app()) as client:
        yield client
