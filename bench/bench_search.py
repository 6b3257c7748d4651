"""Similar-case latency of the full ``SearchEngine.similar()`` at scale, against numpy brute force.

    .venv/bin/python bench/bench_search.py --sizes 10000,100000 [--queries 200] [--text-queries 50] [--no-write]

Per size, in its own subprocess with a fresh temporary data dir (so RSS is per size):

1. build: ``n`` synthetic records (bench/synth.py) with synthetic 384-d vectors that have theme/subtheme
   cluster structure (no model), mapped with the pipeline's own ``build_rows`` (registered facts plus
   rules-only extraction, ``extract()`` without an embedder) and written in batches through the named
   queries the pipeline uses (``ingest_upsert_cases``, the fact kinds' link queries, ``ingest_set_hashes``); then ``Indexes.rebuild`` and
   ``SearchEngine(store, settings)`` (timed: engine load);
2. latency of ``similar()``: by case id (query embedding excluded: the vector comes from the graph) with
   and without explanations, with and without a filter (jaar 2021-2023 + wet Participatiewet); by text
   (new synthetic texts, each used once so the engine's probe cache never hits; the real e5 model embeds
   the query, so embedding is included; the embedding alone is timed separately on the same texts);
3. baseline in the same process: numpy brute-force dense cosine top-10 over the same vectors (and with
   the same filter applied as a row mask); ratios = engine p50 / baseline p50;
4. where the time goes: per-part timers around the engine's methods, and cProfile of the by-id queries.

Writes the "search" section of docs/BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import resource
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _common import finish  # noqa: E402

FILTER_DESC = "jaar 2021–2023 + wet Participatiewet"


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _server_rss_mb(graph_dir: Path) -> float | None:
    try:
        pid = int((graph_dir / "redis.pid").read_text().strip())
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        return None
    return None


def _stats(ms: list[float]) -> dict:
    a = np.asarray(ms)
    return {"n": len(a), "p50": float(np.percentile(a, 50)), "p90": float(np.percentile(a, 90)),
            "p99": float(np.percentile(a, 99)), "mean": float(a.mean())}


def build(store, settings, n: int, seed: int) -> tuple[dict, object, np.ndarray]:
    """Write ``n`` synthetic cases into the graph via the pipeline's named queries; returns timings."""
    from synth import StandInEmbedder, generate, topic_vectors

    from casusgraaf.graph import load_query
    from casusgraaf.graph.vectors import VectorFile, encode
    from casusgraaf.ingest.mapping import build_rows
    from casusgraaf.ingest.pipeline import seed_ontology
    from casusgraaf.models.records import CaseRecord
    from casusgraaf.models.resolve import get_resolver
    from casusgraaf.models.vocabulary import fact_kinds
    from casusgraaf.nlp import extract

    t: dict[str, float] = {}
    t0 = time.perf_counter()
    corpus = generate(n, seed=seed)
    vecs = topic_vectors(corpus, 384, seed=seed)
    t["generate"] = time.perf_counter() - t0
    store.ensure_schema()
    seed_ontology(store)
    resolver = get_resolver()
    t.update({"extract (rules only)": 0.0, "build_rows": 0.0, "graph write": 0.0})
    chunk = 5000
    for start in range(0, n, chunk):
        recs = [CaseRecord.model_validate(r) for r in corpus.records[start:start + chunk]]
        t0 = time.perf_counter()
        ents = [extract(r.tekst, jaar=r.effective_jaar) for r in recs]
        t["extract (rules only)"] += time.perf_counter() - t0
        t0 = time.perf_counter()
        # labelled with the stand-in embedder's model id: bench_ingest adds cases through it to this corpus
        refs = VectorFile(settings).append(vecs[start:start + len(recs)], StandInEmbedder.model_id)
        rows = [build_rows(r, e, r.content_hash(), encode(vecs[start + i]), resolver,
                           embedding_model=StandInEmbedder.model_id)
                for i, (r, e) in enumerate(zip(recs, ents, strict=True))]
        for row, ref in zip(rows, refs, strict=True):
            row.props["embedding_ref"] = ref
        t["build_rows"] += time.perf_counter() - t0
        t0 = time.perf_counter()
        store.write(load_query("ingest_upsert_cases"), [{"id": r.case_id, "props": r.props} for r in rows])
        for _kind, fk in fact_kinds().items():
            batch = [link for r in rows for link in r.links.get(_kind, [])]
            if batch:
                store.write(load_query(fk.query), batch)
        store.write(load_query("ingest_set_hashes"), [{"id": r.case_id, "hash": r.hash} for r in rows])
        t["graph write"] += time.perf_counter() - t0
        print(f"    built {min(n, start + chunk):,}/{n:,}  ({sum(t.values()):.0f}s)", flush=True)
    store.run(load_query("state_bump"))
    return t, corpus, vecs


