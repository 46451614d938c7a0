"""NLU benchmark: intent F1 per language on the held-out files tests/rasa/test_nlu_<lang>.yml.

One ``rasa test nlu`` run (loading the model once) over all three files with --successes, then
per-language intent F1 computed from the per-example predictions. Target: weighted intent
F1 >= 0.90 in each language.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml
from sklearn.metrics import f1_score

ROOT = Path(__file__).resolve().parent.parent
RASA = ROOT / ".venv-rasa" / "bin" / "rasa"
LANGS = ("en", "nl", "sl")
TARGET_F1 = 0.90


def latest_model() -> Path:
    """The current trained model."""
    return max((ROOT / "models" / "rasa").glob("nso-*.tar.gz"), key=lambda p: p.stat().st_mtime)


def _plain(example: str) -> str:
    """An annotated example ('[15.6.2021](date)') as the text Rasa reports."""
    import re

    return " ".join(re.sub(r"\[([^\]]+)\]\([^)]*\)|\[([^\]]+)\]\{[^}]*\}", r"\1\2", example).split())


def language_of_examples() -> dict[str, str]:
    """Plain example text → language, from the held-out files."""
    owner: dict[str, str] = {}
    for lang in LANGS:
        data = yaml.safe_load((ROOT / "tests" / "rasa" / f"test_nlu_{lang}.yml").read_text(encoding="utf-8"))
        for block in data["nlu"]:
            for line in str(block.get("examples", "")).splitlines():
                if line.strip().startswith("- "):
                    owner[_plain(line.strip()[2:])] = lang
    return owner


def run_rasa(model: Path, out: Path) -> list[dict[str, object]]:
    """Predictions for every held-out example (successes and errors)."""
    files = out / "nlu"
    files.mkdir(parents=True)
    for lang in LANGS:
        shutil.copy(ROOT / "tests" / "rasa" / f"test_nlu_{lang}.yml", files / f"test_nlu_{lang}.yml")
    subprocess.run(
        [
            str(RASA),
            "test",
            "nlu",
            "--model",
            str(model),
            "--nlu",
            str(files),
            "--out",
            str(out / "report"),
            "--successes",
            "--no-plot",
        ],
        check=True,
        cwd=ROOT,
        env={**os.environ, "RASA_TELEMETRY_ENABLED": "false"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    rows: list[dict[str, object]] = []
    for name in ("intent_successes.json", "intent_errors.json"):
        path = out / "report" / name
        if path.exists():
            rows += json.loads(path.read_text(encoding="utf-8"))
    return rows


def main() -> int:
    """Print intent F1 per language; with --check exit 1 when a language misses the target."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    model = latest_model()
    owner = language_of_examples()
    with tempfile.TemporaryDirectory() as tmp:
        rows = run_rasa(model, Path(tmp))
    print(f"model: {model.name}; {len(rows)} held-out examples")
    failed = []
    for lang in LANGS:
        mine = [r for r in rows if owner.get(" ".join(str(r["text"]).split())) == lang]
        truth = [str(r["intent"]) for r in mine]
        predicted = [str((r.get("intent_prediction") or {}).get("name")) for r in mine]  # type: ignore[union-attr]
        weighted = f1_score(truth, predicted, average="weighted", zero_division=0)
        macro = f1_score(truth, predicted, average="macro", zero_division=0)
        accuracy = sum(t == p for t, p in zip(truth, predicted, strict=True)) / max(len(mine), 1)
        print(
            f"{lang}: n={len(mine)} intent F1 weighted {weighted:.3f}, macro {macro:.3f}, "
            f"accuracy {accuracy:.3f} (target weighted F1 >= {TARGET_F1})"
        )
        if weighted < TARGET_F1 or not mine:
            failed.append(lang)
    return 1 if args.check and failed else 0


if __name__ == "__main__":
    sys.exit(main())
