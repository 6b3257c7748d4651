"""Limits on analyst Cypher are enforced by the engine: a query stops at CASUSGRAAF_CYPHER_TIMEOUT, the
row limit goes with the query, the CLI says so in Dutch (exit 2), and no graph server is left behind busy
or orphaned. Real CLI processes and real redis-server processes against a graph of a few hundred nodes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from casusgraaf.config import Settings
from casusgraaf.graph import QueryTimeout, open_store
from casusgraaf.graph.guard import run_readonly, with_row_limit
from casusgraaf.graph.server import server_status, stop_server
from tests.procs import redis_pids

pytestmark = pytest.mark.slow  # subprocess CLIs against a heavy graph: whole seconds per case

REPO = Path(__file__).resolve().parent.parent
N_NODES = 300  # 300^4 = 8.1e9 rows for a four-way cartesian product
HEAVY = {
    # the engine stops it between records
    "cartesian": "MATCH (a),(b),(c),(d) RETURN count(*) AS n",
    # materialises 10^8 values before the first record: the engine notices its limit only afterwards
    "range": "UNWIND range(1, 100000000) AS x RETURN count(x) AS n",
    # one expression of ~10^10 steps (many minutes): the engine never checks its limit inside it, so only
    # the client-side deadline ends the wait; the CLI's server must still stop with it
    "expression": "RETURN size([x IN range(1, 100000) WHERE size([y IN range(1, 100000) WHERE y = x]) > 0]) AS n",
}
NORMAL = "MATCH (c:Casus) RETURN count(c) AS n"




@pytest.fixture(scope="module")
def settings(tmp_path_factory):
    s = Settings(data_dir=tmp_path_factory.mktemp("limits") / "data", graph_uri=None)
    with open_store(s) as store:
        store.ensure_schema()
        store.write("UNWIND $rows AS row CREATE (:Casus {id: row.id, jaar: row.jaar})",
                    [{"id": f"c{i:04d}", "jaar": 2020 + i % 5} for i in range(N_NODES)])
    assert redis_pids(s) == []
    yield s
    if redis_pids(s):  # a failed test may leave one behind; never leak it into the rest of the run
        stop_server(s, force=True)
    assert redis_pids(s) == []


@pytest.fixture
def shared(settings):
    """A store held open by the test process: the server outlives each CLI call (as with `serve`)."""
    store = open_store(settings)
    yield store
    store.close()


def cli(settings: Settings, *args: str, timeout: str = "1", **popen) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASUSGRAAF_GRAPH")}
    env.update(CASUSGRAAF_DATA_DIR=str(settings.data_dir), CASUSGRAAF_CYPHER_TIMEOUT=timeout)
    # 120 s is a hang guard, not a measurement: without the fixes the expression query holds the CLI for minutes
    return subprocess.run([sys.executable, "-m", "casusgraaf", *args], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=120, **popen)


def assert_timeout_message(out: subprocess.CompletedProcess) -> None:
    assert out.returncode == 2, out.stderr[-2000:]
    message = json.loads(out.stdout)["error"]
    # the engine stopped it: by the time limit, or (a huge range) by the query memory cap, whichever came first
    timed_out = "langer dan de ingestelde limiet van 1 s" in message and "CASUSGRAAF_CYPHER_TIMEOUT" in message
    too_big = "meer geheugen dan de ingestelde limiet" in message and "CASUSGRAAF_CYPHER_MEMORY_MB" in message
    assert timed_out or too_big, message
    assert "LIMIT" in message  # says what to do
    assert "Traceback" not in out.stdout + out.stderr


@pytest.mark.parametrize("query", HEAVY.values(), ids=HEAVY.keys())
def test_cli_stops_a_heavy_query_and_leaves_no_server(settings, query):
    assert redis_pids(settings) == []
    out = cli(settings, "cypher", query, "--json")
    assert_timeout_message(out)
    assert redis_pids(settings) == []  # the CLI's server stopped with it: not busy, not orphaned
    again = cli(settings, "cypher", NORMAL, "--json")
    assert again.returncode == 0, again.stderr[-2000:]
    assert json.loads(again.stdout)["rows"] == [{"n": N_NODES}]
    assert redis_pids(settings) == []


@pytest.mark.parametrize("name", ["cartesian", "range"])
def test_shared_server_answers_right_after_a_timeout(settings, shared, name):
    pid = server_status(settings)["pid"]
    out = cli(settings, "cypher", HEAVY[name], "--json")
    assert_timeout_message(out)
    assert redis_pids(settings) == [pid]  # still up for the other user, and the same process
    assert shared.read(NORMAL) == [{"n": N_NODES}]
    assert run_readonly(shared, NORMAL, timeout=1) == [{"n": N_NODES}]


def test_sigterm_during_a_query_still_stops_the_server(settings):
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASUSGRAAF_GRAPH")}
    env.update(CASUSGRAAF_DATA_DIR=str(settings.data_dir), CASUSGRAAF_CYPHER_TIMEOUT="600")
    proc = subprocess.Popen([sys.executable, "-m", "casusgraaf", "cypher", HEAVY["cartesian"], "--json"],
                            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        lease = settings.graph_dir / "clients" / str(proc.pid)
        deadline = time.monotonic() + 60
        while not lease.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert lease.exists(), "the CLI never took its lease"
        time.sleep(0.5)  # let the query reach the server
        proc.send_signal(signal.SIGTERM)  # what `timeout`, `kill` and service managers send
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode != 0
    assert not lease.exists()
    assert redis_pids(settings) == []  # SIGTERM released the lease and the last user stopped the server


def test_row_limit_goes_with_the_query(shared):
    # 8.1e9 rows without a LIMIT: only an engine-side limit answers this within the timeout
    rows = run_readonly(shared, "MATCH (a),(b),(c),(d) RETURN a.id AS a, d.id AS d", limit=5, timeout=1)
    assert len(rows) == 5 and rows.truncated
    ordered = run_readonly(shared, "MATCH (c:Casus) RETURN c.id AS id ORDER BY id DESC", limit=3, timeout=1)
    assert ordered == [{"id": "c0299"}, {"id": "c0298"}, {"id": "c0297"}] and ordered.truncated
    own = run_readonly(shared, "MATCH (c:Casus) RETURN c.id AS id ORDER BY id LIMIT 2", limit=3, timeout=1)
    assert own == [{"id": "c0000"}, {"id": "c0001"}] and not own.truncated
    exact = run_readonly(shared, "MATCH (c:Casus) WHERE c.jaar = 2020 RETURN c.id AS id", limit=60, timeout=1)
    assert len(exact) == 60 and not exact.truncated  # 300 / 5 years: exactly the limit is not "cut"
    union = run_readonly(shared, "MATCH (c:Casus) RETURN c.id AS id UNION ALL MATCH (c:Casus) RETURN c.id AS id",
                         limit=10, timeout=1)
    assert len(union) == 10 and union.truncated  # not rewritten, cut on our side
    labels = run_readonly(shared, "CALL db.labels() YIELD label RETURN label", limit=100, timeout=1)
    assert {"label": "Casus"} in labels and 1 < len(labels) < 100 and not labels.truncated  # schema labels too
    first = run_readonly(shared, "CALL db.labels() YIELD label RETURN label", limit=1, timeout=1)
    assert len(first) == 1 and first.truncated


@pytest.mark.parametrize(("query", "expected"), [
    ("MATCH (c:Casus) RETURN c.id", "MATCH (c:Casus) RETURN c.id\nLIMIT 11"),
    ("MATCH (c) RETURN c.id AS id ORDER BY id SKIP 2  ", "MATCH (c) RETURN c.id AS id ORDER BY id SKIP 2\nLIMIT 11"),
    ("MATCH (c) RETURN c.limit AS x // no LIMIT here", "MATCH (c) RETURN c.limit AS x // no LIMIT here\nLIMIT 11"),
    ("RETURN 'LIMIT 1' AS s", "RETURN 'LIMIT 1' AS s\nLIMIT 11"),
    ("MATCH (n) WITH n LIMIT 3 RETURN n", "MATCH (n) WITH n LIMIT 3 RETURN n\nLIMIT 11"),
    ("MATCH (n) CALL { WITH n RETURN n.id AS id LIMIT 1 } RETURN id",
     "MATCH (n) CALL { WITH n RETURN n.id AS id LIMIT 1 } RETURN id\nLIMIT 11"),
    ("MATCH (c) RETURN c LIMIT 5", None),
    ("MATCH (c) RETURN c ORDER BY c.id limit $n", None),
    ("RETURN 1 AS x UNION RETURN 2 AS x", None),
    ("CALL db.labels()", None),
    ("MATCH (c) WITH c", None),
    ("RETURN 1;", None),
    ("RETURN 1 /* open comment", None),
    ("RETURN 'open string", None),
    ("RETURN [1, 2", None),
])
def test_with_row_limit(query, expected):
    assert with_row_limit(query, 10) == expected


def test_writes_are_not_bound_by_the_analyst_timeout(shared):
    # The engine has no default or maximum timeout of its own, so only the analyst reads that carry one
    # (GRAPH.RO_QUERY ... timeout) can be stopped; ingest writes and application reads never are.
    config = dict(shared._conn.execute_command("GRAPH.CONFIG", "GET", "*"))
    assert config["TIMEOUT_DEFAULT"] == 0 and config["TIMEOUT_MAX"] == 0 and config["TIMEOUT"] == 0
    with pytest.raises(QueryTimeout):
        shared.read(HEAVY["cartesian"], timeout=0.001)
    try:
        assert shared.write("UNWIND $rows AS row UNWIND range(1, 100) AS i CREATE (:Tijdelijk {g: row.g, i: i})",
                            [{"g": g} for g in range(1000)], batch_size=1000) == 1000
        assert shared.read("MATCH (t:Tijdelijk) RETURN count(t) AS n") == [{"n": 100_000}]
    finally:
        shared.run("MATCH (t:Tijdelijk) DELETE t")
    assert shared.read("MATCH (t:Tijdelijk) RETURN count(t) AS n") == [{"n": 0}]