class PartTimer:
    """Wall time per part of SearchEngine.similar (wrappers on the engine instance and module functions)."""

    def __init__(self) -> None:
        self.t: dict[str, list[float]] = defaultdict(list)
        self.cur: dict[str, float] = defaultdict(float)

    def wrap(self, name, fn, by_arg: bool = False):
        def timed(*a, **kw):
            t0 = time.perf_counter()
            try:
                return fn(*a, **kw)
            finally:
                key = f"{name}:{a[0]}" if by_arg else name
                self.cur[key] += time.perf_counter() - t0
        return timed

    def commit(self, total: float) -> None:
        for k, v in self.cur.items():
            self.t[k].append(v * 1000)
        self.t["total"].append(total * 1000)
        self.cur.clear()

    def medians(self) -> dict[str, float]:
        return {k: float(np.median(v)) for k, v in self.t.items()}


def lexical_alternatives(engine, qids: list[str], k_cand: int) -> dict:
    """Bench-only: the engine's lexical scoring vs two cheaper ways to get the same cosines (for the report)."""
    from sklearn.preprocessing import normalize

    lex = engine.lexical
    out: dict[str, list[float]] = {"LexicalIndex.scores (all rows)": [],
                                   "csr matvec, dense query (all rows)": [],
                                   "only the dense candidate rows (k = max(200, n/50))": []}
    for cid in qids:
        q = normalize(lex.row(cid))
        t0 = time.perf_counter()
        full = lex.scores(q)
        out["LexicalIndex.scores (all rows)"].append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        dq = np.zeros(lex.matrix.shape[1], np.float32)
        dq[q.indices] = q.data
        alt = lex.matrix @ dq
        out["csr matvec, dense query (all rows)"].append((time.perf_counter() - t0) * 1000)
        assert np.allclose(alt, full, atol=1e-5)
        cand = [engine.pos[c] for c, _ in engine.dense.search(engine.dense.vector(cid), k_cand)]
        t0 = time.perf_counter()
        rows = np.asarray(cand)  # lexical rows are in engine order (asserted by the caller)
        _ = lex.matrix[rows] @ dq
        out["only the dense candidate rows (k = max(200, n/50))"].append((time.perf_counter() - t0) * 1000)
    return {k: float(np.median(v)) for k, v in out.items()}


