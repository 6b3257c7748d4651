"""Similar-case quality on the labelled set (tests/data/similar_eval.jsonl): floors a little under the
numbers in docs/QUALITY.md, and the fusion must beat every single signal."""

from __future__ import annotations

import pytest

from casusgraaf.search.similar import SearchEngine
from tools.quality_search import load_queries, run_config, score_runs

FLOOR_NDCG5 = 0.90
FLOOR_P5 = 0.60
FLOOR_MRR = 0.95


@pytest.fixture(scope="module")
def measured(corpus_env):
    settings, store, _ = corpus_env
    engine = SearchEngine(store, settings)
    queries = load_queries()
    out = {sig: score_runs(run_config(engine, queries, (sig,), settings), queries)
           for sig in ("dense", "lexical", "structural")}
    out["fusion"] = score_runs(run_config(engine, queries, ("dense", "lexical", "structural"), settings), queries)
    return out


def test_eval_set_is_big_enough():
    queries = load_queries()
    assert len(queries) >= 40
    assert sum(1 for q in queries if q.get("query_text")) >= 20


def test_fusion_floor(measured):
    m = measured["fusion"]
    assert m["ndcg@5"] >= FLOOR_NDCG5, m
    assert m["p@5"] >= FLOOR_P5, m
    assert m["mrr"] >= FLOOR_MRR, m


@pytest.mark.parametrize("signal", ["dense", "lexical", "structural"])
def test_fusion_beats_each_signal(measured, signal):
    assert measured["fusion"]["ndcg@5"] > measured[signal]["ndcg@5"], measured
