"""Held-out NLU examples (tests/rasa/test_nlu_<lang>.yml, never in data/) through the running
Rasa server: weighted intent F1 >= 0.90 in each language. bench/nlu.py reports the same with
`rasa test nlu`; this test reuses the session's Rasa server instead of loading the model again.
"""

from __future__ import annotations

import httpx
import pytest
import yaml
from sklearn.metrics import f1_score

from bench.nlu import ROOT, TARGET_F1, _plain
from bench.stack import Stack

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def examples(lang: str) -> list[tuple[str, str]]:
    data = yaml.safe_load((ROOT / "tests" / "rasa" / f"test_nlu_{lang}.yml").read_text(encoding="utf-8"))
    return [
        (_plain(line.strip()[2:]), block["intent"])
        for block in data["nlu"]
        for line in str(block.get("examples", "")).splitlines()
        if line.strip().startswith("- ")
    ]


@pytest.mark.parametrize("lang", ["en", "nl", "sl"])
def test_nlu_heldout_intent_f1_per_language(stack: Stack, lang: str) -> None:
    pairs = examples(lang)
    assert len(pairs) >= 100
    with httpx.Client(timeout=30) as http:
        predicted = [
            http.post(f"{stack.rasa}/model/parse", json={"text": t}, params=stack.rasa_auth).json()["intent"][
                "name"
            ]
            for t, _ in pairs
        ]
    truth = [intent for _, intent in pairs]
    assert f1_score(truth, predicted, average="weighted", zero_division=0) >= TARGET_F1
