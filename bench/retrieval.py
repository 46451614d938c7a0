"""Retrieval benchmark: accuracy per language and mode, latency, index build, FAISS at scale.

Run ``python -m bench.retrieval``. Accuracy uses the held-out set tests/eval/questions.yml
(never used for tuning). Figures are printed; targets are printed beside them. Every encoder
engine (torch, the reference; onnx; onnx-int8) is measured in the same run, each on its own
index in a temporary directory: hybrid accuracy per language, ``/api/ask``-equivalent latency
(p50/p95, ratios against torch, query cache cold and warm), and the resident memory of a
process that has built the API app and warmed a retriever on that engine.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import yaml

from knowledge import index as index_store
from knowledge.config import RetrievalConfig
from knowledge.embedder import ENGINES, Engine
from knowledge.retrieve import Retriever
from knowledge.service import retrieval_config
from settings import get_settings

EVAL_FILE = Path(__file__).resolve().parent.parent / "tests" / "eval" / "questions.yml"
MODES = ("dense", "lexical", "hybrid")
TARGETS = {"top1": 0.90, "mrr": 0.93, "p50_ms": 15.0}


def load_eval() -> list[dict[str, str]]:
    """The held-out questions."""
    with EVAL_FILE.open(encoding="utf-8") as fh:
        data: list[dict[str, str]] = yaml.safe_load(fh)
    return data


def accuracy(
    retriever: Retriever, questions: list[dict[str, str]]
) -> dict[tuple[str, str], dict[str, float]]:
    """top-1, top-3 and MRR per (language, mode); the language is given, as the API allows."""
    ranks: dict[tuple[str, str], list[int]] = {}
    for q in questions:
        s = retriever.scores(q["text"], q["lang"])  # type: ignore[arg-type]
        for mode in MODES:
            fused = retriever.calibration.fuse(s.dense, s.lexical, mode)
            order = [retriever.topics[i] for i in np.argsort(-fused, kind="stable")]
            ranks.setdefault((q["lang"], mode), []).append(order.index(q["topic"]) + 1)
    return {
        key: {
            "n": len(r),
            "top1": sum(x == 1 for x in r) / len(r),
            "top3": sum(x <= 3 for x in r) / len(r),
            "mrr": sum(1 / x for x in r) / len(r),
        }
        for key, r in ranks.items()
    }


def latency(retriever: Retriever, questions: list[dict[str, str]]) -> tuple[float, float]:
    """p50 and p95 in ms of a full ``ask`` (language detection, encoding, ranking, notes).

    The query cache is emptied first, so every question is encoded (the cold figure); call
    again without clearing for the warm one.
    """
    timings = []
    for q in questions:
        start = time.perf_counter()
        retriever.ask(q["text"])
        timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    return statistics.median(timings), timings[int(0.95 * (len(timings) - 1))]


def engine_config(base: RetrievalConfig, engine: Engine, root: Path) -> RetrievalConfig:
    """``base`` on ``engine`` with its own index under ``root`` (the real models/index is untouched)."""
    return dataclasses.replace(base, encoder_engine=engine, index_dir=root / engine)


# Run in a fresh interpreter per engine: RSS after the API app is built and a retriever warmed.
_RSS_CHILD = """
import json, sys, dataclasses
from pathlib import Path
def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
block_torch = sys.argv[3] == "1"
if block_torch:  # what the process would cost if nothing imported torch (spacy's thinc does)
    sys.modules["torch"] = None
start = rss()
from bot.main import create_app
from knowledge.retrieve import Retriever
from knowledge.service import retrieval_config
from settings import get_settings
app = create_app()
imported = rss()
config = dataclasses.replace(
    retrieval_config(get_settings()), encoder_engine=sys.argv[1], index_dir=Path(sys.argv[2])
)
retriever = Retriever(config)
retriever.warm_up()
for text in ("How do I register with EU Login?", "Kan ik mijn project heropenen?"):
    retriever.ask(text)
