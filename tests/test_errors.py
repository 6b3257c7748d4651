"""Failures are loud and user-facing errors are clean: bad settings stop at start, a broken command module
is not hidden, a knelpunt category that does not resolve is reported, a missing model is retried."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

from casusgraaf.services.ingest import ingest_paths
from casusgraaf.services.search import run_extract
from tests.conftest import make_settings

CLI = str(Path(sys.executable).with_name("casusgraaf"))


def _cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([CLI, *args], capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
                          env={**os.environ, **(env or {})})


def test_invalid_setting_stops_the_command_with_its_name(tmp_path):
    res = _cli("cypher", "RETURN 1", env={"CASUSGRAAF_DATA_DIR": str(tmp_path), "CASUSGRAAF_FUSION": "gemiddeld"})
    assert res.returncode == 2
    assert "CASUSGRAAF_FUSION" in res.stderr and "Traceback" not in res.stderr + res.stdout
    res = _cli("cypher", "RETURN 1", env={"CASUSGRAAF_DATA_DIR": str(tmp_path), "CASUSGRAAF_WEIGHT_DENSE": "-1"})
    assert res.returncode == 2 and "CASUSGRAAF_WEIGHT_DENSE" in res.stderr


def test_a_command_module_that_fails_to_import_is_not_hidden():
    code = (
        "import importlib.abc, sys\n"
        "class Broken(importlib.abc.MetaPathFinder):\n"
        "    def find_spec(self, name, path, target=None):\n"
        "        if name == 'casusgraaf.cli.extract':\n"
        "            raise ModuleNotFoundError('simulated', name=name)\n"
        "sys.meta_path.insert(0, Broken())\n"
        "import casusgraaf.cli\n"
        "print('IMPORTED', sorted(c.name for c in casusgraaf.cli.app.registered_commands))\n")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert res.returncode != 0 and "IMPORTED" not in res.stdout
    assert "ModuleNotFoundError" in res.stderr or "ImportError" in res.stderr


def test_unresolved_knelpunt_category_is_a_warning_naming_the_choices(fresh_env, tmp_path):
    settings, store = fresh_env
    src = tmp_path / "k.jsonl"
    src.write_text(json.dumps({"id": "k-1", "jaar": 2024, "tekst": "De gemeente en het UWV werkten langs elkaar heen.",
                               "knelpunten": [{"taxonomie": "jr2024", "categorie": "Bestaat niet"}]}) + "\n",
                   encoding="utf-8")
    report = ingest_paths(store, settings, [src])
    assert report.ingested == 1
    warnings = [p for p in report.problems if p.kind == "waarschuwing"]
    assert len(warnings) == 1 and f"{src}:1" in warnings[0].where
    assert "Bestaat niet" in warnings[0].reason and "Samenwerking" in warnings[0].reason
    # the knelpunt itself is kept (nothing registered is lost), without a category
    rows = store.run("MATCH (:Casus {id: 'k-1'})-[:HEEFT_KNELPUNT]->(k) "
                     "OPTIONAL MATCH (k)-[:IN_CATEGORIE]->(c) RETURN k.categorie AS cat, c.id AS cid")
    assert rows == [{"cat": "Bestaat niet", "cid": None}]


def test_missing_model_falls_back_loudly_and_is_retried(tmp_path, caplog):
    text = "De zorgverzekeraar en de gemeente wezen naar elkaar en niemand betaalde de zorg."
    missing = make_settings(tmp_path / "data", cache_dir=tmp_path / "leeg", model=None)
    caplog.set_level(logging.WARNING)
    out = run_extract(missing, text)
    assert out["embeddings"] is False
    assert any(r.levelno == logging.WARNING and "embeddingmodel" in r.getMessage() for r in caplog.records)
    # the failure is not remembered: with the model present the next call uses it
    assert run_extract(make_settings(tmp_path / "data"), text)["embeddings"] is True


def test_status_reports_the_server_without_starting_it(tmp_path, fresh_env):
    res = _cli("status", "--json", env={"CASUSGRAAF_DATA_DIR": str(tmp_path / "leeg")})
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout)
    assert out["server"]["running"] is False and "casussen" not in out
    assert not (tmp_path / "leeg" / "graph" / "redis.pid").exists()  # nothing was started
    settings, _store = fresh_env  # a running server (this test holds a lease)
    out = json.loads(_cli("status", "--json", env={"CASUSGRAAF_DATA_DIR": str(settings.data_dir)}).stdout)
    assert out["server"]["running"] is True and out["casussen"] == 0 and out["graaf_generatie"] == 0
