"""The sentence encoder, loaded once per process from a local directory (or a hub name).

Five engines run the same model: ``torch`` (sentence-transformers, the reference), ``onnx``
(the model exported to ONNX in fp32), ``onnx-fp16-emb`` and ``onnx-int8-emb`` (the same graph
with only its 250k-row word-embedding table in fp16 or int8: a lookup, so no activation is
rounded) and ``onnx-int8`` (every matrix dynamically quantised to int8). The ONNX engines
need only ``onnxruntime`` and ``tokenizers``: they never import torch, transformers or
sentence-transformers. Set-up writes the ONNX files into ``<encoder dir>/onnx/``
(``python -m knowledge.encoder_build``).
"""

from __future__ import annotations

import json
import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol, get_args

import numpy as np

from knowledge import latin_tokenizer
from knowledge.text import clean

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

log = logging.getLogger(__name__)
_lock = threading.Lock()

Engine = Literal["torch", "onnx", "onnx-fp16-emb", "onnx-int8-emb", "onnx-int8"]
ENGINES: tuple[Engine, ...] = get_args(Engine)
ONNX_DIR = "onnx"
ONNX_FILES: dict[Engine, str] = {
    "onnx": "model.onnx",
    "onnx-fp16-emb": "model_fp16_embeddings.onnx",
    "onnx-int8-emb": "model_qint8_embeddings.onnx",
    "onnx-int8": "model_qint8.onnx",
}
BATCH_SIZE = 32


def onnx_file(source: str | Path, engine: Engine) -> Path:
    """Where set-up writes the ONNX model of ``engine`` for the encoder directory ``source``."""
    return Path(source) / ONNX_DIR / ONNX_FILES[engine]


class _Backend(Protocol):
    dimension: int

    def encode(self, texts: list[str], kind: str) -> np.ndarray: ...


class _TorchBackend:
    """sentence-transformers on torch: the reference engine."""

    def __init__(self, source: str, threads: int) -> None:
        import torch
        from sentence_transformers import SentenceTransformer

        # One intra-op thread: with two cores shared by the API, Rasa and concurrent requests,
        # torch's spinning worker threads cost 5-20x in latency under load (measured in bench/).
        torch.set_num_threads(threads)
        self.model: SentenceTransformer = SentenceTransformer(source, device="cpu")
        self.dimension = int(self.model.get_embedding_dimension() or 0)

    def encode(self, texts: list[str], kind: str) -> np.ndarray:
        vectors = self.model.encode(
            texts,
            prompt_name=kind,
            batch_size=BATCH_SIZE,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)


