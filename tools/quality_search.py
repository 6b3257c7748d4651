"""Measure similar-case search on the labelled set (tests/data/similar_eval.jsonl).

    python -m tools.quality_search [--data-dir DIR] [--no-write]

Ingests the sample corpus into a scratch data dir (or uses ``--data-dir``), runs every query with each
signal alone, with weighted fusion over a small weight grid and with reciprocal rank fusion, and
reports nDCG@5, P@5 and MRR. Gains are graded (2^g − 1); P@5 and MRR count grade ≥ 1 as relevant.
Writes the "search" section of docs/QUALITY.md.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import tempfile
from pathlib import Path

from casusgraaf.config import Settings, get_settings
from tools.report import REPO_ROOT, write_section

EVAL_FILE = REPO_ROOT / "tests" / "data" / "similar_eval.jsonl"
SAMPLE_DIR = Settings().sample_dir
K = 5


def load_queries(path: Path = EVAL_FILE) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def ndcg_at(ranked: list[str], rel: dict[str, int], k: int = K) -> float:
    dcg = sum((2 ** rel.get(c, 0) - 1) / math.log2(i + 2) for i, c in enumerate(ranked[:k]))
    ideal = sorted(rel.values(), reverse=True)[:k]
    idcg = sum((2 ** g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def precision_at(ranked: list[str], rel: dict[str, int], k: int = K) -> float:
    return sum(1 for c in ranked[:k] if rel.get(c, 0) >= 1) / k


def reciprocal_rank(ranked: list[str], rel: dict[str, int]) -> float:
    for i, c in enumerate(ranked, start=1):
        if rel.get(c, 0) >= 1:
            return 1.0 / i
    return 0.0


def per_query(runs: dict[str, list[str]], queries: list[dict]) -> dict[str, dict[str, float]]:
    return {q["qid"]: {"ndcg@5": ndcg_at(runs[q["qid"]], q["relevant"]),
                       "p@5": precision_at(runs[q["qid"]], q["relevant"]),
                       "mrr": reciprocal_rank(runs[q["qid"]], q["relevant"])} for q in queries}


def mean(scores: dict[str, dict[str, float]], qids: list[str] | None = None) -> dict[str, float]:
    qids = qids if qids is not None else list(scores)
    return {m: sum(scores[q][m] for q in qids) / len(qids) for m in ("ndcg@5", "p@5", "mrr")}


def score_runs(runs: dict[str, list[str]], queries: list[dict]) -> dict[str, float]:
    return mean(per_query(runs, queries))


def run_config(engine, queries: list[dict], signals: tuple[str, ...], settings: Settings, k: int = 10) -> dict:
    from casusgraaf.search.similar import Query
    from casusgraaf.services.search import gate_text

    engine.settings = settings
    runs = {}
    for q in queries:
        query = Query(case_ids=[q["query_case"]] if q.get("query_case") else [],
                      text=gate_text(q["query_text"], settings) if q.get("query_text") else None,
                      k=k, signals=signals, explain=False)
        runs[q["qid"]] = [r["case_id"] for r in engine.similar(query)]
    return runs


def evaluate(data_dir: Path | None = None, write: bool = True) -> dict:
    from casusgraaf.graph import open_store
    from casusgraaf.search.similar import SearchEngine
    from casusgraaf.services.ingest import ingest_paths

    queries = load_queries()
    scratch = None
    if data_dir is None:
        scratch = tempfile.TemporaryDirectory(prefix="casusgraaf-eval-")
        data_dir = Path(scratch.name) / "data"
    base = get_settings(data_dir=data_dir, graph_uri=None)
    store = open_store(base)
    try:
        ingest_paths(store, base, [SAMPLE_DIR])
        engine = SearchEngine(store, base)
        results: dict[str, dict] = {}
        for sig in ("dense", "lexical", "structural"):
            results[sig] = score_runs(run_config(engine, queries, (sig,), base), queries)
        grid, grid_q = {}, {}
        for wd, wl, ws in itertools.product((0.3, 0.4, 0.5, 0.6), (0.1, 0.2, 0.3), (0.2, 0.3, 0.4)):
            s = base.model_copy(update=dict(fusion="weighted", weight_dense=wd, weight_lexical=wl, weight_structural=ws))
            grid_q[(wd, wl, ws)] = per_query(run_config(engine, queries, ("dense", "lexical", "structural"), s),
                                             queries)
            grid[(wd, wl, ws)] = mean(grid_q[(wd, wl, ws)])
        # Two-fold cross-validation: pick weights on one half, measure on the other (an honest number).
        qids = [q["qid"] for q in queries]
        folds = [qids[0::2], qids[1::2]]
        cv: dict[str, dict[str, float]] = {}
        for train, test in ((folds[0], folds[1]), (folds[1], folds[0])):
            pick = max(grid_q, key=lambda w: mean(grid_q[w], train)["ndcg@5"])
            for q in test:
                cv[q] = grid_q[pick][q]
        results["rrf"] = score_runs(run_config(engine, queries, ("dense", "lexical", "structural"),
                                               base.model_copy(update=dict(fusion="rrf"))), queries)
        default = (base.weight_dense, base.weight_lexical, base.weight_structural)
        if default not in grid:
            grid[default] = score_runs(run_config(engine, queries, ("dense", "lexical", "structural"),
                                                  base.model_copy(update=dict(fusion="weighted"))), queries)
        results["fusion (default weights)"] = grid[default]
        results["fusion (weights picked by 2-fold cross-validation)"] = mean(cv)
        best = max(grid, key=lambda w: grid[w]["ndcg@5"])
        results[f"fusion (best of grid {best})"] = grid[best]
    finally:
        store.close()
        if scratch:
            scratch.cleanup()
    report = {"queries": len(queries), "text_queries": sum(1 for q in queries if q.get("query_text")),
              "results": results, "default_weights": default, "best_grid_weights": best}
    if write:
        write_section("docs/QUALITY.md", "search", _markdown(report))
    return report


def _markdown(report: dict) -> str:
    lines = [
        "## Similar-case search",
        "",
        f"Labelled set: `tests/data/similar_eval.jsonl`, {report['queries']} queries "
        f"({report['text_queries']} new case descriptions as text, the rest existing cases), graded 1–3 "
        "by what a regievoerder would want to see. Corpus: `casusgraaf/sample` (see docs/SAMPLE.md). "
        "Measured by `python -m tools.quality_search`.",
        "",
        "| method | nDCG@5 | P@5 | MRR |",
        "|---|---|---|---|",
    ]
    for name, m in report["results"].items():
        lines.append(f"| {name} | {m['ndcg@5']:.3f} | {m['p@5']:.3f} | {m['mrr']:.3f} |")
    lines += [
        "",
        f"Default weights (dense, lexical, structural) = {report['default_weights']}; the best point of the "
        f"36-point grid was {report['best_grid_weights']}. Weights tuned on the same queries they are "
        "reported on are optimistic; the cross-validated row (weights chosen on half the queries, scored on "
        "the other half) is the honest estimate of the fused method. The queries were written together "
        "with the corpus, so text queries share more vocabulary with their targets than a regievoerder's "
        "fresh description would: the lexical signal looks stronger here than it will on new cases.",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    report = evaluate(args.data_dir, write=not args.no_write)
    print(json.dumps({k: v for k, v in report["results"].items()}, indent=2))


if __name__ == "__main__":
    main()
