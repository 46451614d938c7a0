"""Encoder engines: agreement with the torch reference, the query cache, the index manifest."""

from __future__ import annotations

import dataclasses
import json
import threading
from pathlib import Path

import numpy as np
import pytest

from knowledge import index as index_store
from knowledge.config import RetrievalConfig
from knowledge.embedder import Embedder, Engine, QueryCache
from knowledge.encoder_build import CHECK_SENTENCES, ENGINE_CHECK_PASSAGES, ENGINE_MIN_AGREEMENT
from knowledge.loader import load_kb
from knowledge.service import retrieval_config
from settings import Settings


class FakeEmbedder:
    """Deterministic random vectors: enough to build an index without a model."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.dimension = 8

    def encode(self, texts: list[str], kind: str) -> np.ndarray:
        rng = np.random.default_rng(len(texts))
        vectors = rng.standard_normal((len(texts), self.dimension)).astype(np.float32)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def _vector(value: float) -> np.ndarray:
    return np.full((1, 4), value, dtype=np.float32)


@pytest.mark.unit
def test_embedder_init_unknown_engine_is_refused() -> None:
    with pytest.raises(ValueError, match="engine"):
        Embedder("models/encoder", engine="tensorflow")  # type: ignore[arg-type]


@pytest.mark.unit
def test_query_cache_counts_hits_and_misses_and_evicts_least_recent() -> None:
    cache = QueryCache(2)
    cache.put(("query", "a"), _vector(1))
    cache.put(("query", "b"), _vector(2))
    assert cache.get(("query", "a")) is not None  # a is now the most recent
    cache.put(("query", "c"), _vector(3))  # evicts b
    assert cache.get(("query", "b")) is None
    assert cache.get(("query", "c")) is not None
    info = cache.info()
    assert (info.hits, info.misses, info.size, info.maxsize) == (2, 1, 2, 2)


@pytest.mark.unit
def test_query_cache_vectors_are_read_only_and_size_zero_keeps_nothing() -> None:
    cache = QueryCache(4)
    cache.put(("query", "a"), _vector(1))
    vector = cache.get(("query", "a"))
    assert vector is not None and not vector.flags.writeable
    off = QueryCache(0)
    off.put(("query", "a"), _vector(1))
    assert off.get(("query", "a")) is None and off.info().size == 0
    with pytest.raises(ValueError):
        QueryCache(-1)


@pytest.mark.unit
def test_query_cache_under_concurrent_use_stays_bounded_and_counts_every_lookup() -> None:
    cache = QueryCache(16)

    def work(worker: int) -> None:
        for i in range(500):
            key = ("query", str((worker * 7 + i) % 40))
            if cache.get(key) is None:
                cache.put(key, _vector(i))

    threads = [threading.Thread(target=work, args=(w,)) for w in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    info = cache.info()
    assert info.size <= 16
    assert info.hits + info.misses == 8 * 500


@pytest.fixture
def torch_config(settings: Settings, tmp_path: Path) -> RetrievalConfig:
    return dataclasses.replace(retrieval_config(settings), encoder_engine="torch", index_dir=tmp_path)


@pytest.mark.unit
def test_index_manifest_records_engine_and_engine_change_makes_it_stale(
    torch_config: RetrievalConfig,
) -> None:
    index_store.build(torch_config, FakeEmbedder("torch"))  # type: ignore[arg-type]
    kb = load_kb(torch_config.kb_dir)
    manifest = json.loads((torch_config.index_dir / index_store.MANIFEST_FILE).read_text())
    assert manifest["engine"] == "torch"
    assert index_store.is_current(torch_config, kb)
    onnx_config = dataclasses.replace(torch_config, encoder_engine="onnx")
    assert not index_store.is_current(onnx_config, kb)
    index_store.build(onnx_config, FakeEmbedder("onnx"))  # type: ignore[arg-type]
    assert index_store.is_current(onnx_config, kb)
    assert not index_store.is_current(torch_config, kb)


@pytest.mark.unit
def test_index_build_drops_the_calibration_fitted_on_the_old_vectors(torch_config: RetrievalConfig) -> None:
    torch_config.index_dir.mkdir(parents=True, exist_ok=True)
    (torch_config.index_dir / index_store.CALIBRATION_FILE).write_text("{}")
    index_store.build(torch_config, FakeEmbedder("torch"))  # type: ignore[arg-type]
    assert not (torch_config.index_dir / index_store.CALIBRATION_FILE).exists()


@pytest.mark.unit
def test_index_manifest_without_engine_counts_as_torch(torch_config: RetrievalConfig) -> None:
    index_store.build(torch_config, FakeEmbedder("torch"))  # type: ignore[arg-type]
    path = torch_config.index_dir / index_store.MANIFEST_FILE
    manifest = json.loads(path.read_text())
    del manifest["engine"]
    path.write_text(json.dumps(manifest))
    kb = load_kb(torch_config.kb_dir)
    assert index_store.is_current(torch_config, kb)
    assert not index_store.is_current(dataclasses.replace(torch_config, encoder_engine="onnx-int8"), kb)


@pytest.mark.unit
def test_index_build_with_embedder_of_another_engine_is_refused(torch_config: RetrievalConfig) -> None:
    with pytest.raises(ValueError, match="engine"):
        index_store.build(torch_config, FakeEmbedder("onnx"))  # type: ignore[arg-type]


@pytest.mark.integration
@pytest.mark.slow
@pytest.mark.parametrize("engine", list(ENGINE_MIN_AGREEMENT))
def test_onnx_engine_agrees_with_torch_on_the_en_nl_sl_set(settings: Settings, engine: Engine) -> None:
    reference = Embedder(settings.encoder_source, engine="torch")
    candidate = Embedder(settings.encoder_source, engine=engine)
    for kind, texts in (("query", CHECK_SENTENCES), ("passage", ENGINE_CHECK_PASSAGES)):
        cosines = np.sum(reference.encode(texts, kind) * candidate.encode(texts, kind), axis=1)
        assert cosines.min() >= ENGINE_MIN_AGREEMENT[engine], (engine, kind, cosines)


@pytest.mark.integration
def test_encode_query_second_time_is_a_cache_hit_with_the_same_vector(settings: Settings) -> None:
    embedder = Embedder(settings.encoder_source, engine=settings.encoder_engine, cache_size=8)
    first = embedder.encode_query("How do I register with EU Login?")
    again = embedder.encode_query("  How do I register   with EU Login? ")  # cleaned to the same key
    assert again is first
    info = embedder.cache.info()
    assert (info.hits, info.misses) == (1, 1)
    assert np.allclose(first, embedder.encode(["How do I register with EU Login?"], "query"))
