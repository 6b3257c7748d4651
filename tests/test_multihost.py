"""More than one app host (issue 14, point 7): two real ``casusgraaf serve`` processes share one data dir (one
graph server); a case ingested while both run is found by similar search through each of them. The one indexer
is the writing process (a CLI ingest here): the API hosts only load the index change log by generation and
never write the indexes themselves (the manifest's sequence number moves only with the ingest)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time

import httpx
import pytest

from casusgraaf.search.indexes import Indexes
from tests.conftest import REPO, make_settings
from tests.procs import redis_pids

FIRST = [
    {"id": "mh-1", "jaar": 2024, "tekst": "De gemeente Eikendam vroeg het Loket mee te denken over bijzondere "
     "bijstand naast een Wajong-uitkering van het UWV. De jongere had schulden en dreigde zijn kamer te verliezen.",
     "wetten": ["Participatiewet"], "leefgebieden": ["financiën"]},
    {"id": "mh-2", "jaar": 2023, "tekst": "Een jongere zonder zorgverzekering kwam na terugkeer uit het buitenland "
     "niet in aanmerking voor jeugdhulp; de zorgverzekeraar en de gemeente wezen naar elkaar.",
     "wetten": ["Zvw", "Jeugdwet"], "leefgebieden": ["zorg"]},
]
NEW = {"id": "mh-3", "jaar": 2025, "tekst": "Een jongvolwassene met een Wajong-uitkering van het UWV vroeg bij de "
       "gemeente bijzondere bijstand aan voor schulden; zonder hulp verloor hij zijn kamer.",
       "wetten": ["Participatiewet"], "leefgebieden": ["financiën", "wonen"]}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _cli(env: dict, *args: str) -> dict:
    out = subprocess.run([sys.executable, "-m", "casusgraaf", *args, "--json"], env=env, cwd=REPO,
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout)


def _wait_ok(url: str, proc: subprocess.Popen, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else "serve stopped"
        try:
            if httpx.get(url + "/api/health", timeout=5).json().get("status") == "ok":
                return
        except (httpx.HTTPError, ValueError):
            pass
        time.sleep(0.5)
    raise AssertionError(f"{url} not healthy after {timeout} s")


def _similar_ids(url: str, case_id: str) -> list[str]:
    res = httpx.get(f"{url}/api/cases/{case_id}/similar", params={"k": 5}, timeout=300)
    assert res.status_code == 200, res.text
    body = res.json()
    return [r["case_id"] for r in body["results"]]


@pytest.mark.slow
def test_two_api_hosts_share_one_graph_and_find_a_case_saved_meanwhile(tmp_path):
    settings = make_settings(tmp_path / "data")
    env = dict(os.environ, CASUSGRAAF_DATA_DIR=str(settings.data_dir), CASUSGRAAF_CACHE_DIR=str(settings.cache_dir),
               CASUSGRAAF_WARM_START="false", CASUSGRAAF_USE_SERVER="false")
    src = tmp_path / "eerst.jsonl"
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in FIRST), encoding="utf-8")
    assert _cli(env, "ingest", str(src))["ingested"] == 2
    indexes = Indexes(settings)
    seq0 = indexes.manifest()["seq"]

    ports = [_free_port(), _free_port()]
    hosts = [subprocess.Popen([sys.executable, "-m", "casusgraaf", "serve", "--port", str(p)], env=env, cwd=REPO,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) for p in ports]
    urls = [f"http://127.0.0.1:{p}" for p in ports]
    try:
        for url, proc in zip(urls, hosts, strict=True):
            _wait_ok(url, proc)
        for url in urls:  # each host has its engine loaded before the write (as a running server has)
            assert "mh-2" in _similar_ids(url, "mh-1")
        assert len(redis_pids(settings)) == 1  # one graph server for both hosts

        new = tmp_path / "nieuw.jsonl"
        new.write_text(json.dumps(NEW, ensure_ascii=False) + "\n", encoding="utf-8")
        assert _cli(env, "ingest", str(new))["ingested"] == 1  # while both hosts run
        seq1 = indexes.manifest()["seq"]
        assert seq1 == seq0 + 1  # the ingest updated the indexes by one change set (a delta, no rebuild)

        for url in urls:  # found through either host, by its own id and as a neighbour of an older case
            assert _similar_ids(url, "mh-1")[0] == "mh-3"
            assert set(_similar_ids(url, "mh-3")) == {"mh-1", "mh-2"}
        assert indexes.manifest()["seq"] == seq1  # the API hosts read the change log; they wrote no index
    finally:
        for proc in hosts:
            proc.send_signal(signal.SIGTERM)
        for proc in hosts:
            proc.wait(60)
    deadline = time.monotonic() + 30
    while redis_pids(settings) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert redis_pids(settings) == []  # the last host to stop shut the shared graph server down
