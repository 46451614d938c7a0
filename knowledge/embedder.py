"""The sentence encoder, loaded once per process from a local directory (or a hub name)."""

from __future__ import annotations

import logging
import threading
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from knowledge.text import clean

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

log = logging.getLogger(__name__)
_lock = threading.Lock()


@lru_cache(maxsize=2)
def _load(source: str, threads: int) -> SentenceTransformer:
    import torch
    from sentence_transformers import SentenceTransformer

    # One intra-op thread: with two cores shared by the API, Rasa and concurrent requests,
    # torch's spinning worker threads cost 5-20x in latency under load (measured in bench/).
    torch.set_num_threads(threads)
    log.info("encoder: loading %s", source)
    return SentenceTransformer(source, device="cpu")


class Embedder:
    """Encodes queries and passages with the e5 prompts; vectors are L2-normalised.

    Args:
        source: a local sentence-transformers directory or, for users who are online, a hub name.
        threads: torch intra-op threads for this process.
    """

    def __init__(self, source: str, threads: int = 1) -> None:
        if not source:
            raise ValueError("encoder source must be a directory or a model name")
        if threads < 1:
            raise ValueError("threads must be >= 1")
        self.source = source
        self.threads = threads
        self._model: SentenceTransformer | None = None

    def warm_up(self) -> None:
        """Load the model (once per process and source)."""
        if self._model is None:
            with _lock:
                self._model = _load(self.source, self.threads)

    @property
    def dimension(self) -> int:
        """Embedding size."""
        self.warm_up()
        assert self._model is not None
        return int(self._model.get_embedding_dimension() or 0)

    def encode(self, texts: list[str], kind: str) -> np.ndarray:
        """Encode ``texts`` as ``kind`` ("query" or "passage"); returns float32 (n, dim)."""
        self.warm_up()
        assert self._model is not None
        vectors = self._model.encode(
            [clean(t) for t in texts],
            prompt_name=kind,
            batch_size=32,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)
