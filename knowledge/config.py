"""What retrieval needs to know, as one small frozen value.

Retrieval and the index read only this, never the application settings: ``knowledge.service``
builds it from ``settings.Settings`` in one place, and tests or benchmarks can build one
directly. Being frozen and hashable, it also serves as the key of the per-process cache.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from knowledge.embedder import Engine
from knowledge.schema import Lang


@dataclass(frozen=True, kw_only=True)
class RetrievalConfig:
    """Paths, encoder and decision thresholds of one retriever.

    Args:
        kb_dir: The knowledge base (``knowledge/kb``).
        index_dir: Where the FAISS index, its manifest and the calibration are saved.
        encoder_source: A local sentence-transformers directory or a hub name.
        encoder_threads: intra-op threads of the encoder engine in this process.
        encoder_engine: ``torch`` (reference), ``onnx`` (fp32) or ``onnx-int8``; the index records it.
        query_cache_size: Query embeddings kept in the per-retriever LRU cache (0 = none).
        answer_threshold: Confidence from which a question is answered.
        clarify_threshold: Confidence from which alternatives are offered instead of a fallback.
        default_language: The language assumed when detection cannot tell.
        languages: The languages users may ask in.
        as_of: A fixed "today" for date-dependent notes (tests); None means the real date.

    Raises:
        ValueError: If the thresholds are not ordered within 0..1 (the encoder checks its own).
    """

    kb_dir: Path
    index_dir: Path
    encoder_source: str
    encoder_threads: int
    answer_threshold: float
    clarify_threshold: float
    default_language: Lang
    languages: tuple[str, ...]
    as_of: dt.date | None = None
    encoder_engine: Engine = "torch"
    query_cache_size: int = 0

    def __post_init__(self) -> None:
        if not 0 <= self.clarify_threshold <= self.answer_threshold <= 1:
            raise ValueError("need 0 <= clarify_threshold <= answer_threshold <= 1")
        if self.query_cache_size < 0:
            raise ValueError("query_cache_size must be >= 0")
