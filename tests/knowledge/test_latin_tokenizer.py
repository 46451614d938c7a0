"""The ONNX engines' Latin-script tokenizer gives the full tokenizer's ids (issue 17: memory)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from knowledge import latin_tokenizer
from knowledge.embedder import ONNX_DIR, Embedder
from settings import Settings

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.integration


def _strings(node: object) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for value in node.values() for s in _strings(value)]
    if isinstance(node, list):
        return [s for value in node for s in _strings(value)]
    return []


@pytest.fixture(scope="module")
def model_dir() -> Path:
    return Settings().encoder_dir


@pytest.fixture(scope="module")
def pruned(model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("latin")
    kept = latin_tokenizer.write(model_dir, out)
    assert 100_000 < kept < 150_000  # the Latin pieces of a 250k multilingual vocabulary
    return out


def test_every_kb_and_training_text_gets_the_same_ids(model_dir: Path, pruned: Path) -> None:
    files = [*ROOT.glob("knowledge/kb/*.yml"), *ROOT.glob("data/nlu/*/*.yml"), *ROOT.glob("tests/eval/*.yml")]
    texts = [s for f in files for s in _strings(yaml.safe_load(f.read_text(encoding="utf-8")))]
    assert len(texts) > 2000
    assert latin_tokenizer.disagreements(model_dir, pruned, [f"query: {t}" for t in texts]) == []


def test_other_scripts_lose_their_pieces(model_dir: Path, pruned: Path) -> None:
    """What the pruning costs, stated: Cyrillic or Greek letters are no longer pieces of their own."""
    assert latin_tokenizer.disagreements(model_dir, pruned, ["query: Привет, Αθήνα"]) != []


def test_onnx_engine_vectors_do_not_change(model_dir: Path) -> None:
    """Set-up wrote the pruned tokenizer next to the ONNX models; the engine uses it."""
    assert latin_tokenizer.load(model_dir / ONNX_DIR) is not None
    embedder = Embedder(str(model_dir), engine="onnx-int8-emb")
    backend_ids = embedder.encode(["Ali bo moja skupina prenešena? 🙂"], "query")
    assert backend_ids.shape == (1, embedder.dimension)
    assert getattr(embedder._backend, "original_ids", None) is not None  # the pruned one is in use
    torch_vector = Embedder(str(model_dir), engine="torch").encode(
        ["Ali bo moja skupina prenešena? 🙂"], "query"
    )
    assert float((backend_ids * torch_vector).sum()) > 0.999
