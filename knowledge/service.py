"""One Retriever per process, shared by the HTTP routes and the Rasa actions.

This is the one place where the application settings become the retrieval config; retrieval
and the index themselves never import ``settings``.
"""

from __future__ import annotations

import threading

from knowledge.config import RetrievalConfig
from knowledge.retrieve import Retriever
from settings import Settings, get_settings

_lock = threading.Lock()
_retrievers: dict[RetrievalConfig, Retriever] = {}


def retrieval_config(settings: Settings) -> RetrievalConfig:
    """The part of ``settings`` retrieval depends on; others (database, channels) must not cost a reload.

    Args:
        settings: The application settings.

    Returns:
        The retrieval config.

    Raises:
        ValueError: If the thresholds are not ordered within 0..1.
    """
    return RetrievalConfig(
        kb_dir=settings.kb_dir,
        index_dir=settings.index_dir,
        encoder_source=settings.encoder_source,
        encoder_threads=settings.encoder_threads,
        encoder_engine=settings.encoder_engine,
        query_cache_size=settings.query_cache_size,
        answer_threshold=settings.answer_threshold,
        clarify_threshold=settings.clarify_threshold,
        default_language=settings.default_language,
        languages=settings.languages,
        as_of=settings.as_of,
    )


def get_retriever(settings: Settings | None = None) -> Retriever:
    """The warmed-up retriever for ``settings`` (default: the process settings)."""
    config = retrieval_config(settings or get_settings())
    with _lock:
        retriever = _retrievers.get(config)
        if retriever is None:
            retriever = _retrievers[config] = Retriever(config)
    retriever.warm_up()
    return retriever
