"""The held-out evaluation set stays held out, and retrieval does not regress on it."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
import yaml

from bench.retrieval import EVAL_FILE, accuracy
from knowledge.retrieve import Retriever
from knowledge.text import fold


def _norm(text: str) -> str:
    return " ".join(fold(text).replace("?", " ").split())


@pytest.fixture(scope="module")
def questions() -> list[dict[str, str]]:
    with EVAL_FILE.open(encoding="utf-8") as fh:
        data: list[dict[str, str]] = yaml.safe_load(fh)
    return data


@pytest.mark.unit
def test_eval_set_has_enough_questions_per_language(questions: list[dict[str, str]]) -> None:
    per_lang = Counter(q["lang"] for q in questions)
    assert len(questions) >= 120
    assert all(per_lang[lang] >= 30 for lang in ("en", "nl", "sl")), per_lang
    cross = [q for q in questions if q.get("cross_lingual") and q["lang"] in ("nl", "sl")]
    assert len(cross) >= 20


@pytest.mark.integration
def test_eval_questions_are_not_kb_texts(questions: list[dict[str, str]], retriever: Retriever) -> None:
    kb_texts = {_norm(u.text) for u in retriever.units if u.kind in ("question", "paraphrase")}
    copies = [q["text"] for q in questions if _norm(q["text"]) in kb_texts]
    assert copies == []


@pytest.mark.integration
def test_eval_topics_exist(questions: list[dict[str, str]], retriever: Retriever) -> None:
    assert {q["topic"] for q in questions} <= set(retriever.kb.topics)


@pytest.mark.integration
@pytest.mark.slow
def test_eval_hybrid_beats_bm25_and_stays_above_floor(
    questions: list[dict[str, str]], retriever: Retriever
) -> None:
    table = accuracy(retriever, questions)
    for lang in ("en", "nl", "sl"):
        hybrid, lexical = table[(lang, "hybrid")], table[(lang, "lexical")]
        assert hybrid["top1"] >= 0.85, (lang, hybrid)
        assert hybrid["mrr"] >= 0.90, (lang, hybrid)
        assert hybrid["top1"] > lexical["top1"], (lang, hybrid, lexical)
    assert np.isfinite(retriever.calibration.coef_score)
