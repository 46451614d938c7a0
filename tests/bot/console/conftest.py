"""Console test fixtures: the app on a fresh SQLite file, a fake Rasa, signed-in agents."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import pytest
import uvicorn
from fastapi.testclient import TestClient

from bench.stack import free_port
from bot.console import events as console_events
from bot.main import create_app
from conversation import changes as live
from knowledge.retrieve import Retriever
from settings import Settings
from tests.bot.channels.telegram.fakes import serving
from tests.bot.console.factories import FakeRasa, LiveConsole, make_agent, sign_in


@pytest.fixture(scope="session")
def rasa_server() -> Iterator[FakeRasa]:
    with serving(FakeRasa()) as fake:
        yield fake


@pytest.fixture
def fake_rasa(rasa_server: FakeRasa) -> FakeRasa:
    """The fake Rasa with nothing recorded."""
    rasa_server.reset()
    return rasa_server


@pytest.fixture
def configure(nso_env: Callable[[Mapping[str, str]], Settings], tmp_path: Path) -> Callable[..., Settings]:
    """Point NSO_* at a fresh SQLite file (and Rasa nowhere, unless overridden)."""

    def apply(**overrides: str) -> Settings:
        defaults = {
            "database_url": f"sqlite:///{tmp_path / 'console.db'}",
            "rasa_url": f"http://127.0.0.1:{free_port()}",
            "rasa_timeout": "2",
        }
        return nso_env({**defaults, **overrides})

    return apply


@pytest.fixture
def settings_db(configure: Callable[..., Settings]) -> Settings:
    """Settings with a fresh database and Rasa down."""
    return configure()


@pytest.fixture
def app_client(settings_db: Settings, make_client: Callable[[], TestClient]) -> TestClient:
    """A client with no session."""
    return make_client()


@pytest.fixture
def agent_client(settings_db: Settings, make_client: Callable[[], TestClient]) -> tuple[TestClient, str]:
    """A client signed in as agent els@example.org; with its CSRF token."""
    make_agent(settings_db, "els@example.org", name="Els Peeters")
    client = make_client()
    return client, sign_in(client, "els@example.org")


@pytest.fixture
def admin_client(settings_db: Settings, make_client: Callable[[], TestClient]) -> tuple[TestClient, str]:
    """A client signed in as admin ada@example.org; with its CSRF token."""
    make_agent(settings_db, "ada@example.org", role="admin", name="Ada Admin")
    client = make_client()
    return client, sign_in(client, "ada@example.org")


@pytest.fixture
def short_streams(monkeypatch: pytest.MonkeyPatch) -> None:
    """Event streams that end after one round, so TestClient can read them whole."""
    monkeypatch.setattr(console_events, "STREAM_SECONDS", 0.2)
    monkeypatch.setattr(live, "POLL_SECONDS", 0.05)


LIVE_ADMIN = "ada@example.org"  # the admin of the live_console fixture


@pytest.fixture
def live_console(configure: Callable[..., Settings], retriever: Retriever) -> Iterator[LiveConsole]:
    """``create_app()`` on a fresh database, served by uvicorn in a thread; an admin account in it."""
    settings = configure()
    make_agent(settings, LIVE_ADMIN, role="admin", name="Ada Admin")
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_config=None))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 120
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("the console app did not start")
        time.sleep(0.05)
    yield LiveConsole(f"http://127.0.0.1:{port}", settings)
    server.should_exit = True
    thread.join(timeout=15)
