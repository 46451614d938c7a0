"""The indexed units (knowledge/index.py): every text once per topic and language."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from knowledge.index import collect_units
from knowledge.loader import load_kb
from knowledge.text import fold

KB_DIR = Path(__file__).resolve().parents[2] / "knowledge" / "kb"


@pytest.mark.unit
def test_collect_units_repeated_text_of_a_topic_is_indexed_once() -> None:
    kb = load_kb(KB_DIR)
    units = collect_units(kb)
    keys = Counter((u.topic, u.lang, " ".join(fold(u.text).replace("?", " ").split())) for u in units)
    assert [key for key, n in keys.items() if n > 1] == []
    # every topic keeps its question, a paraphrase and an answer in every language
    kinds = {(u.topic, u.lang, u.kind) for u in units}
    for topic in kb.topics:
        for lang in ("en", "nl", "sl"):
            assert {(topic, lang, k) for k in ("question", "paraphrase", "answer")} <= kinds