def worker(n: int, n_queries: int, n_text: int, seed: int, budget_s: float = 1e9, min_queries: int = 30) -> dict:
    from synth import generate

    import casusgraaf.search.similar as similar_mod
    from casusgraaf.config import get_settings
    from casusgraaf.graph import open_store
    from casusgraaf.search.indexes import Indexes
    from casusgraaf.search.similar import Filters, Query, SearchEngine

    tmp = Path(tempfile.mkdtemp(prefix="cg-bench-search-"))
    settings = get_settings(data_dir=tmp)
    out: dict = {"n": n, "loadavg_start": os.getloadavg()}
    store = open_store(settings)
    try:
        t0 = time.perf_counter()
        build_t, corpus, vecs = build(store, settings, n, seed)
        out["build"] = build_t
        out["build"]["total"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        info = Indexes(settings).rebuild(store)
        out["rebuild_s"] = time.perf_counter() - t0
        out["rebuild_info"] = info
        rss0 = _rss_mb()
        t0 = time.perf_counter()
        engine = SearchEngine(store, settings)
        out["engine_load_s"] = time.perf_counter() - t0
        out["rss_engine_mb"] = _rss_mb()
        out["rss_before_engine_mb"] = rss0
        out["server_rss_mb"] = _server_rss_mb(settings.graph_dir)
        out["graph_disk_mb"] = sum(f.stat().st_size for f in settings.graph_dir.rglob("*") if f.is_file()) / 1e6
        out["index_disk_mb"] = sum(f.stat().st_size for f in settings.index_dir.rglob("*") if f.is_file()) / 1e6
        lex = engine.lexical
        out["lexical_shape"] = list(lex.matrix.shape)
        out["lexical_nnz"] = int(lex.matrix.nnz)
        out["dense_kind"] = engine.dense.active_kind

        rng = np.random.default_rng(seed + 1)
        qidx = rng.choice(n, n_queries, replace=False)
        qids = [corpus.records[i]["id"] for i in qidx]
        filt = Filters(jaar_van=2021, jaar_tot=2023, wet=["Participatiewet"])
        allowed_mask = engine.allowed_mask(filt)
        allowed = {engine.ids[i] for i in np.flatnonzero(allowed_mask)} if allowed_mask is not None else set()
        allowed_n = len(allowed)
        out["code"] = subprocess.run(["git", "-C", str(HERE.parent), "log", "-1", "--format=%h %s"],
                                     capture_output=True, text=True).stdout.strip()[:90]
        out["filter_allowed"] = allowed_n

        for cid in qids[:5]:  # warm-up
            engine.similar(Query(case_ids=[cid], explain=True))
            engine.similar(Query(case_ids=[cid], filters=filt, explain=True))

        lat: dict[str, dict] = {}
        results_keep: dict[str, list] = {}
        for label, f, explain in (("id", Filters(), False), ("id+filter", filt, False),
                                  ("id+explain", Filters(), True), ("id+filter+explain", filt, True)):
            ms = []
            start = time.perf_counter()
            for j, cid in enumerate(qids):
                if j >= min_queries and time.perf_counter() - start > budget_s:
                    break  # time budget spent: fewer queries, reported as such
                t0 = time.perf_counter()
                res = engine.similar(Query(case_ids=[cid], filters=f, explain=explain))
                ms.append((time.perf_counter() - t0) * 1000)
                results_keep.setdefault(label, []).append(res)
            lat[label] = _stats(ms)
            print(f"    {label}: p50 {lat[label]['p50']:.1f} ms  p99 {lat[label]['p99']:.1f} ms", flush=True)

        # baseline: numpy brute-force dense cosine top-10, same vectors, same queries
        V = np.ascontiguousarray(vecs, dtype=np.float32)
        V /= np.linalg.norm(V, axis=1, keepdims=True)
        jaar = np.array([r.get("jaar") or 0 for r in corpus.records])
        mask = np.zeros(n, bool)
        pos = {r["id"]: i for i, r in enumerate(corpus.records)}
        mask[[pos[c] for c in allowed]] = True
        from threadpoolctl import threadpool_limits

        base: dict[str, list[float]] = {"none": [], "filter": [], "none_1t": [], "filter_1t": []}
        for suffix, limit in (("", None), ("_1t", 1)):
            with threadpool_limits(limits=limit):
                for i in qidx:
                    t0 = time.perf_counter()
                    s = V @ V[i]
                    s[i] = -np.inf
                    top = np.argpartition(-s, 10)[:10]
                    top = top[np.argsort(-s[top])]
                    base["none" + suffix].append((time.perf_counter() - t0) * 1000)
                    t0 = time.perf_counter()
                    rows = np.flatnonzero(mask)  # the same filter as a row mask (the set is given)
                    s = V[rows] @ V[i]
                    k = min(10, len(rows) - 1)
                    top = rows[np.argpartition(-s, k)[:k]]
                    base["filter" + suffix].append((time.perf_counter() - t0) * 1000)
        lat["numpy 1 BLAS thread"] = _stats(base["none_1t"])
        lat["numpy+filter 1 BLAS thread"] = _stats(base["filter_1t"])
        lat["numpy"] = _stats(base["none"])
        lat["numpy+filter"] = _stats(base["filter"])
        del jaar

        # where the time goes (by id, no filter, with and without explain)
        breakdown = {}
        for label, explain, f in (("id", False, Filters()), ("id+filter", False, filt), ("id+explain", True, Filters())):
            pt = PartTimer()
            eng = SearchEngine.__new__(SearchEngine)
            eng.__dict__.update(engine.__dict__)
            eng.refresh = pt.wrap("refresh (state_get)", engine.refresh)
            for meth in ("allowed_mask", "allowed"):  # allowed_mask since 17495b6; allowed before
                if hasattr(eng, meth):
                    setattr(eng, meth, pt.wrap("allowed (filters)", getattr(eng, meth)))
                    break
            eng._probe = pt.wrap("probe (vector from graph)", eng._probe)
            eng._signal = pt.wrap("signal", eng._signal, by_arg=True)
            eng._explain = pt.wrap("explain", eng._explain)
            orig_fuse = similar_mod.fuse
            similar_mod.fuse = pt.wrap("fuse", orig_fuse)
            try:
                start = time.perf_counter()
                for cid in qids[:100]:
                    if time.perf_counter() - start > budget_s / 2 and len(pt.t["total"]) >= 20:
                        break
                    t0 = time.perf_counter()
                    eng.similar(Query(case_ids=[cid], filters=f, explain=explain))
                    pt.commit(time.perf_counter() - t0)
            finally:
                similar_mod.fuse = orig_fuse
            med = pt.medians()
            med["rest (mask, argsort, results)"] = med["total"] - sum(v for k, v in med.items() if k != "total")
            breakdown[label] = med
        out["breakdown"] = breakdown
        assert engine.lexical.ids == engine.ids
        out["lexical_alternatives"] = lexical_alternatives(engine, qids[:20], max(200, n // 50))
        print("    lexical alternatives:", {k: round(v, 2) for k, v in out["lexical_alternatives"].items()}, flush=True)

        prof = cProfile.Profile()
        prof.enable()
        n_prof = 50 if lat["id"]["p50"] < 300 else 10
        for cid in qids[:n_prof]:
            engine.similar(Query(case_ids=[cid], explain=False))
        prof.disable()
        s = io.StringIO()
        pstats.Stats(prof, stream=s).sort_stats("tottime").print_stats(14)
        out["profile_id"] = s.getvalue()[-4500:]
        prof = cProfile.Profile()
        prof.enable()
        for cid in qids[:n_prof]:
            engine.similar(Query(case_ids=[cid], filters=filt, explain=True))
        prof.disable()
        s = io.StringIO()
        pstats.Stats(prof, stream=s).sort_stats("tottime").print_stats(14)
        out["profile_filter_explain"] = s.getvalue()[-4500:]

        # text queries: real model (embedding included), each text used once
        if n_text:
            from casusgraaf.embedding import get_embedder

            texts = [r["tekst"] for r in generate(2 * n_text + 3, seed=seed + 99).records]
            t0 = time.perf_counter()
            emb = get_embedder(settings)
            out["model_load_s"] = time.perf_counter() - t0
            engine.similar(Query(text=texts[-1], explain=True))  # warm-up (knelpunt descriptions, model)
            engine.similar(Query(text=texts[-2], explain=False))
            emb_ms = []
            for tx in texts[: 2 * n_text]:
                t0 = time.perf_counter()
                emb.embed_query(tx)
                emb_ms.append((time.perf_counter() - t0) * 1000)
            lat["embed_query only"] = _stats(emb_ms)
            for label, chunk, explain in (("text", texts[:n_text], False),
                                          ("text+explain", texts[n_text:2 * n_text], True)):
                ms = []
                start = time.perf_counter()
                for tx in chunk:
                    if len(ms) >= 20 and time.perf_counter() - start > budget_s:
                        break
                    engine._text_probes.clear()
                    t0 = time.perf_counter()
                    engine.similar(Query(text=tx, explain=explain))
                    ms.append((time.perf_counter() - t0) * 1000)
                lat[label] = _stats(ms)
                print(f"    {label}: p50 {lat[label]['p50']:.1f} ms  p99 {lat[label]['p99']:.1f} ms", flush=True)
        out["latency"] = lat
        # sanity: results by id find the query's own theme most of the time
        same = [np.mean([corpus.themes[pos[r["case_id"]]] == corpus.themes[pos[q]] for r in res])
                for q, res in zip(qids, results_keep["id"], strict=False) if res]
        out["top10_same_theme"] = float(np.mean(same))
    finally:
        store.close()
        # partial results survive a late failure
        Path(tempfile.gettempdir(), f"bench_search_partial_{n}.json").write_text(json.dumps(out, default=str))
    out["peak_rss_mb"] = _peak_mb()
    out["loadavg_end"] = os.getloadavg()
    import shutil

    shutil.rmtree(tmp, ignore_errors=True)
    return out


def render(results: list[dict], mach: str, cmd: str, notes: list[str]) -> str:
    ok = [r for r in results if "error" not in r]
    L = ["## Similar-case search at scale (`SearchEngine.similar()`)", "", f"Machine: {mach}.", "",
         f"Run: `{cmd}`. Synthetic corpus from `bench/synth.py` with synthetic 384-d vectors that have "
         "theme/subtheme cluster structure (no model), written through the pipeline's named queries, then "
         "`Indexes.rebuild` and `SearchEngine(store, settings)`. Full engine = dense (FAISS) + lexical (char "
         "n-gram TF-IDF) + structural + fusion, k=10. By id: the query vector comes from the graph, no model "
         f"run. By text: the real e5-small model embeds the query (included). Filter: {FILTER_DESC}. "
         "Baseline, same process, same vectors and query cases: numpy brute-force dense cosine top-10 "
         "(`V @ q` + `argpartition`; with the filter as a row mask). Single queries, one at a time.", "",
         "| n | build (write) s | rebuild indexes s | engine load s | engine RSS MB | peak RSS MB | graph server RSS MB | graph / index on disk MB | load avg |",
         "|---|---|---|---|---|---|---|---|---|"]
    for r in ok:
        L.append(f"| {r['n']:,} | {r['build']['total']:.0f} | {r['rebuild_s']:.1f} | {r['engine_load_s']:.1f} | "
                 f"{r['rss_engine_mb']:,.0f} | {r['peak_rss_mb']:,.0f} | {r['server_rss_mb'] or 0:,.0f} | "
                 f"{r['graph_disk_mb']:,.0f} / {r['index_disk_mb']:,.0f} | "
                 f"{r['loadavg_start'][0]:.1f}→{r['loadavg_end'][0]:.1f} |")
    L += ["", "Latency per query in ms (p50 / p99; ratio = p50 against the numpy baseline p50 of the same n "
          "and filter):", "",
          "| n | query | queries | p50 ms | p99 ms | vs numpy (p50) |", "|---|---|---|---|---|---|"]
    rows = [("id", "by id", "numpy"), ("id+filter", f"by id, filter ({FILTER_DESC})", "numpy+filter"),
            ("id+explain", "by id, with explanations", "numpy"),
            ("id+filter+explain", "by id, filter, with explanations", "numpy+filter"),
            ("text", "by text (incl. query embedding)", "numpy"),
            ("text+explain", "by text, with explanations (incl. embedding)", "numpy"),
            ("embed_query only", "…of which: `embed_query` alone (same texts)", None),
            ("numpy", "**baseline**: numpy brute-force dense top-10", None),
            ("numpy+filter", "**baseline**: numpy, filtered rows", None),
            ("numpy 1 BLAS thread", "baseline, BLAS limited to 1 thread (threadpoolctl)", None),
            ("numpy+filter 1 BLAS thread", "baseline, filtered rows, 1 BLAS thread", None)]
    for r in ok:
        lat = r["latency"]
        for key, desc, base in rows:
            if key not in lat:
                continue
            s = lat[key]
            ratio = f"{s['p50'] / lat[base]['p50']:.0f}×" if base else "–"
            bold = "**" if key == "id" else ""
            L.append(f"| {r['n']:,} | {desc} | {s['n']} | {bold}{s['p50']:.1f}{bold} | {s['p99']:.1f} | {ratio} |")
    L += ["", "Where the time goes (median ms per query over 100 queries; parts timed by wrappers on the engine):",
          ""]
    parts = ["refresh (state_get)", "allowed (filters)", "probe (vector from graph)", "signal:dense",
             "signal:lexical", "signal:structural", "fuse", "rest (mask, argsort, results)", "explain", "total"]
    shown = {"probe (vector from graph)": "probe (query vector and facts)"}
    L += ["| n | query | " + " | ".join(shown.get(p, p) for p in parts) + " |", "|---|---|" + "---|" * len(parts)]
    for r in ok:
        for label, med in r["breakdown"].items():
            L.append(f"| {r['n']:,} | {label} | " + " | ".join(f"{med[p]:.1f}" if p in med else "–" for p in parts)
                     + " |")
    L += ["", "Lexical signal alone, three ways to compute the same cosines (median ms over 20 by-id queries; "
          "the last two are computed by the benchmark itself, for comparison):", "",
          "| n | `LexicalIndex.scores` over all rows | CSR mat-vec with a dense query, all rows | "
          "only the dense candidate rows (k = max(200, n/50)) |", "|---|---|---|---|"]
    for r in ok:
        L.append(f"| {r['n']:,} | " + " | ".join(f"{v:.1f}" for v in r["lexical_alternatives"].values()) + " |")
    L += ["", "A dash: not timed separately in that run (the filter mask, `allowed_mask`, was not wrapped in these "
          "runs; its time is inside \"rest\")." if any("allowed (filters)" not in m for r in ok
                                                         for m in r["breakdown"].values()) else ""]
    L += ["", "Notes:", ""] + [f"- {x}" for x in notes]
    return "\n".join(L)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--text-queries", type=int, default=50)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--budget-s", type=float, default=90.0,
                    help="per query type: stop after this many seconds (at least 30 by-id / 20 text queries)")
    ap.add_argument("--json", help="also write the raw results here")
    ap.add_argument("--from-json", help="render from a previous --json instead of running")
    ap.add_argument("--notes", help="file with extra notes (one per line) for the docs section")
    ap.add_argument("--no-write", action="store_true")
    ap.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        print("RESULT " + json.dumps(worker(args.worker, args.queries, args.text_queries, args.seed, args.budget_s)))
        return
    if args.from_json:  # one or more files, comma-separated
        results = [r for f in args.from_json.split(",") for r in json.loads(Path(f).read_text())]
    else:
        results = []
        for n in [int(x) for x in args.sizes.split(",")]:
            print(f"n={n:,} ...", flush=True)
            t0 = time.perf_counter()
            proc = subprocess.Popen([sys.executable, __file__, "--worker", str(n), "--queries", str(args.queries),
                                     "--text-queries", str(args.text_queries), "--seed", str(args.seed),
                                     "--budget-s", str(args.budget_s)],
                                    stdout=subprocess.PIPE, text=True)
            line = None
            for ln in proc.stdout:
                if ln.startswith("RESULT "):
                    line = ln
                else:
                    print(ln, end="", flush=True)
            proc.wait()
            if line is None:
                results.append({"n": n, "error": f"exit {proc.returncode}"})
                continue
            res = json.loads(line[7:])
            res["wall_s"] = time.perf_counter() - t0
            results.append(res)
            print(f"  done in {res['wall_s']:.0f}s; breakdown id: "
                  f"{ {k: round(v, 1) for k, v in res['breakdown']['id'].items()} }", flush=True)
            print(res["profile_id"][:3000])
        if args.json:
            Path(args.json).write_text(json.dumps(results, indent=1))
    from bench_ingest import machine

    finish("search", "bench_search.py", results, render, auto_notes(results), args.notes, args.no_write, machine())


def auto_notes(results: list[dict]) -> list[str]:
    notes = []
    for r in results:
        if "error" in r:
            notes.append(f"n={r['n']:,}: run failed ({r['error']}).")
            continue
        lat = r["latency"]
        p50 = lat["id"]["p50"]
        notes.append(f"n={r['n']:,}: target p50 < 50 ms by id (no query embedding): "
                     f"{'**met**' if p50 < 50 else '**missed**'} ({p50:.1f} ms). Lexical matrix "
                     f"{r['lexical_shape'][0]:,}×{r['lexical_shape'][1]:,}, {r['lexical_nnz'] / 1e6:.0f} M non-zeros; "
                     f"dense index {r['dense_kind']}; the filter keeps {r['filter_allowed']:,} cases; "
                     f"{100 * r['top10_same_theme']:.0f}% of by-id top-10 results share the query's synthetic theme.")
    return notes


if __name__ == "__main__":
    main()
