"""Build, save and load the FAISS index over every question, paraphrase and answer passage.

Each indexed *unit* is one text in one language: an official question, a paraphrase or an
answer. Questions and paraphrases are encoded with the e5 ``query:`` prompt (query-to-query
similarity), answers with ``passage:``. A manifest records the model, the engine that ran it
(torch, onnx, onnx-int8) and the KB digest, so the index is rebuilt only when one of them changes.
"""

from __future__ import annotations

import json
import logging
import re
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from knowledge.config import RetrievalConfig
from knowledge.embedder import Embedder
from knowledge.loader import KnowledgeBase, load_kb
from knowledge.schema import LANGS
from knowledge.text import fold

log = logging.getLogger(__name__)
INDEX_FILE = "units.faiss"
UNITS_FILE = "units.json"
MANIFEST_FILE = "manifest.json"
# Fitted by knowledge.retrieve on the index's vectors: a rebuilt index makes it stale.
CALIBRATION_FILE = "calibration.json"
FORMAT_VERSION = 3
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Unit:
    """One indexed text and what it belongs to."""

    topic: str
    entry: str
    lang: str
    kind: str  # question | paraphrase | answer
    text: str


def collect_units(kb: KnowledgeBase) -> list[Unit]:
    """All indexable texts of the KB, in a stable order, each text once per topic and language.

    A topic's variants in several documents often carry the same translated question or
    paraphrase. Indexed twice, such a text fills both places of the topic's dense pool
    (``calibration.DENSE_POOL``, "two units that agree") and its BM25 document frequency, so
    the one wording outweighs the topic's other units; it is indexed once, under the first entry
    (texts that differ only in case, accents or punctuation count as the same).
    """
    units: list[Unit] = []
    seen: set[tuple[str, str, str]] = set()
    for entry in kb.entries.values():
        for lang in LANGS:
            texts = [
                ("question", entry.question[lang]),
                *(("paraphrase", text) for text in entry.paraphrases.get(lang, [])),
                ("answer", entry.answer[lang].text),
            ]
            for kind, text in texts:
                key = (entry.topic, lang, " ".join(_WORD.findall(fold(text))))
                if key not in seen:
                    seen.add(key)
                    units.append(Unit(entry.topic, entry.id, lang, kind, text))
    return units


def encode_units(embedder: Embedder, units: list[Unit]) -> np.ndarray:
    """Encode units with the prompt that fits their kind, keeping the unit order."""
    vectors = np.zeros((len(units), embedder.dimension), dtype=np.float32)
    for kind, prompt in (("answer", "passage"), ("question", "query"), ("paraphrase", "query")):
        rows = [i for i, u in enumerate(units) if u.kind == kind]
        if rows:
            vectors[rows] = embedder.encode([units[i].text for i in rows], prompt)
    return vectors


def _manifest(config: RetrievalConfig, kb: KnowledgeBase, n_units: int, seconds: float) -> dict[str, object]:
    return {
        "format": FORMAT_VERSION,
        "model": config.encoder_source,
        "engine": config.encoder_engine,
        "kb_digest": kb.digest,
        "units": n_units,
        "build_seconds": round(seconds, 2),
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }


def is_current(config: RetrievalConfig, kb: KnowledgeBase) -> bool:
    """True when the saved index matches this KB, encoder and engine (older manifests: torch)."""
    path = config.index_dir / MANIFEST_FILE
    if not path.exists():
        return False
    manifest = json.loads(path.read_text(encoding="utf-8"))
    return bool(
        manifest.get("format") == FORMAT_VERSION
        and manifest.get("kb_digest") == kb.digest
        and manifest.get("model") == config.encoder_source
        and manifest.get("engine", "torch") == config.encoder_engine
    )


def build(config: RetrievalConfig, embedder: Embedder | None = None) -> float:
    """Encode the KB and write index, units and manifest; returns the build time in seconds."""
    import faiss

    started = time.perf_counter()
    kb = load_kb(config.kb_dir)
    embedder = embedder or Embedder(config.encoder_source, config.encoder_threads, config.encoder_engine)
    if embedder.engine != config.encoder_engine:
        raise ValueError(
            f"embedder runs the {embedder.engine} engine, the config asks for {config.encoder_engine}"
        )
    units = collect_units(kb)
    vectors = encode_units(embedder, units)
    index = faiss.IndexFlatIP(vectors.shape[1])
    index.add(vectors)
    out = config.index_dir
    out.mkdir(parents=True, exist_ok=True)
    faiss.write_index(index, str(out / INDEX_FILE))
    (out / CALIBRATION_FILE).unlink(missing_ok=True)
    (out / UNITS_FILE).write_text(
        json.dumps([asdict(u) for u in units], ensure_ascii=False), encoding="utf-8"
    )
    seconds = time.perf_counter() - started
    manifest = _manifest(config, kb, len(units), seconds)
    (out / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    log.info(
        "index: %d units from %d entries in %.1f s (%s engine)",
        len(units),
        len(kb.entries),
        seconds,
        config.encoder_engine,
    )
    return seconds


def ensure_index(config: RetrievalConfig, force: bool = False) -> None:
    """Build the index unless the saved one is current."""
    kb = load_kb(config.kb_dir)
    if not force and is_current(config, kb):
        log.info("index: up to date (kb %s)", kb.digest)
        return
    build(config)


@dataclass(frozen=True)
class LoadedIndex:
    """The saved index read back: FAISS index, unit metadata and raw vectors."""

    index: object
    units: list[Unit]
    vectors: np.ndarray


def load(index_dir: Path) -> LoadedIndex:
    """Read a saved index (read-only use)."""
    import faiss

    index = faiss.read_index(str(index_dir / INDEX_FILE))
    raw = json.loads((index_dir / UNITS_FILE).read_text(encoding="utf-8"))
    units = [Unit(**u) for u in raw]
    vectors = index.reconstruct_n(0, index.ntotal)
    return LoadedIndex(index, units, np.asarray(vectors, dtype=np.float32))
