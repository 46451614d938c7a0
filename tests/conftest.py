"""Shared fixtures: the real settings, retriever and app, built once per test session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bot.main import create_app
from bot.settings import Settings, get_settings
from knowledge.retrieve import Retriever
from tests.integration.stack import Stack, stack_env


@pytest.fixture(scope="session")
def settings() -> Settings:
    """The project's settings (real models/ directory, embedded defaults)."""
    return get_settings()


@pytest.fixture(scope="session")
def retriever(settings: Settings) -> Retriever:
    """A warmed-up retriever on the real encoder and index."""
    r = Retriever(settings)
    r.warm_up()
    return r


@pytest.fixture(scope="session")
def client(retriever: Retriever) -> Iterator[TestClient]:
    """The API in-process; the retriever fixture makes sure models are loaded once."""
    with TestClient(create_app()) as c:
        yield c


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The real stack (API with actions + Rasa server) on loopback, one per test session."""
    workdir: Path = tmp_path_factory.mktemp("stack")
    running = Stack(workdir, stack_env(workdir))
    try:
        running.start_api()
        running.start_rasa()
        yield running
    finally:
        running.stop_all()
