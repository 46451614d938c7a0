"""Score fusion and confidence calibration, fitted on the KB's own paraphrases.

Each paraphrase is used as a query against the index without itself (leave-one-out).
The fusion weight and lexical squash are chosen for top-1 accuracy on those queries, then a
logistic regression maps (fused score, margin to the runner-up) to P(correct). The held-out
evaluation set in tests/eval is never used here.

The import goes one way: ``knowledge.retrieve`` uses this module, and this module sees the
retriever only through the ``Scorer`` protocol. The per-topic ``Scores`` and the dense pooling
width live here because fitting and retrieval must score alike.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import yaml

from knowledge.index import Unit
from knowledge.lexical import LexicalIndex
from knowledge.schema import Lang

NEGATIVES_FILE = Path(__file__).with_name("calibration_negatives.yml")
WEIGHTS = (0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 1.0)
SQUASH = (0.0, 1.0, 3.0, 10.0)  # 0 = relative to the best topic's BM25 score
# A topic's dense score is the mean of its best DENSE_POOL units: one lucky unit (a short
# paraphrase) matters less than two that agree. Chosen by leave-one-out on KB paraphrases
# (top-1 0.740 with max, 0.768 with the best two).
DENSE_POOL = 2


@dataclass(frozen=True)
class Scores:
    """Per-topic scores for one query (arrays aligned with ``topics``)."""

    topics: list[str]
    dense: np.ndarray
    lexical: np.ndarray


class Scorer(Protocol):
    """What fitting needs from a warmed-up retriever (``knowledge.retrieve.Retriever``)."""

    units: list[Unit]
    topics: list[str]
    lexical: LexicalIndex

    def topic_pool(self, unit_scores: np.ndarray, k: int = 1) -> np.ndarray:
        """Mean of the ``k`` best unit scores of each topic."""
        ...

    def scores(self, text: str, lang: Lang) -> Scores:
        """Dense and lexical scores per topic for ``text`` in ``lang``."""
        ...


@dataclass(frozen=True)
class Calibration:
    """Fusion parameters and the logistic map to a confidence."""

    weight: float
    squash: float
    coef_score: float
    coef_margin: float
    intercept: float
    loo_top1: float
    loo_queries: int

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Calibration:
        """Read a saved calibration (extra keys ignored)."""
        return cls(**{k: data[k] for k in cls.__dataclass_fields__})

    def to_dict(self) -> dict[str, float | int]:
        """Serialisable form."""
        return asdict(self)

    def fuse(self, dense: np.ndarray, lexical: np.ndarray, mode: str = "hybrid") -> np.ndarray:
        """Fused per-topic score; ``mode`` dense | lexical | hybrid."""
        if self.squash == 0:
            lex = lexical / np.maximum(lexical.max(axis=-1, keepdims=True), 1e-9)
        else:
            lex = lexical / (lexical + self.squash)
        if mode == "dense":
            return dense
        if mode == "lexical":
            return np.asarray(lex)
        return np.asarray(self.weight * dense + (1 - self.weight) * lex)

    def confidence(self, fused: np.ndarray) -> np.ndarray:
        """P(correct) of each topic from its score and its margin over the best other topic."""
        return _sigmoid(
            np.asarray(self.coef_score * fused + self.coef_margin * _margins(fused) + self.intercept)
        )


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return np.asarray(1.0 / (1.0 + np.exp(-np.clip(x, -50.0, 50.0))))


def _margins(fused: np.ndarray) -> np.ndarray:
    """fused[i] minus the best score among the other topics."""
    if fused.size < 2:
        return np.zeros_like(fused)
    order = np.argsort(-fused)
    best, second = fused[order[0]], fused[order[1]]
    others = np.where(np.arange(fused.size) == order[0], second, best)
    return np.asarray(fused - others)


def fit_fusion(retriever: Scorer, vectors: np.ndarray) -> Calibration:
    """Choose fusion parameters and fit the confidence map by leave-one-out on paraphrases."""
    from sklearn.linear_model import LogisticRegression

    units = retriever.units
    rows = [i for i, u in enumerate(units) if u.kind == "paraphrase"]
    truth = np.array([retriever.topics.index(units[i].topic) for i in rows])
    sims = vectors[rows] @ vectors.T
    sims[np.arange(len(rows)), rows] = -1.0
    dense = retriever.topic_pool(sims, DENSE_POOL)
    lexical = np.stack([_loo_lexical(retriever, i) for i in rows])
    best: tuple[float, float, float] | None = None
    for weight in WEIGHTS:
        for squash in SQUASH:
            trial = Calibration(weight, squash, 0, 0, 0, 0, 0)
            fused = np.stack([trial.fuse(d, lx) for d, lx in zip(dense, lexical, strict=True)])
            top1 = float(np.mean(fused.argmax(axis=1) == truth))
            if best is None or top1 > best[0]:
                best = (top1, weight, squash)
    assert best is not None
    top1, weight, squash = best
    chosen = Calibration(weight, squash, 0, 0, 0, top1, len(rows))
    fused = np.stack([chosen.fuse(d, lx) for d, lx in zip(dense, lexical, strict=True)])
    top = fused.argmax(axis=1)
    features = np.column_stack([fused.max(axis=1), [_margins(f)[t] for f, t in zip(fused, top, strict=True)]])
    neg = _negative_features(retriever, chosen)
    # Scores live in a narrow band (cosines 0.75-0.95), so regularisation must be weak or it
    # flattens the map; negatives are few, so each counts as much as 5 paraphrase queries.
    weights = np.concatenate([np.ones(len(features)), np.full(len(neg), 5.0)])
    model = LogisticRegression(C=1000.0, max_iter=1000).fit(
        np.vstack([features, neg]),
        np.concatenate([top == truth, np.zeros(len(neg), dtype=bool)]),
        sample_weight=weights,
    )
    return Calibration(
        weight,
        squash,
        float(model.coef_[0][0]),
        float(model.coef_[0][1]),
        float(model.intercept_[0]),
        round(top1, 4),
        len(rows),
    )


def _loo_lexical(retriever: Scorer, row: int) -> np.ndarray:
    unit = retriever.units[row]
    scores = retriever.lexical.scores(unit.text, unit.lang)
    scores[row] = 0.0
    return retriever.topic_pool(scores)


def _negative_features(retriever: Scorer, calibration: Calibration) -> np.ndarray:
    """(score, margin) of the top topic for off-topic messages: examples of "not answerable"."""
    with NEGATIVES_FILE.open(encoding="utf-8") as fh:
        negatives: dict[str, list[str]] = yaml.safe_load(fh)
    rows = []
    for lang, texts in negatives.items():
        for text in texts:
            s = retriever.scores(text, lang)  # type: ignore[arg-type]
            fused = calibration.fuse(s.dense, s.lexical)
            best = int(fused.argmax())
            rows.append([fused[best], _margins(fused)[best]])
    return np.array(rows)
