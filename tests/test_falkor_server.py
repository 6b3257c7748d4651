"""The embedded FalkorDB server: started on first use, shared by processes, stopped by the last one,
durable across restarts and ``kill -9``, private to its owner. Real redis-server processes, no mocks."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from casusgraaf.config import Settings
from casusgraaf.graph import ConstraintError, GraphError, GraphUnavailable, open_store
from casusgraaf.graph.guard import run_readonly
from casusgraaf.graph.server import ensure_server, pid_alive, release, server_status, stop_server
from tests.procs import redis_pids

REPO = Path(__file__).resolve().parent.parent




@pytest.fixture
def settings(tmp_path):
    s = Settings(data_dir=tmp_path / "data", graph_uri=None, graph_name="srv")
    yield s
    if redis_pids(s):  # never leave a server behind, even when a test failed half-way
        stop_server(s, force=True)
    assert redis_pids(s) == [], "redis-server left running"


CHILD = """
import sys
from pathlib import Path
from casusgraaf.config import Settings
from casusgraaf.graph import open_store
from casusgraaf.graph.server import server_status
s = Settings(data_dir=Path(sys.argv[1]), graph_uri=None, graph_name="srv")
store = open_store(s)
store.run("MERGE (:Casus {id: 'child'})")
print(server_status(s)["pid"], flush=True)
sys.stdin.readline()                      # wait for the parent
print(store.read("MATCH (c:Casus) RETURN count(c) AS n")[0]["n"], flush=True)
sys.stdin.readline()
store.close()
"""


def start_child(settings: Settings) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", CHILD, str(settings.data_dir)], cwd=REPO, text=True,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE)


def test_starts_on_first_use_and_stops_on_close(settings):
    assert server_status(settings)["running"] is False
    store = open_store(settings)
    status = server_status(settings)
    assert status["running"] and status["leases"] == [os.getpid()]
    assert redis_pids(settings) == [status["pid"]]
    store.run("CREATE (:Casus {id: 'a'})")
    store.close()
    store.close()  # twice is harmless
    assert redis_pids(settings) == []
    assert server_status(settings)["running"] is False
    assert not (settings.graph_dir / "clients" / str(os.getpid())).exists()


def test_nested_stores_in_one_process_share_one_lease(settings):
    outer = open_store(settings)
    with open_store(settings) as inner:
        inner.run("CREATE (:Casus {id: 'a'})")
    assert len(redis_pids(settings)) == 1  # the outer store still uses it
    assert outer.read("MATCH (c:Casus) RETURN c.id AS id") == [{"id": "a"}]
    outer.close()
    assert redis_pids(settings) == []


def test_two_processes_share_one_server(settings):
    store = open_store(settings)
    store.run("MERGE (:Casus {id: 'parent'})")
    child = start_child(settings)
    try:
        child_pid_of_server = int(child.stdout.readline())
        status = server_status(settings)
        assert child_pid_of_server == status["pid"]
        assert redis_pids(settings) == [status["pid"]]
        assert sorted(status["leases"]) == sorted([os.getpid(), child.pid])
        store.close()  # the child still holds a lease: the server must stay up
        assert redis_pids(settings) == [status["pid"]]
        child.stdin.write("go\n")
        child.stdin.flush()
        assert int(child.stdout.readline()) == 2
        child.stdin.write("done\n")
        child.stdin.flush()
        assert child.wait(timeout=30) == 0
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert redis_pids(settings) == []  # the last user stopped it


def test_data_survives_clean_restart(settings):
    with open_store(settings) as store:
        store.ensure_schema()
        store.write("UNWIND $rows AS row CREATE (:Casus {id: row.id, tekst: row.t})",
                    [{"id": str(i), "t": "ë€"} for i in range(100)])
    assert redis_pids(settings) == []
    with open_store(settings) as store:
        assert store.read("MATCH (c:Casus) RETURN count(c) AS n, collect(DISTINCT c.tekst) AS t") == [
            {"n": 100, "t": ["ë€"]}]
        constraints = store.read("CALL db.constraints() YIELD label, status RETURN label, status")
        assert {"label": "Casus", "status": "OPERATIONAL"} in constraints


def test_data_survives_kill_9(settings):
    store = open_store(settings)
    store.write("UNWIND $rows AS row CREATE (:Casus {id: row.id})", [{"id": str(i)} for i in range(50)])
    pid = server_status(settings)["pid"]
    time.sleep(1.5)  # appendfsync everysec
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while pid_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert (settings.graph_dir / "redis.pid").exists()  # stale pidfile left by the crash
    with pytest.raises(GraphError, match="niet bereikbaar"):
        store.read("RETURN 1 AS x")
    with open_store(settings) as again:  # detects the stale pidfile, starts a new server, replays the AOF
        assert server_status(settings)["pid"] != pid
        assert again.read("MATCH (c:Casus) RETURN count(c) AS n") == [{"n": 50}]
    store.close()
    assert redis_pids(settings) == []


def test_stale_lease_and_pidfile_are_ignored(settings):
    gdir = settings.graph_dir
    (gdir / "clients").mkdir(parents=True)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, check=True)
    dead_pid = int(dead.stdout)
    (gdir / "clients" / str(dead_pid)).write_text(json.dumps({"pid": dead_pid}))
    # a live pid with another start time is a reused pid: also stale
    (gdir / "clients" / str(os.getppid())).write_text(json.dumps({"pid": os.getppid(), "start": "0"}))
    (gdir / "redis.pid").write_text(f"{dead_pid}\n")
    with open_store(settings) as store:
        store.run("CREATE (:Casus {id: 'a'})")
        assert server_status(settings)["leases"] == [os.getpid()]
    assert redis_pids(settings) == []
    assert list((gdir / "clients").iterdir()) == []


def test_stop_server_respects_other_leases(settings):
    sleeper = subprocess.Popen(["sleep", "60"])
    try:
        ensure_server(settings)
        from casusgraaf.graph.server import _start_time

        lease = settings.graph_dir / "clients" / str(sleeper.pid)
        lease.write_text(json.dumps({"pid": sleeper.pid, "start": _start_time(sleeper.pid)}))
        release(settings)  # our lease goes, the sleeper's keeps the server up
        assert len(redis_pids(settings)) == 1
        with pytest.raises(GraphError, match="in gebruik"):
            stop_server(settings)
        assert stop_server(settings, force=True) is True
        assert redis_pids(settings) == []
        assert stop_server(settings) is False  # nothing left to stop
    finally:
        sleeper.kill()
        sleeper.wait()


def test_files_are_private(settings):
    with open_store(settings) as store:
        store.run("CREATE (:Casus {id: 'a'})")
        gdir = settings.graph_dir
        sock = Path(server_status(settings)["socket"])
        assert stat.S_ISSOCK(sock.stat().st_mode)
        assert sock.stat().st_mode & 0o077 == 0
        assert gdir.stat().st_mode & 0o077 == 0
        conf = (gdir / "redis.conf").read_text()
        assert "port 0" in conf and "appendonly yes" in conf and "appendfsync everysec" in conf
    for path in gdir.rglob("*"):
        assert path.stat().st_mode & 0o077 == 0, f"{path} is readable by others"


def test_long_data_dir_gets_a_short_private_socket(tmp_path):
    settings = Settings(data_dir=tmp_path / ("x" * 120) / "data", graph_uri=None, graph_name="srv")
    try:
        with open_store(settings) as store:
            assert store.read("RETURN 1 AS x") == [{"x": 1}]
            sock = Path(server_status(settings)["socket"])
            assert len(str(sock)) < 100 and sock.parent.stat().st_mode & 0o077 == 0
    finally:
        if redis_pids(settings):
            stop_server(settings, force=True)
    assert redis_pids(settings) == []


def test_start_failure_names_the_logfile(settings):
    settings.graph_dir.mkdir(parents=True)
    (settings.graph_dir / "appendonlydir").write_text("not a directory")  # redis cannot open its AOF dir
    with pytest.raises(GraphUnavailable) as err:
        ensure_server(settings, timeout=15)
    assert "redis.log" in str(err.value) and err.value.status == 503
    assert redis_pids(settings) == []


def test_unusable_data_dir_is_unavailable_not_a_crash(tmp_path):
    (tmp_path / "data").write_text("a file where the data dir should be")
    settings = Settings(data_dir=tmp_path / "data", graph_uri=None, graph_name="srv")
    with pytest.raises(GraphUnavailable) as err:
        open_store(settings)
    assert "CASUSGRAAF_DATA_DIR" in str(err.value) and err.value.status == 503


# -- a server that went away: every path says 503 "niet bereikbaar", none leaks a redis exception ----------

def test_graph_down_is_unavailable_on_every_path(settings):
    store = open_store(settings)
    store.ensure_schema()
    store.run("CREATE (:Casus {id: 'a'})")
    assert stop_server(settings, force=True) is True
    calls = {
        "read": lambda: store.read("MATCH (c:Casus) RETURN c.id AS id"),
        "read with timeout": lambda: run_readonly(store, "MATCH (c:Casus) RETURN c.id AS id", timeout=1),
        "run": lambda: store.run("MERGE (:Casus {id: 'b'})"),
        "write": lambda: store.write("UNWIND $rows AS row MERGE (:Casus {id: row.id})", [{"id": "b"}]),
        "ensure_schema": store.ensure_schema,
        "clear": store.clear,
    }
    for name, call in calls.items():
        with pytest.raises(GraphUnavailable) as err:
            call()
        assert err.value.status == 503, name
        assert "niet bereikbaar" in str(err.value), name
    store.close()
    with pytest.raises(GraphUnavailable, match="gesloten"):  # a closed store is no 500 either
        store.read("RETURN 1")
    assert redis_pids(settings) == []


def test_api_answers_503_in_dutch_when_the_graph_is_down(settings):
    from fastapi.testclient import TestClient

    from casusgraaf.api.app import create_app

    store = open_store(settings)
    try:
        with TestClient(create_app(settings, store=store)) as client:
            assert client.get("/api/health").status_code == 200
            assert stop_server(settings, force=True) is True
            for method, url, body in [("GET", "/api/health", None), ("GET", "/api/cases", None),
                                      ("GET", "/api/cases/2024-001", None),
                                      ("POST", "/api/cypher", {"query": "MATCH (c:Casus) RETURN count(c) AS n"})]:
                response = client.request(method, url, json=body)
                assert response.status_code == 503, url
                assert "niet bereikbaar" in response.json()["detail"], url
    finally:
        store.close()
    assert redis_pids(settings) == []


# -- unique constraints: success only when they are really OPERATIONAL -----------------------------------

def _constraints_reported_as(store, monkeypatch, status: str | None):
    """Make db.constraints() report the Casus.id constraint as ``status`` (None: not listed at all); every
    other answer, and every other constraint, is the real one."""
    real_read = store.read

    def read(query, params=None, **kw):
        rows = real_read(query, params, **kw)
        if "db.constraints" not in query:
            return rows
        out = [r for r in rows if r["label"] != "Casus"]
        return out + ([{**r, "status": status} for r in rows if r["label"] == "Casus"] if status else [])

    monkeypatch.setattr(store, "read", read)


@pytest.mark.parametrize(("status", "shown"), [("PENDING", "Casus.id (PENDING)"), (None, "Casus.id (MISSING)")])
def test_constraint_not_ready_is_an_error_not_success(settings, monkeypatch, status, shown):
    from casusgraaf.graph import falkor

    monkeypatch.setattr(falkor, "CONSTRAINT_WAIT", 0.2, raising=False)
    with open_store(settings) as store:
        _constraints_reported_as(store, monkeypatch, status)
        for _ in range(2):  # while creating it, and on a later call when it already exists
            with pytest.raises(ConstraintError) as err:
                store.ensure_schema()
            message = str(err.value)
            assert shown in message and "Wet.naam" not in message  # names exactly the one that is not ready
            assert "opnieuw" in message and "redis.log" in message  # and what to do
        monkeypatch.undo()
        store.ensure_schema()  # the real state: all OPERATIONAL, no error
