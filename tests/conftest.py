"""Shared fixtures: the real settings, retriever and app, built once per test session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from bot.main import create_app
from bot.settings import Settings, get_settings
from knowledge.retrieve import Retriever


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
