"""Retrieval benchmark: accuracy per language and mode, latency, index build, FAISS at scale.

Run ``python -m bench.retrieval``. Accuracy uses the held-out set tests/eval/questions.yml
(never used for tuning). Figures are printed; targets are printed beside them.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import numpy as np
import yaml

from knowledge import index as index_store
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
    """p50 and p95 in ms of a full ``ask`` (language detection, encoding, ranking, notes)."""
    timings = []
    for q in questions:
        start = time.perf_counter()
        retriever.ask(q["text"])
        timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    return statistics.median(timings), timings[int(0.95 * (len(timings) - 1))]


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


def main() -> None:
    """Print all figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--skip-scale", action="store_true", help="skip the 100k synthetic index")
    args = parser.parse_args()
    retriever = Retriever(retrieval_config(get_settings()))
    retriever.warm_up()
    questions = load_eval()
    build_s = index_store.build(retriever.config, retriever.embedder)
    print(f"index build: {build_s:.1f} s for {len(retriever.units)} units ({len(retriever.topics)} topics)")
    print(f"calibration (leave-one-out on KB paraphrases): {retriever.calibration}")
    table = accuracy(retriever, questions)
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
    cross = [q for q in questions if q.get("cross_lingual")]
    cross_table = accuracy(retriever, cross)
    hits = sum(
        cross_table[(lang, "hybrid")]["top1"] * cross_table[(lang, "hybrid")]["n"]
        for lang in ("en", "nl", "sl")
        if (lang, "hybrid") in cross_table
    )
    print(f"cross-lingual questions: hybrid top1 {hits / len(cross):.3f} (n={len(cross)})")
    retriever.ask("warm-up question")
    p50, p95 = latency(retriever, questions)
    print(
        f"\nask latency (detect + encode + rank + compose): p50 {p50:.1f} ms, p95 {p95:.1f} ms "
        f"(target p50 <= {TARGETS['p50_ms']} ms)"
    )
    if not args.skip_scale:
        print("\nsynthetic 100k passages, 384-d, per-query search time:")
        for key, value in faiss_scale().items():
            print(f"  {key}: {value:.3f}")


if __name__ == "__main__":
    main()
