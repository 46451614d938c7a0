"""Shared fixtures: the real settings, retriever and app, built once per test session."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from fastapi.testclient import TestClient

from bench.backing import Backing, postgres, redis_server
from bench.stack import Stack, stack_env
from bot.main import create_app
from knowledge.retrieve import Retriever
from knowledge.service import retrieval_config
from settings import Settings, get_settings
from tests.smtp_server import Inbox, smtp_server

if TYPE_CHECKING:
    from playwright.sync_api import Browser

CHROMIUM = Path("/usr/bin/chromium")  # Debian's package (scripts/setup.sh); `playwright install` is never run
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-background-networking",  # the closed network refuses Chromium's background calls
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def settings() -> Settings:
    """The project's settings (real models/ directory, embedded defaults)."""
    return get_settings()


@pytest.fixture
def nso_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[Mapping[str, str]], Settings]]:
    """Set NSO_* variables (keys without the prefix) and reload the settings; undone after the test."""

    def apply(values: Mapping[str, str]) -> Settings:
        for key, value in values.items():
            monkeypatch.setenv(f"NSO_{key.upper()}", value)
        get_settings.cache_clear()
        return get_settings()

    yield apply
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def retriever(settings: Settings) -> Retriever:
    """A warmed-up retriever on the real encoder and index."""
    r = Retriever(retrieval_config(settings))
    r.warm_up()
    return r


@pytest.fixture
def make_client(retriever: Retriever) -> Iterator[Callable[..., TestClient]]:
    """Factory of started TestClients of the app as the current settings build it (each its own
    cookie jar, e.g. one per agent); all are closed after the test."""
    clients: list[TestClient] = []

    def build(base_url: str = "http://testserver") -> TestClient:
        client = TestClient(create_app(), base_url=base_url)
        client.__enter__()
        clients.append(client)
        return client

    yield build
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture(scope="session")
def client(retriever: Retriever) -> Iterator[TestClient]:
    """The API in-process; the retriever fixture makes sure models are loaded once."""
    with TestClient(create_app()) as c:
        yield c


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--scale-out",
        action="store_true",
        help="run stacks on real PostgreSQL + Redis with 2 API workers (the scale-out profile)",
    )


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """tests/scale needs the services that only ``--scale-out`` starts."""
    if collection_path.name == "scale" and not config.getoption("--scale-out"):
        return True
    return None


@pytest.fixture(scope="session")
def backing(request: pytest.FixtureRequest) -> Iterator[Backing]:
    """State for test stacks: SQLite files, or PostgreSQL + Redis with ``--scale-out``."""
    if not request.config.getoption("--scale-out"):
        yield Backing()
        return
    with postgres() as pg, redis_server() as redis_url:
        yield Backing(pg, redis_url)


@pytest.fixture(scope="session")
def smtp_inbox() -> Iterator[Inbox]:
    """A real SMTP server on 127.0.0.1 (aiosmtpd) that the test stack mails teachers through."""
    with smtp_server() as inbox:
        yield inbox


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory, backing: Backing, smtp_inbox: Inbox) -> Iterator[Stack]:
    """The real stack (API with actions + Rasa server) on loopback, one per test session."""
    workdir: Path = tmp_path_factory.mktemp("stack")
    mail = {"NSO_SMTP_HOST": smtp_inbox.host, "NSO_SMTP_PORT": str(smtp_inbox.port), "NSO_SMTP_TLS": "none"}
    running = Stack(workdir, {**stack_env(backing.env(workdir)), **mail})
    try:
        running.start()
        yield running
    finally:
        running.stop_all()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One headless Debian Chromium per test module (widget and console browser tests).

    Module scope, not session: Playwright's sync API keeps its asyncio loop marked as running in
    the main thread while it lives, so any later test that calls ``asyncio.run`` (the Telegram CLI)
    would fail with "cannot be called from a running event loop".
    """
    from playwright.sync_api import expect, sync_playwright

    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install the Debian package 'chromium' (scripts/setup.sh)")
    # Answers come from the real Rasa and encoder: give them more than Playwright's default 5 s.
    expect.set_options(timeout=30_000)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
