"""One Retriever per process, shared by the HTTP routes and the Rasa actions."""

from __future__ import annotations

from functools import lru_cache

from bot.settings import Settings, get_settings
from knowledge.retrieve import Retriever


@lru_cache(maxsize=2)
def _retriever_for(settings: Settings) -> Retriever:
    return Retriever(settings)


def get_retriever(settings: Settings | None = None) -> Retriever:
    """The warmed-up retriever for ``settings`` (default: the process settings)."""
    retriever = _retriever_for(settings or get_settings())
    retriever.warm_up()
    return retriever
