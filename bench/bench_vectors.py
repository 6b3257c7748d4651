"""Benchmark the FAISS vector index against a numpy brute-force baseline on synthetic case vectors.

    .venv/bin/python bench/bench_vectors.py --sizes 10000,100000,1000000

Each corpus size runs in a fresh child process (so peak memory belongs to that size). In that process
the numpy baseline, the exact index (IndexFlatIP) and the approximate index (IVF) are built and searched
with the same queries; latencies exclude query embedding. Results go to docs/BENCHMARKS.md ("vectors").
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine as _machine  # noqa: E402

DIM = 384
_LOAD_BEFORE = os.getloadavg()[0]
K = 10


# ----------------------------------------------------------------------------- data
def synthetic(n: int, seed: int = 7) -> np.ndarray:
    """Normalised vectors with the shape of text embeddings: a shared direction, topics, noise."""
    rng = np.random.default_rng(seed)
    n_topics = max(20, int(np.sqrt(n) / 2))
    common = rng.standard_normal(DIM).astype(np.float32)
    common /= np.linalg.norm(common)
    topics = rng.standard_normal((n_topics, DIM)).astype(np.float32)
    topics /= np.linalg.norm(topics, axis=1, keepdims=True)
    out = np.empty((n, DIM), dtype=np.float32)
    step = 100_000
    for start in range(0, n, step):
        m = min(step, n - start)
        t = rng.integers(0, n_topics, m)
        noise = rng.standard_normal((m, DIM), dtype=np.float32) / np.sqrt(DIM)
        block = 1.2 * common + 0.9 * topics[t] + 0.8 * noise
        out[start : start + m] = block / np.linalg.norm(block, axis=1, keepdims=True)
    return out


def make_queries(data: np.ndarray, nq: int, seed: int = 11) -> np.ndarray:
    """New cases close to existing ones: perturbed corpus vectors."""
    rng = np.random.default_rng(seed)
    base = data[rng.choice(len(data), nq, replace=False)]
    q = base + 0.5 * rng.standard_normal(base.shape, dtype=np.float32) / np.sqrt(DIM)
    return (q / np.linalg.norm(q, axis=1, keepdims=True)).astype(np.float32)


# ----------------------------------------------------------------------------- memory
def reset_peak() -> None:
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def rss_mb(field: str = "VmHWM") -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


# ----------------------------------------------------------------------------- searchers
class NumpyBaseline:
    """Plain brute force: one matrix-vector product and an argpartition per query."""

    def __init__(self, ids: list[str], data: np.ndarray):
        self.ids = ids
        self.data = data
        self.pos = {c: i for i, c in enumerate(ids)}

    def search(self, q: np.ndarray, k: int, allowed: set[str] | None = None) -> list[tuple[str, float]]:
        if allowed is None:
            rows, scores = None, self.data @ q
        else:
            rows = np.fromiter((p for p in map(self.pos.get, allowed) if p is not None), dtype=np.int64)
            scores = self.data[rows] @ q
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top])]
        pos = top if rows is None else rows[top]
        return [(self.ids[p], float(scores[t])) for p, t in zip(pos, top, strict=True)]


def time_queries(searcher, queries: np.ndarray, allowed, repeats: int) -> tuple[float, float]:
    """Median over repeats of the per-query p50 and p99 latency, in milliseconds."""
    p50s, p99s = [], []
    searcher.search(queries[0], K, allowed)  # warm-up
    for _ in range(repeats):
        lat = []
        for q in queries:
            t0 = time.perf_counter()
            searcher.search(q, K, allowed)
            lat.append((time.perf_counter() - t0) * 1000)
        p50s.append(float(np.percentile(lat, 50)))
        p99s.append(float(np.percentile(lat, 99)))
    return statistics.median(p50s), statistics.median(p99s)


def recall(searcher, truth: list[list[str]], queries: np.ndarray, allowed) -> float:
    hits = total = 0
    for q, t in zip(queries, truth, strict=True):
        got = {c for c, _ in searcher.search(q, K, allowed)}
        hits += len(got & set(t))
        total += len(t)
    return hits / max(total, 1)


# ----------------------------------------------------------------------------- one size
def run_size(n: int, nq: int, repeats: int, hnsw: bool) -> dict:
    import faiss

    from casusgraaf.search.vectors import VectorIndex, choose_kind

    reset_peak()
    t0 = time.perf_counter()
    data = synthetic(n)
    ids = [f"c{i:07d}" for i in range(n)]
    queries = make_queries(data, nq)
    gen_s = time.perf_counter() - t0
    rng = np.random.default_rng(5)
    filters = {
        "10%": set(np.asarray(ids)[rng.choice(n, n // 10, replace=False)].tolist()),
        "1%": set(np.asarray(ids)[rng.choice(n, max(K, n // 100), replace=False)].tolist()),
    }
    base_mb = rss_mb("VmRSS")
    res: dict = {
        "n": n,
        "auto_kind": choose_kind(n),
        "data_gen_s": round(gen_s, 1),
        "data_rss_mb": round(base_mb),
    }

    baseline = NumpyBaseline(ids, data)
    truth = {
        f: [[c for c, _ in baseline.search(q, K, filters.get(f))] for q in queries]
        for f in ("none", *filters)
    }
    lat = {"numpy": {}}
    for f in ("none", *filters):
        lat["numpy"][f] = time_queries(baseline, queries, filters.get(f), repeats)
    res["numpy"] = {"latency": lat["numpy"]}

    for kind in ("flat", "ivf"):
        reset_peak()
        before = rss_mb("VmRSS")
        t0 = time.perf_counter()
        index = VectorIndex(DIM, kind=kind)
        index.upsert(ids, data)  # a bulk build, as when the index is rebuilt from the graph
        build_s = time.perf_counter() - t0
        entry = {
            "build_s": round(build_s, 2),
            "peak_rss_mb": round(rss_mb()),
            "index_mb": round(rss_mb("VmRSS") - before),
            "latency": {f: time_queries(index, queries, filters.get(f), repeats) for f in ("none", *filters)},
            "recall": {
                f: round(recall(index, truth[f], queries, filters.get(f)), 4) for f in ("none", *filters)
            },
        }
        if kind == "ivf":
            entry.update(nlist=index._index.nlist, nprobe=index.nprobe, calibrated=index.calibrated_recall)
        res[kind] = entry
        del index

    if hnsw:
        reset_peak()
        t0 = time.perf_counter()
        h = faiss.IndexHNSWFlat(DIM, 32, faiss.METRIC_INNER_PRODUCT)
        h.hnsw.efConstruction = 40
        h.add(data)
        build_s = time.perf_counter() - t0
        h.hnsw.efSearch = 64

        class _H:
            def search(self, q, k, allowed=None):
                _, lab = h.search(q.reshape(1, -1), k)
                return [(ids[i], 0.0) for i in lab[0] if i >= 0]

        res["hnsw"] = {
            "build_s": round(build_s, 1),
            "latency": {"none": time_queries(_H(), queries, None, repeats)},
            "recall": {"none": round(recall(_H(), truth["none"], queries, None), 4)},
            "peak_rss_mb": round(rss_mb()),
        }
    res["peak_rss_mb"] = round(rss_mb())
    return res


# ----------------------------------------------------------------------------- report
def machine() -> str:
    return _machine("numpy", "faiss-cpu", load=_LOAD_BEFORE)


def render(results: list[dict], args) -> str:
    from casusgraaf.search.vectors import APPROX_THRESHOLD, TARGET_RECALL

    lines = [
        "## Vector index (FAISS) vs numpy brute force",
        "",
        f"Machine: {machine()}.",
        f"Synthetic 384-d normalised vectors with topic structure; {args.queries} queries (perturbed corpus "
        f"vectors), k={K}; latency per single query excluding query embedding, median of {args.repeats} "
        "repeats of p50/p99. Filters: `allowed` = random 10% / 1% of the ids, applied with a FAISS "
        "`IDSelectorBitmap` before ranking (numpy: the same rows gathered first). Recall@10 against exact "
        "search with the same filter. Run: `.venv/bin/python bench/bench_vectors.py "
        f"--sizes {args.sizes}`.",
        "",
        f"Chosen: exact `IndexFlatIP` (in `IndexIDMap2`) below {APPROX_THRESHOLD:,} vectors, `IndexIVFFlat` "
        f"(inner product, nlist ≈ 2·√n, nprobe calibrated at build for recall@10 ≥ {TARGET_RECALL}) above.",
        "",
        "| n | index | build s | p50 ms | p99 ms | p50 ms 10% filter | p50 ms 1% filter | p50 vs numpy | recall@10 (none/10%/1%) | peak RSS MB |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        nb = r["numpy"]["latency"]
        for kind in ("numpy", "flat", "ivf", "hnsw"):
            if kind not in r:
                continue
            e = r[kind]
            lat = e["latency"]
            name = {
                "numpy": "numpy brute force",
                "flat": "FAISS flat (exact)",
                "ivf": "FAISS IVF",
                "hnsw": "FAISS HNSW32 (ef 64)",
            }[kind]
            if kind == "ivf":
                name += f" (nlist {e['nlist']}, nprobe {e['nprobe']})"
            if kind == r["auto_kind"]:
                name = f"**{name}** (auto)"
            ratio = f"{lat['none'][0] / nb['none'][0]:.3f}×" if kind != "numpy" else "1×"
            rec = e.get("recall", {})
            rec_s = "/".join(f"{rec[f]:.3f}" for f in ("none", "10%", "1%") if f in rec) or "1 (exact)"
            f10 = f"{lat['10%'][0]:.2f}" if "10%" in lat else "–"
            f1 = f"{lat['1%'][0]:.2f}" if "1%" in lat else "–"
            build = e.get("build_s", "–")
            peak = e.get("peak_rss_mb", r["data_rss_mb"])
            lines.append(
                f"| {r['n']:,} | {name} | {build} | {lat['none'][0]:.2f} | {lat['none'][1]:.2f} | {f10} | {f1} "
                f"| {ratio} | {rec_s} | {peak:,} |"
            )
    lines += [
        "",
        "Peak RSS is per phase (reset before each index is built) and includes the corpus held by the "
        "benchmark itself (numpy row: the corpus and id list only). HNSW is shown for comparison only: "
        "FAISS's HNSW cannot remove vectors, so it does not fit incremental deletes.",
    ]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--hnsw-max", type=int, default=100_000, help="also measure HNSW up to this size")
    ap.add_argument("--no-write", action="store_true", help="print only, do not update docs/BENCHMARKS.md")
    ap.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        res = run_size(args.child, args.queries, args.repeats, args.child <= args.hnsw_max)
        print("RESULT " + json.dumps(res))
        return
    results = []
    for n in [int(s) for s in args.sizes.split(",") if s]:
        cmd = [
            sys.executable,
            __file__,
            "--child",
            str(n),
            "--queries",
            str(args.queries),
            "--repeats",
            str(args.repeats),
            "--hnsw-max",
            str(args.hnsw_max),
        ]
        print(f"n={n:,} ...", file=sys.stderr, flush=True)
        out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
        res = json.loads(next(line for line in out.splitlines() if line.startswith("RESULT "))[7:])
        print(json.dumps(res), file=sys.stderr, flush=True)
        results.append(res)
    md = render(results, args)
    print(md)
    if not args.no_write:
        from tools.report import write_section

        write_section("docs/BENCHMARKS.md", "vectors", md)


if __name__ == "__main__":
    main()
