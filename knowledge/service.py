"""One Retriever per process, shared by the HTTP routes and the Rasa actions."""

from __future__ import annotations

import threading

from knowledge.retrieve import Retriever
from settings import Settings, get_settings

_lock = threading.Lock()
_retrievers: dict[tuple[object, ...], Retriever] = {}


def _key(settings: Settings) -> tuple[object, ...]:
    """The settings retrieval depends on; others (database, channels) must not cost a reload."""
    return (
        settings.kb_dir,
        settings.models_dir,
        settings.encoder_source,
        settings.encoder_threads,
        settings.answer_threshold,
        settings.clarify_threshold,
        settings.default_language,
        settings.languages,
        settings.as_of,
    )


def get_retriever(settings: Settings | None = None) -> Retriever:
    """The warmed-up retriever for ``settings`` (default: the process settings)."""
    settings = settings or get_settings()
    key = _key(settings)
    with _lock:
        retriever = _retrievers.get(key)
        if retriever is None:
            retriever = _retrievers[key] = Retriever(settings)
    retriever.warm_up()
    return retriever
