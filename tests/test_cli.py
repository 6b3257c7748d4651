"""The command line contract: --json output, exit 0 on success, 2 on refused or bad input."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from casusgraaf.cli import app

runner = CliRunner()


@pytest.fixture
def corpus_cli(corpus_env, monkeypatch):
    settings, _store, _ = corpus_env
    monkeypatch.setenv("CASUSGRAAF_DATA_DIR", str(settings.data_dir))
    return settings


def _json(result):
    assert result.output.strip(), result.output
    return json.loads(result.output)


def test_cypher_counts_and_refuses_writes(corpus_cli, corpus_env):
    n = _json(runner.invoke(app, ["cypher", "MATCH (c:Casus) RETURN count(c) AS n", "--json"]))["rows"][0]["n"]
    assert n == corpus_env[2].ingested
    refused = runner.invoke(app, ["cypher", "MATCH (c:Casus) SET c.titel = 'x' RETURN c", "--json"])
    assert refused.exit_code == 2 and "error" in _json(refused)
    refused = runner.invoke(app, ["cypher", "CREATE (:Casus {id: 'nieuw', tekst: 'x'})"])
    assert refused.exit_code == 2
    after = _json(runner.invoke(app, ["cypher", "MATCH (c:Casus) RETURN count(c) AS n, "
                                              "sum(CASE WHEN c.titel = 'x' THEN 1 ELSE 0 END) AS x", "--json"]))
    assert after["rows"][0] == {"n": n, "x": 0}


def test_similar_json_shape(corpus_cli):
    cid = _json(runner.invoke(app, ["cypher", "MATCH (c:Casus) RETURN c.id AS id ORDER BY id LIMIT 1", "--json"]))[
        "rows"][0]["id"]
    result = runner.invoke(app, ["similar", "--case", cid, "--k", "4", "--json"])
    assert result.exit_code == 0, result.output
    out = _json(result)
    assert len(out["results"]) == 4
    for r in out["results"]:
        assert {"case_id", "score", "signals", "gedeeld", "zinnen", "uitkomst", "leerpunten"} <= set(r)
        assert set(r["signals"]) == {"dense", "lexical", "structural"}


def test_similar_filters_apply_before_ranking(corpus_cli):
    result = runner.invoke(app, ["similar", "--text", "Een jongere van achttien verloor jeugdhulp en viel tussen "
                                 "Jeugdwet en Wmo 2015 in.", "--jaar", "2022-2023", "--k", "20", "--json"])
    assert result.exit_code == 0, result.output
    jaren = {r["jaar"] for r in _json(result)["results"]}
    assert jaren and jaren <= {2022, 2023}


def test_similar_bad_input_exit_2(corpus_cli):
    assert runner.invoke(app, ["similar", "--case", "bestaat-niet", "--json"]).exit_code == 2
    assert runner.invoke(app, ["similar", "--json"]).exit_code == 2
    assert runner.invoke(app, ["similar", "--case", "x", "--jaar", "vorig-jaar"]).exit_code == 2


@pytest.mark.slow
def test_ingest_json_counts_and_exit_codes(fresh_env, tmp_path, monkeypatch):
    settings, _store = fresh_env
    monkeypatch.setenv("CASUSGRAAF_DATA_DIR", str(settings.data_dir))
    good = tmp_path / "goed.jsonl"
    good.write_text('{"id": "c1", "tekst": "De SVB stopte de AIO-aanvulling na verhuizing naar het buitenland."}\n',
                    encoding="utf-8")
    out = _json(runner.invoke(app, ["ingest", str(good), "--json"]))
    assert (out["ingested"], out["unchanged"]) == (1, 0)
    again = runner.invoke(app, ["ingest", str(good), "--json"])
    assert again.exit_code == 0 and _json(again)["unchanged"] == 1

    broken = tmp_path / "kapot.jsonl"
    broken.write_text('{"id": "c2", "tekst": \n', encoding="utf-8")
    result = runner.invoke(app, ["ingest", str(broken), "--json"])
    assert result.exit_code == 2
    assert _json(result)["problems"][0]["waar"] == f"{broken}:1"
    assert runner.invoke(app, ["ingest", str(tmp_path / "bestaat-niet.jsonl")]).exit_code == 2

    latin = tmp_path / "latin1.jsonl"
    latin.write_bytes('{"id": "c3", "tekst": "financiën"}\n'.encode("latin-1"))
    result = runner.invoke(app, ["ingest", str(latin), "--json"])
    assert result.exit_code == 2 and "UTF-8" in _json(result)["problems"][0]["reden"]

    fake_pdf = tmp_path / "brief.pdf"
    fake_pdf.write_text("dit is geen pdf", encoding="utf-8")
    result = runner.invoke(app, ["ingest", str(fake_pdf), "--json"])
    assert result.exit_code == 2 and "geen PDF" in _json(result)["problems"][0]["reden"]

    empty = tmp_path / "leeg.jsonl"
    empty.write_text("", encoding="utf-8")
    assert runner.invoke(app, ["ingest", str(empty), "--json"]).exit_code == 2


def test_oversized_file_refused_without_reading(fresh_env, tmp_path, monkeypatch):
    settings, _store = fresh_env
    monkeypatch.setenv("CASUSGRAAF_DATA_DIR", str(settings.data_dir))
    big = tmp_path / "groot.jsonl"
    with big.open("wb") as fh:
        fh.truncate(51 * 1024 * 1024)
    result = runner.invoke(app, ["ingest", str(big), "--json"])
    assert result.exit_code == 2 and "50 MB" in _json(result)["problems"][0]["reden"]


def test_delete_and_reindex(fresh_env, tmp_path, monkeypatch):
    settings, _store = fresh_env
    monkeypatch.setenv("CASUSGRAAF_DATA_DIR", str(settings.data_dir))
    src = tmp_path / "twee.jsonl"
    src.write_text('{"id": "d1", "tekst": "Het UWV en de werkgever waren het oneens over de Ziektewet."}\n'
                   '{"id": "d2", "tekst": "DUO verlaagde de aflossing van de studieschuld niet."}\n', encoding="utf-8")
    assert runner.invoke(app, ["ingest", str(src), "--json"]).exit_code == 0
    assert _json(runner.invoke(app, ["reindex", "--json"]))["vectors"] == 2
    assert _json(runner.invoke(app, ["delete", "d1", "--json"])) == {"deleted": "d1"}
    assert runner.invoke(app, ["delete", "d1", "--json"]).exit_code == 2
    assert _json(runner.invoke(app, ["reindex", "--json"]))["vectors"] == 1


@pytest.mark.slow
def test_missing_model_is_a_message_not_a_traceback(tmp_path):
    import subprocess
    import sys

    env = {"PATH": "/usr/bin:/bin", "CASUSGRAAF_DATA_DIR": str(tmp_path / "d"),
           "CASUSGRAAF_MODEL": str(tmp_path / "geen-model")}
    proc = subprocess.run([sys.executable, "-m", "casusgraaf", "similar", "--text", "De gemeente en het UWV."],
                          env=env, capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and "CASUSGRAAF_MODEL" in proc.stderr