print(json.dumps({"start": start, "imported": imported, "ready": rss(), "torch": "torch" in sys.modules
    and sys.modules["torch"] is not None}))
"""


def process_rss(engine: Engine, index_dir: Path, block_torch: bool = False) -> dict[str, float]:
    """RSS (MB) of a fresh process: interpreter, after API imports + app, after warm-up and asks."""
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "PYTHONPATH": str(root)}
    out = subprocess.run(
        [sys.executable, "-c", _RSS_CHILD, engine, str(index_dir), "1" if block_torch else "0"],
        capture_output=True,
        text=True,
        check=True,
        cwd=root,
        env=env,
    )
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def faiss_scale(n: int = 100_000, dim: int = 384, queries: int = 200) -> dict[str, float]:
    """Search time per query (ms) on a synthetic index: exact flat vs approximate HNSW and IVF."""
    import faiss

    rng = np.random.default_rng(0)
    base = rng.standard_normal((n, dim), dtype=np.float32)
    base /= np.linalg.norm(base, axis=1, keepdims=True)
    query = base[rng.choice(n, queries, replace=False)] + 0.05 * rng.standard_normal(
        (queries, dim), dtype=np.float32
    )
    query /= np.linalg.norm(query, axis=1, keepdims=True)
    results: dict[str, float] = {}
    flat = faiss.IndexFlatIP(dim)
    flat.add(base)
    hnsw = faiss.IndexHNSWFlat(dim, 32, faiss.METRIC_INNER_PRODUCT)
    hnsw.hnsw.efSearch = 64
    start = time.perf_counter()
    hnsw.add(base)
    results["hnsw_build_s"] = time.perf_counter() - start
    quantizer = faiss.IndexFlatIP(dim)
    ivf = faiss.IndexIVFFlat(quantizer, dim, 1024, faiss.METRIC_INNER_PRODUCT)
    ivf.train(base[:50_000])
    ivf.add(base)
    ivf.nprobe = 16
    _, truth = flat.search(query, 1)
    for name, idx in (("flat", flat), ("hnsw", hnsw), ("ivf", ivf)):
        start = time.perf_counter()
        for row in query:
            idx.search(row[None, :], 10)
        results[f"{name}_ms"] = (time.perf_counter() - start) * 1000 / queries
        _, got = idx.search(query, 10)
        results[f"{name}_recall@10"] = float(np.mean([truth[i, 0] in got[i] for i in range(queries)]))
    return results


def print_accuracy(table: dict[tuple[str, str], dict[str, float]]) -> None:
    """The per-language, per-mode accuracy table."""
    print(f"\n{'lang':5} {'mode':8} {'n':>4} {'top1':>6} {'top3':>6} {'mrr':>6}")
    for lang in ("en", "nl", "sl"):
        for mode in MODES:
            r = table[(lang, mode)]
            print(f"{lang:5} {mode:8} {r['n']:4d} {r['top1']:6.3f} {r['top3']:6.3f} {r['mrr']:6.3f}")
        h, b = table[(lang, "hybrid")], table[(lang, "lexical")]
        print(
            f"      hybrid vs bm25 top1 ratio {h['top1'] / max(b['top1'], 1e-9):.2f}; "
            f"targets top1 >= {TARGETS['top1']}, mrr >= {TARGETS['mrr']}"
        )


def compare_engines(base: RetrievalConfig, questions: list[dict[str, str]], root: Path, rss: bool) -> None:
    """Hybrid accuracy per language, ask latency and RSS for every engine, against torch."""
    rows: dict[str, dict[str, object]] = {}
    for engine in ENGINES:
        retriever = Retriever(engine_config(base, engine, root))
        retriever.warm_up()
        table = accuracy(retriever, questions)
        retriever.ask("warm-up question")
        retriever.embedder.cache.clear()
        cold = latency(retriever, questions)
        warm = latency(retriever, questions)
        rows[engine] = {"table": table, "cold": cold, "warm": warm, "cache": retriever.embedder.cache.info()}
    ref = rows["torch"]
    print("\nengines (hybrid, held-out set; delta in points against torch, limit 0.5):")
    print(f"{'engine':10} {'lang':4} {'top1':>6} {'d':>6} {'mrr':>6} {'d':>6}")
    for engine, row in rows.items():
        for lang in ("en", "nl", "sl"):
            r = row["table"][(lang, "hybrid")]  # type: ignore[index]
            t = ref["table"][(lang, "hybrid")]  # type: ignore[index]
            d1, d2 = 100 * (r["top1"] - t["top1"]), 100 * (r["mrr"] - t["mrr"])
            print(f"{engine:10} {lang:4} {r['top1']:6.3f} {d1:+6.1f} {r['mrr']:6.3f} {d2:+6.1f}")
    print("\n/api/ask-equivalent latency per engine (ms; ratio to torch):")
    t50, t95 = ref["cold"]  # type: ignore[misc]
    for engine, row in rows.items():
        p50, p95 = row["cold"]  # type: ignore[misc]
        w50, w95 = row["warm"]  # type: ignore[misc]
        print(
            f"  {engine:10} cache cold p50 {p50:5.1f} ({p50 / t50:.2f}x) p95 {p95:5.1f} ({p95 / t95:.2f}x); "
            f"cache warm p50 {w50:5.1f} p95 {w95:5.1f}; {row['cache']}"
        )
    if not rss:
        return
    print("\nprocess RSS (MB): API app built, retriever warmed, two questions asked")
    runs: list[tuple[str, Engine, bool]] = [(e, e, False) for e in ENGINES]
    runs += [(f"{e}, torch blocked", e, True) for e in ENGINES if e != "torch"]
    for label, engine, block in runs:
        m = process_rss(engine, root / engine, block)
        print(
            f"  {label:24} interpreter {m['start']:5.0f}  imports+app {m['imported']:6.0f}  "
            f"ready {m['ready']:6.0f}  (encoder+index {m['ready'] - m['imported']:5.0f}; "
            f"torch imported: {bool(m['torch'])})"
        )


def main() -> None:
    """Print all figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--skip-scale", action="store_true", help="skip the 100k synthetic index")
    parser.add_argument("--skip-engines", action="store_true", help="only the configured engine")
    parser.add_argument("--skip-rss", action="store_true", help="no per-engine process RSS")
    args = parser.parse_args()
    retriever = Retriever(retrieval_config(get_settings()))
    retriever.warm_up()
    questions = load_eval()
    build_s = index_store.build(retriever.config, retriever.embedder)
    print(
        f"index build: {build_s:.1f} s for {len(retriever.units)} units ({len(retriever.topics)} topics), "
        f"engine {retriever.config.encoder_engine}"
    )
    print(f"calibration (leave-one-out on KB paraphrases): {retriever.calibration}")
    table = accuracy(retriever, questions)
    print_accuracy(table)
    cross = [q for q in questions if q.get("cross_lingual")]
    cross_table = accuracy(retriever, cross)
    hits = sum(
        cross_table[(lang, "hybrid")]["top1"] * cross_table[(lang, "hybrid")]["n"]
        for lang in ("en", "nl", "sl")
        if (lang, "hybrid") in cross_table
    )
    print(f"cross-lingual questions: hybrid top1 {hits / len(cross):.3f} (n={len(cross)})")
    retriever.ask("warm-up question")
    retriever.embedder.cache.clear()
    p50, p95 = latency(retriever, questions)
    print(
        f"\nask latency (detect + encode + rank + compose): p50 {p50:.1f} ms, p95 {p95:.1f} ms "
        f"(target p50 <= {TARGETS['p50_ms']} ms)"
    )
    if not args.skip_engines:
        with tempfile.TemporaryDirectory(prefix="bench-engines-") as tmp:
            compare_engines(retriever.config, questions, Path(tmp), rss=not args.skip_rss)
    if not args.skip_scale:
        print("\nsynthetic 100k passages, 384-d, per-query search time:")
        for key, value in faiss_scale().items():
            print(f"  {key}: {value:.3f}")


if __name__ == "__main__":
    main()