class _OnnxBackend:
    """onnxruntime + the Rust tokenizer; mean pooling and L2 norm in numpy, as the directory says."""

    def __init__(self, source: str, threads: int, engine: Engine) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        directory = Path(source)
        path = onnx_file(directory, engine)
        if not path.exists():
            raise FileNotFoundError(f"{path} is missing: run scripts/setup.sh (knowledge.encoder_build)")
        st_config = json.loads((directory / "config_sentence_transformers.json").read_text(encoding="utf-8"))
        self.prompts: dict[str, str] = st_config.get("prompts", {})
        bert = json.loads((directory / "sentence_bert_config.json").read_text(encoding="utf-8"))
        pooling = json.loads((directory / "1_Pooling" / "config.json").read_text(encoding="utf-8"))
        if not pooling.get("pooling_mode_mean_tokens"):
            raise ValueError(f"{directory}: the ONNX engines implement mean pooling only")
        self.dimension = int(pooling["word_embedding_dimension"])
        # The Latin-script copy (set-up writes it; same ids, a third of the memory), else the full one.
        pruned = latin_tokenizer.load(directory / ONNX_DIR)
        self.original_ids: np.ndarray | None = None
        if pruned is None:
            self.tokenizer = Tokenizer.from_file(str(directory / "tokenizer.json"))
        else:
            self.tokenizer, self.original_ids = pruned
        self.tokenizer.enable_truncation(int(bert.get("max_seq_length", 512)))
        pad_id = self.tokenizer.token_to_id("<pad>")
        self.tokenizer.enable_padding(pad_id=1 if pad_id is None else pad_id, pad_token="<pad>")
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])

    def encode(self, texts: list[str], kind: str) -> np.ndarray:
        prompt = self.prompts.get(kind, "")
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))  # less padding per batch
        for start in range(0, len(order), BATCH_SIZE):
            rows = order[start : start + BATCH_SIZE]
            encodings = self.tokenizer.encode_batch([prompt + texts[i] for i in rows])
            ids = np.array([e.ids for e in encodings], dtype=np.int64)
            if self.original_ids is not None:
                ids = self.original_ids[ids]
            mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
            (hidden,) = self.session.run(None, {"input_ids": ids, "attention_mask": mask})
            weights = mask[..., None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
            out[rows] = pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return out


@lru_cache(maxsize=3)
def _load(source: str, threads: int, engine: Engine) -> _Backend:
    log.info("encoder: loading %s (%s engine)", source, engine)
    if engine == "torch":
        return _TorchBackend(source, threads)
    return _OnnxBackend(source, threads, engine)


@dataclass(frozen=True)
class CacheInfo:
    """Counters of the query-embedding cache."""

    hits: int
    misses: int
    size: int
    maxsize: int


class QueryCache:
    """A bounded, thread-safe LRU map from (prompt, cleaned text) to a read-only vector.

    Args:
        maxsize: entries kept; 0 disables the cache (every lookup is a miss).
    """

    def __init__(self, maxsize: int) -> None:
        if maxsize < 0:
            raise ValueError("cache size must be >= 0")
        self.maxsize = maxsize
        self._data: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self._hits = 0
        self._misses = 0

    def get(self, key: tuple[str, str]) -> np.ndarray | None:
        """The cached vector (now most recently used), or None."""
        with self._lock:
            vector = self._data.get(key)
            if vector is None:
                self._misses += 1
                return None
            self._data.move_to_end(key)
            self._hits += 1
            return vector

    def put(self, key: tuple[str, str], vector: np.ndarray) -> None:
        """Store ``vector`` (made read-only), evicting the least recently used beyond ``maxsize``."""
        if self.maxsize == 0:
            return
        vector.setflags(write=False)
        with self._lock:
            self._data[key] = vector
            self._data.move_to_end(key)
            while len(self._data) > self.maxsize:
                self._data.popitem(last=False)

    def clear(self) -> None:
        """Drop every entry and reset the counters."""
        with self._lock:
            self._data.clear()
            self._hits = self._misses = 0

    def info(self) -> CacheInfo:
        """Hits, misses and fill."""
        with self._lock:
            return CacheInfo(self._hits, self._misses, len(self._data), self.maxsize)


class Embedder:
    """Encodes queries and passages with the e5 prompts; vectors are L2-normalised.

    Args:
        source: a local sentence-transformers directory or, for users who are online, a hub name
            (the ONNX engines need the local directory that set-up builds).
        threads: intra-op threads of the engine in this process.
        engine: ``torch`` (reference), ``onnx`` (fp32), ``onnx-fp16-emb``, ``onnx-int8-emb`` or ``onnx-int8``.
        cache_size: query embeddings kept by ``encode_query`` (0 = no cache).

    Raises:
        ValueError: on an empty source, fewer than one thread, an unknown engine or a negative cache.
    """

    def __init__(self, source: str, threads: int = 1, engine: Engine = "torch", cache_size: int = 0) -> None:
        if not source:
            raise ValueError("encoder source must be a directory or a model name")
        if threads < 1:
            raise ValueError("threads must be >= 1")
        if engine not in ENGINES:
            raise ValueError(f"engine must be one of {ENGINES}, not {engine!r}")
        self.source = source
        self.threads = threads
        self.engine: Engine = engine
        self.cache = QueryCache(cache_size)
        self._backend: _Backend | None = None

    def warm_up(self) -> None:
        """Load the model (once per process, source and engine)."""
        if self._backend is None:
            with _lock:
                self._backend = _load(self.source, self.threads, self.engine)

    @property
    def dimension(self) -> int:
        """Embedding size."""
        self.warm_up()
        assert self._backend is not None
        return self._backend.dimension

    def encode(self, texts: list[str], kind: str) -> np.ndarray:
        """Encode ``texts`` as ``kind`` ("query" or "passage"); returns float32 (n, dim). Not cached."""
        self.warm_up()
        assert self._backend is not None
        return self._backend.encode([clean(t) for t in texts], kind)

    def encode_query(self, text: str) -> np.ndarray:
        """One user question as a (1, dim) read-only vector, through the LRU cache."""
        key = ("query", clean(text))
        cached = self.cache.get(key)
        if cached is not None:
            return cached
        vector = self.encode([text], "query")
        self.cache.put(key, vector)
        return vector
