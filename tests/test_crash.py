"""Crash safety (issue 14, point 8): ``kill -9`` of the ingest process and of the graph server at random points.

A small, bounded version of ``bench/bench_crash.py`` (the 10k loop whose figures are in docs/RELIABILITY.md):
real ingest subprocesses (real privacy gate and NLP, the benchmark-only stand-in embedder) on a real embedded
FalkorDB, killed alternately in the ingest process and in the graph server; after each kill one fresh start
(``repair_at_start``) must leave graph and indexes agreeing, with no committed case lost.
"""

from __future__ import annotations

import os

import pytest

from bench.bench_crash import crash_loop
from tests.conftest import make_settings
from tests.procs import redis_pids


@pytest.mark.slow
def test_kill_9_loop_loses_no_committed_case_and_one_start_repairs(tmp_path):
    data = tmp_path / "data"
    env = dict(os.environ)
    env.pop("CASUSGRAAF_USE_SERVER", None)
    res = crash_loop(data, n=240, runs=6, seed=11, env=env, worker_timeout=900, batch=8)
    runs = res["runs"]
    kills = [r for r in runs if r.get("killed_after_s") is not None]
    assert {r["kill"] for r in kills} == {"ingest", "server"}, runs  # both kinds of kill happened
    assert len(kills) >= 4, runs
    assert res["cases_lost"] == 0, runs
    for r in runs:
        check = r["check"]
        assert r["start"]["herstel"] in ("niet nodig", "herbouwd"), r  # one step at start, never an error
        assert check["disagreement"] is None, r
        assert not check["engine_rebuilt"], r  # the start repaired it: the engine had nothing left to fix
        assert check["not_in_engine"] == check["not_in_dense"] == check["no_result"] == 0, r
        assert check["index_entries_without_case"] == 0, r
    # at least one kill left the indexes behind the graph, and the start repaired exactly that
    assert any(r["start"]["herstel"] == "herbouwd" for r in kills), runs
    last = runs[-1]
    assert last["kill"] == "none" and last["worker_exit"] == 0
    assert res["records_missing_at_end"] == 0 and last["check"]["cases"] == 240
    assert redis_pids(make_settings(data)) == []  # no server left behind


RECORDS = [
    {"id": "k-1", "jaar": 2024, "tekst": "De gemeente Eikendam vroeg het Loket mee te denken over bijzondere bijstand "
     "naast een Wajong-uitkering van het UWV.", "wetten": ["Participatiewet"]},
    {"id": "k-2", "jaar": 2023, "tekst": "Een jongere zonder zorgverzekering kwam na terugkeer uit het buitenland "
     "niet in aanmerking voor jeugdhulp.", "wetten": ["Jeugdwet"]},
]


def test_repair_at_start_rebuilds_indexes_a_dead_writer_left_behind_and_waits_for_a_live_one(fresh_env):
    """A writer that died after its graph write (the graph ahead, the indexes without its cases) is repaired by the
    next start in one step; while a writer holds its lease the repair leaves the indexes to it."""
    from casusgraaf.ingest import pipeline
    from casusgraaf.ingest.readers import ReadItem
    from casusgraaf.models.records import CaseRecord
    from casusgraaf.search.indexes import Indexes
    from casusgraaf.search.similar import Query, SearchEngine
    from casusgraaf.services.ingest import ingest_items, repair_at_start

    settings, store = fresh_env
    items = [ReadItem("t", i + 1, record=CaseRecord.model_validate(r)) for i, r in enumerate(RECORDS)]
    ingest_items(store, settings, items[:1])
    indexes = Indexes(settings)
    assert indexes.disagreement(store) is None
    seq = indexes.manifest()["seq"]
    pipeline.ingest_items(store, settings, items[1:])  # the graph write only: its process "died" here
    reason = indexes.disagreement(store)
    assert reason and "generatie" in reason and "k-2" not in reason  # counts and generations, never ids or text

    with indexes.writing():  # a live writer: not touched
        assert repair_at_start(store, settings, again=True)["herstel"] == "overgeslagen"
    assert indexes.manifest()["seq"] == seq

    done = repair_at_start(store, settings, again=True)
    assert done["herstel"] == "herbouwd" and done["cases"] == 2
    assert indexes.disagreement(store) is None
    assert repair_at_start(store, settings, again=True)["herstel"] == "niet nodig"  # one step was enough
    engine = SearchEngine(store, settings)
    assert engine.loads == {"full": 1, "delta": 0} and indexes.manifest()["seq"] == seq + 1  # no second rebuild
    assert [r["case_id"] for r in engine.similar(Query(case_ids=["k-2"], explain=False))] == ["k-1"]
