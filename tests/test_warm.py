"""Warm start and the CLI through a running server: health says ``warming`` until the models are loaded, a
search that comes in meanwhile waits and answers; ``serve`` announces itself in ``api.json`` and the CLI's
``extract``/``similar`` use it (asserted by the server's own request log, not by timing)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time

import pytest
from fastapi.testclient import TestClient

from casusgraaf.accounts import AccountStore
from casusgraaf.api.app import create_app
from casusgraaf.cli._remote import API_FILE, announce, server_url
from tests.conftest import REPO, make_settings
from tests.procs import served

TEXT = ("Na afwijzing van de Wajong-aanvraag door het UWV vroeg de gemeente bijzondere bijstand aan op grond "
        "van artikel 35 Participatiewet.")


def test_health_warming_then_ok_and_a_search_during_warming_waits(corpus_env):
    settings, store, _ = corpus_env
    app = create_app(settings.model_copy(update={"warm_start": True}), store=store)
    app.state.engine_lock.acquire()  # hold the warm-up at its first step
    released = False
    try:
        with TestClient(app) as client:
            assert client.get("/api/health").json()["status"] == "warming"
            answer: dict = {}

            def search():
                answer["res"] = client.get("/api/search", params={"q": "woonplaatsbeginsel"})

            waiting = threading.Thread(target=search)
            waiting.start()
            waiting.join(1.0)
            assert waiting.is_alive() and "res" not in answer  # it waits for the warm-up, it does not fail
            app.state.engine_lock.release()
            released = True
            assert app.state.warm.done.wait(300)
            waiting.join(300)
            assert answer["res"].status_code == 200 and answer["res"].json()["total"] >= 3
            assert client.get("/api/health").json()["status"] == "ok"
            warm = app.state.warm
            assert warm.error is None and set(warm.seconds) == {"privacy", "embedder", "engine", "search"}
            assert app.state.engine is not None
    finally:
        if not released:
            app.state.engine_lock.release()


def test_health_is_ok_without_warm_start(fresh_env):
    settings, store = fresh_env
    with TestClient(create_app(settings.model_copy(update={"warm_start": False}), store=store)) as client:
        assert client.get("/api/health").json()["status"] == "ok"


# -- discovery ------------------------------------------------------------------------------------

def test_api_json_found_only_for_a_live_process_with_the_same_settings(tmp_path):
    settings = make_settings(tmp_path / "data")
    assert server_url(settings) is None
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        with announce(settings, "0.0.0.0", 8123):
            path = settings.data_dir / API_FILE
            assert oct(path.stat().st_mode & 0o777) == "0o600"
            info = json.loads(path.read_text())
            assert info["host"] == "127.0.0.1" and info["port"] == 8123
            assert server_url(settings) is None  # written by this very process: never talk to ourselves
            path.write_text(json.dumps({**info, "pid": sleeper.pid}))
            assert server_url(settings) == "http://127.0.0.1:8123"
            assert server_url(settings.model_copy(update={"privacy_hard": "redact"})) is None  # other answers
            assert server_url(settings.model_copy(update={"use_server": False})) is None
        assert path.exists()  # not ours any more (another pid): left alone
        sleeper.kill()
        sleeper.wait()
        assert server_url(settings) is None  # stale: the process is gone
    finally:
        sleeper.kill()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(settings) -> dict:
    env = dict(os.environ, CASUSGRAAF_DATA_DIR=str(settings.data_dir), CASUSGRAAF_CACHE_DIR=str(settings.cache_dir))
    env.pop("CASUSGRAAF_USE_SERVER", None)
    return env


def test_serve_writes_api_json_and_removes_it_at_stop(tmp_path):
    settings = make_settings(tmp_path / "data")
    port = _free_port()
    env = dict(_env(settings), CASUSGRAAF_WARM_START="false")
    proc = subprocess.Popen([sys.executable, "-m", "casusgraaf", "serve", "--port", str(port)], env=env, cwd=REPO,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        path = settings.data_dir / API_FILE
        deadline = time.monotonic() + 120
        while not path.exists() and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.2)
        info = json.loads(path.read_text())
        assert info["pid"] == proc.pid and info["port"] == port
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(60)
    assert not path.exists()


# -- the CLI through a running server -----------------------------------------------------------------

@pytest.fixture
def running_server(corpus_env):
    """The app served by uvicorn in this process, announced in the corpus data dir, with a request log."""
    settings, store, _ = corpus_env
    settings = settings.model_copy(update={"warm_start": True})  # the CLI should find a warm server
    # With an account the server is out of lokale modus: the CLI must get in with the token of api.json.
    accounts = AccountStore(settings.data_dir)
    added = accounts.empty()  # the session's corpus is shared: leave it in lokale modus afterwards
    if added:
        accounts.add("warmtest", ["analist"], "een-lang-testwachtwoord")
    app = create_app(settings, store=store)
    seen: list[tuple[str, str, str | None, int]] = []

    @app.middleware("http")
    async def _log(request, call_next):
        response = await call_next(request)
        seen.append((request.method, request.url.path, request.headers.get("x-casusgraaf-client"),
                     response.status_code))
        return response

    try:
        with served(app) as base:
            port = int(base.rsplit(":", 1)[1])
            with announce(settings, "127.0.0.1", port) as token:  # this process's pid: the CLI children find it
                app.state.cli_token = token  # as `casusgraaf serve` does
                assert app.state.warm.done.wait(300)
                yield settings, seen
            assert not (settings.data_dir / API_FILE).exists()
    finally:
        if added:
            accounts.path.unlink()


def _cli(settings, *args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "casusgraaf", *args], env=_env(settings), cwd=REPO,
                          capture_output=True, text=True, timeout=300)


def test_cli_extract_and_similar_use_the_running_server(running_server):
    settings, seen = running_server
    out = _cli(settings, "extract", "--text", TEXT, "--json")
    assert out.returncode == 0, out.stderr
    found = {(e["type"], e["canonical"]) for e in json.loads(out.stdout)["entities"]}
    assert {("wet", "Wajong"), ("organisatie", "UWV"), ("wet", "Participatiewet")} <= found
    assert ("POST", "/api/extract", "cli", 200) in seen  # answered by the server, not in-process after a 401

    refused = _cli(settings, "extract", "--text", "Bel Pieter de Vries op 06-12345678.")
    assert refused.returncode == 2 and "persoonsgegevens" in refused.stderr and "06-12345678" not in refused.stderr
    assert len([s for s in seen if s[1] == "/api/extract"]) == 2

    sim = _cli(settings, "similar", "--text", "Een remigrant zonder zorgverzekering; het CAK en de gemeente "
                                              "wisten niet wie moest betalen.", "--k", "3", "--json")
    assert sim.returncode == 0, sim.stderr
    assert len(json.loads(sim.stdout)["results"]) == 3
    assert ("POST", "/api/similar", "cli", 200) in seen
