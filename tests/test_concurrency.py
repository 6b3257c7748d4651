"""A running server and a CLI ingest share one embedded graph; the server sees the new case, and the
CLI process leaves the shared graph server running for the server that still uses it."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from casusgraaf.graph.server import server_status
from casusgraaf.search.similar import Query, SearchEngine
from casusgraaf.services.ingest import ingest_paths


@pytest.mark.slow
def test_cli_ingest_while_engine_is_loaded(fresh_env, tmp_path):
    settings, store = fresh_env
    first = tmp_path / "eerst.jsonl"
    first.write_text(
        '{"id": "a1", "tekst": "Een remigrant zonder zorgverzekering kreeg geen hulp van het CAK."}\n'
        '{"id": "a2", "tekst": "De gemeente weigerde bijzondere bijstand voor een jongere onder de 21."}\n',
        encoding="utf-8")
    ingest_paths(store, settings, [first])
    engine = SearchEngine(store, settings)
    assert {r["case_id"] for r in engine.similar(Query(case_ids=["a1"], k=5, explain=False))} == {"a2"}
    pid_before = server_status(settings).get("pid")

    later = tmp_path / "later.jsonl"
    later.write_text('{"id": "a3", "tekst": "Een teruggekeerde Nederlander had geen zorgverzekering en het CAK '
                     'kon niet helpen."}\n', encoding="utf-8")
    env = dict(os.environ, CASUSGRAAF_DATA_DIR=str(settings.data_dir))
    proc = subprocess.run([sys.executable, "-m", "casusgraaf", "ingest", str(later), "--json"], env=env,
                          capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert json.loads(proc.stdout)["ingested"] == 1

    assert server_status(settings).get("pid") == pid_before, "the CLI must not stop a server still in use"
    ranked = [r["case_id"] for r in engine.similar(Query(case_ids=["a1"], k=5, explain=False))]
    assert ranked[0] == "a3"
