"""Export, import, migrate, backup and restore on real embedded FalkorDB (services/transfer.py), and the Neo4j
adapter query by query without a server (what it sends for every named and every generated statement)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from casusgraaf.cli import app
from casusgraaf.errors import BadInput, Refused
from casusgraaf.graph import list_queries, load_query, open_store
from casusgraaf.graph.vectors import load_vectors
from casusgraaf.services import transfer
from tests.conftest import SAMPLE, make_settings
from tests.records import full_record

runner = CliRunner()


def _records() -> list[dict]:
    sample = [json.loads(line) for line in (SAMPLE / "casussen.jsonl").read_text(encoding="utf-8").splitlines()][:3]
    odd = full_record(id="2024-900", titel="Quote ' en \"dubbel\"; backslash \\ en\ttab",
                      tekst="Regel één.\nRegel twee met 'quotes', \"dubbel\" en ; en | tekens. De gemeente en het UWV.")
    return [*sample, full_record(), odd]


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    """A small graph with everything an export must carry: registered and extracted facts, a leerpunt with a
    history entry added through casusgraaf and a recurrence link confirmed by hand, vectors, the change log."""
    from casusgraaf.services.ingest import ingest_paths
    from casusgraaf.services.leerpunten import link_recurrence, set_status

    base = tmp_path_factory.mktemp("transfer")
    records = base / "in.jsonl"
    records.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in _records()), encoding="utf-8")
    settings = make_settings(base / "bron")
    store = open_store(settings)
    report = ingest_paths(store, settings, [records])
    assert report.ingested == len(_records()), report.to_dict()
    lids = [r["id"] for r in store.run("MATCH (l:Leerpunt) WHERE l.tekst IS NOT NULL RETURN l.id AS id ORDER BY id")]
    set_status(store, settings, lids[0], code="IN_VERKENNING", tekst="besproken in het overleg", wie="SZW")
    link_recurrence(store, settings, lids[1], lids[0])
    yield settings, store
    store.close()


def _case_ids(store) -> list[str]:
    return [r["id"] for r in store.run("MATCH (c:Casus) RETURN c.id AS id ORDER BY id")]


def _vectors(store, settings) -> dict[str, np.ndarray]:
    ids, matrix = load_vectors(store, settings, _case_ids(store))
    return dict(zip(ids, matrix, strict=True))


def _local_out(rows: list[dict]) -> list[dict]:
    return [{k: ({p: v for p, v in x.items() if p != "embedding_ref"} if isinstance(x, dict) else x)
             for k, x in row.items()} for row in rows]


@pytest.mark.parametrize("formaat", transfer.FORMATS)
def test_export_import_round_trips_everything(source, tmp_path, formaat):
    settings, store = source
    counts = transfer.graph_counts(store)
    assert counts["labels"]["Opvolging"] >= 3 and counts["relaties"]["TERUGKEREND_VAN"] >= 2
    out = transfer.export(store, settings, tmp_path / "export", formaat)
    assert out["aantallen"] == counts and out["vectoren"]["aantal"] == len(_case_ids(store))
    target = make_settings(tmp_path / "doel")
    with open_store(target) as st:
        result = transfer.import_export(st, target, tmp_path / "export")
        assert result["verschil"] == [] and result["gelijk"]
        assert transfer.graph_counts(st)["relaties"] == counts["relaties"]
        ids = _case_ids(store)
        assert list(transfer.case_records(st, ids)) == list(transfer.case_records(store, ids))
        # every node with every property, the embedding included (the sidecar ref is local to a data dir)
        for query in ("MATCH (n:Opvolging) RETURN n ORDER BY n.id", "MATCH (n:Casus) RETURN n ORDER BY n.id",
                      "MATCH (a:Leerpunt)-[r:TERUGKEREND_VAN]->(b) RETURN a.id, r, b.id ORDER BY a.id, b.id"):
            assert _local_out(st.run(query, include_embedding=True)) == \
                _local_out(store.run(query, include_embedding=True))
        a, b = _vectors(store, settings), _vectors(st, target)
        assert a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)
        assert result["vectoren"] == len(a)  # the target's sidecar was filled: no decode from the node needed
        assert result["wijzigingslog"] and (target.data_dir / "leerpunten" / "wijzigingen.jsonl").read_text() == \
            (settings.data_dir / "leerpunten" / "wijzigingen.jsonl").read_text()
        assert result["index"]["vectors"] == len(a)


def test_records_carry_the_whole_leerpunt_history(source, tmp_path):
    settings, store = source
    transfer.export(store, settings, tmp_path / "e", "jsonl")
    records = {r["id"]: r for r in map(json.loads, (tmp_path / "e" / "casussen.jsonl").read_text().splitlines())}
    full = records["2023-042"]
    assert full["wetten"] == ["Wet BRP"] and full["indiener"]["organisatie"]
    assert full["knelpunten"][0]["taxonomie"] == "jr2023" and full["knelpunten"][0]["subtype"] == "stapeling"
    entries = [e for r in records.values() for lp in r.get("leerpunten", []) for e in lp["opvolging"]]
    assert {e.get("herkomst") for e in entries} == {"registratie", "casusgraaf"}
    assert any(e["tekst"] == "besproken in het overleg" and e["wie"] == "SZW" for e in entries)
    lp = next(lp for lp in full["leerpunten"] if lp["id"] == "LP-2023-042-a")
    assert lp["belegd_bij"] and lp["status_code"] == "DOORGEGEVEN" and lp["terugkerend_van"] == "LP-2021-007-b"
    from casusgraaf.models.records import CaseRecord

    for rec in records.values():
        CaseRecord.model_validate(rec)  # what `casusgraaf ingest` reads


@pytest.mark.slow
def test_ingest_of_the_exported_records_rebuilds_the_graph(source, tmp_path):
    """`casusgraaf ingest casussen.jsonl` into a fresh data dir: the same nodes and relationships (extracted facts
    are derived again; history entries added through casusgraaf come back as registered ones)."""
    from casusgraaf.services.ingest import ingest_paths

    settings, store = source
    transfer.export(store, settings, tmp_path / "e", "jsonl")
    target = make_settings(tmp_path / "doel")
    with open_store(target) as st:
        report = ingest_paths(st, target, [tmp_path / "e" / "casussen.jsonl"])
        assert report.ingested == len(_case_ids(store)) and report.quarantined == 0
        assert transfer.count_diff(transfer.graph_counts(store), transfer.graph_counts(st)) == []


def test_csv_headers_are_for_neo4j_admin(source, tmp_path):
    settings, store = source
    out = transfer.export(store, settings, tmp_path / "csv", "csv")
    casus = (tmp_path / "csv" / "knopen_Casus.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
    assert casus[:2] == ["id:ID(Casus)", ":LABEL"] and "jaar:long" in casus and "interventies:string[]" in casus
    assert "embedding_ref" not in ",".join(casus)
    wet = (tmp_path / "csv" / "relaties_RAAKT_WET.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
    assert wet[:3] == [":START_ID(Casus)", ":END_ID(Wet)", ":TYPE"] and "confidence:double" in wet
    cmd = out["neo4j_admin"]
    assert cmd.startswith("neo4j-admin database import full ") and "--array-delimiter=U+001F" in cmd
    assert "--nodes=knopen_Casus.csv" in cmd and "--relationships=relaties_RAAKT_WET.csv" in cmd
    files = {p.name for p in (tmp_path / "csv").glob("*.csv")}
    assert {re.sub(r"^--\w+=", "", a) for a in cmd.split() if a.startswith(("--nodes=", "--relationships="))} == files


def test_cypher_script_is_parameter_free(source, tmp_path):
    settings, store = source
    transfer.export(store, settings, tmp_path / "cy", "cypher")
    lines = (tmp_path / "cy" / "graaf.cypher").read_text(encoding="utf-8").splitlines()
    statements = [x for x in lines if x and not x.startswith(("//", ":"))]
    assert statements[0].startswith("CREATE CONSTRAINT") and all(x.endswith(";") for x in statements)
    assert not any("$" in x.split("'")[0] for x in statements)  # no parameters outside string literals
    assert lines.count(":begin") == lines.count(":commit") >= 1


def test_cypher_literal_survives_the_engine(fresh_env):
    _settings, store = fresh_env
    nasty = "a'b\"c\\d\ne\tf\r\x01g ; | ' ) } ]"
    store.run(f"CREATE (:Meta {transfer.cypher_literal({'key': nasty, 'xs': [1, 2.5, 'x'], 'b': True})})")
    row = store.run("MATCH (m:Meta) RETURN m.key AS key, m.xs AS xs, m.b AS b")[0]
    assert row == {"key": nasty, "xs": [1, 2.5, "x"], "b": True}


def test_import_refuses_a_graph_that_is_not_empty(source, tmp_path):
    settings, store = source
    transfer.export(store, settings, tmp_path / "e", "jsonl")
    with pytest.raises(Refused, match="niet leeg"):
        transfer.import_export(store, settings, tmp_path / "e")


def test_import_detects_a_changed_file(source, tmp_path, fresh_env):
    settings, store = source
    transfer.export(store, settings, tmp_path / "e", "jsonl")
    with open(tmp_path / "e" / "knopen.jsonl", "a", encoding="utf-8") as fh:
        fh.write("\n")
    target, st = fresh_env
    with pytest.raises(BadInput, match=r"knopen\.jsonl: controlegetal"):
        transfer.import_export(st, target, tmp_path / "e")
    assert transfer.graph_counts(st)["labels"] == {}  # nothing loaded


def test_migrate_to_another_data_dir_verifies_counts(source, tmp_path, monkeypatch):
    settings, store = source
    monkeypatch.setenv("CASUSGRAAF_DATA_DIR", str(settings.data_dir))
    _env(monkeypatch)
    result = runner.invoke(app, ["migrate", "--naar", str(tmp_path / "doel"), "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["gelijk"] and out["bron_aantallen"] == out["doel_aantallen"] == transfer.graph_counts(store)
    assert out["vectoren"] == len(_case_ids(store))
    assert not list(settings.data_dir.glob(".migrate-*"))  # the temporary export is gone


def test_migrate_fails_loudly_on_a_mismatch(source, tmp_path, monkeypatch):
    settings, store = source
    monkeypatch.setenv("CASUSGRAAF_DATA_DIR", str(settings.data_dir))
    _env(monkeypatch)
    real = transfer._Loader.node

    def drop_one_wet(self, label, props):  # a loader that loses a node: the count check must catch it
        if label == "Wet" and not getattr(self, "_dropped", False):
            self._dropped = True
            return None
        return real(self, label, props)

    monkeypatch.setattr(transfer._Loader, "node", drop_one_wet)
    result = runner.invoke(app, ["migrate", "--naar", str(tmp_path / "doel"), "--json"])
    assert result.exit_code == 2, result.output
    out = json.loads(result.output.split("\n{")[0])
    assert not out["gelijk"] and any(line.startswith("labels Wet: ") for line in out["verschil"])
    assert "verschillen" in result.output


def test_backup_while_serving_then_restore_elsewhere(source, tmp_path):
    settings, store = source  # the store stays open: the server keeps serving during the backup
    out = transfer.backup(store, settings, tmp_path / "backup")
    assert out["aantallen"] == transfer.graph_counts(store)
    names = set(out["bestanden"])
    assert "graph/dump.rdb" in names and "leerpunten/wijzigingen.jsonl" in names
    assert any(n.startswith("index/") for n in names) and any(n.startswith("vectors/") for n in names)
    assert not any(n.endswith((".lock", ".sock", ".pid")) or "appendonlydir" in n for n in names)
    target = make_settings(tmp_path / "hersteld")
    restored = transfer.restore(target, tmp_path / "backup")
    assert restored["aantallen"] == out["aantallen"] and restored["oud"] is None
    with open_store(target) as st:
        ids = _case_ids(store)
        assert list(transfer.case_records(st, ids)) == list(transfer.case_records(store, ids))
        a, b = _vectors(store, settings), _vectors(st, target)
        assert a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)
    # a second restore over it keeps the old data dir aside, whole
    again = transfer.restore(target, tmp_path / "backup")
    assert again["oud"] and (Path(again["oud"]) / "graph" / "appendonlydir").is_dir()


def test_restore_refuses_a_running_server_and_a_damaged_backup(source, tmp_path):
    settings, store = source
    transfer.backup(store, settings, tmp_path / "b")
    with pytest.raises(Refused, match="draait een graafserver"):
        transfer.restore(settings, tmp_path / "b")
    (tmp_path / "b" / "graph" / "dump.rdb").write_bytes(b"kapot")
    with pytest.raises(BadInput, match=r"dump\.rdb: controlegetal"):
        transfer.restore(make_settings(tmp_path / "x"), tmp_path / "b")
    assert not (tmp_path / "x").exists() and not list(tmp_path.glob(".x.restore-*"))


def _env(monkeypatch):
    for key in ("CASUSGRAAF_GRAPH_URI",):
        monkeypatch.delenv(key, raising=False)


@pytest.mark.parametrize("argv, fragment", [
    (["export", "--uit", "{file}"], "{file}"),
    (["export", "--uit", "{full}"], "{full}"),
    (["export", "--uit", "{new}", "--formaat", "xml"], "xml"),
    (["import", "{missing}"], "{missing}"),
    (["import", "{full}"], "manifest.json"),
    (["restore", "{missing}"], "{missing}"),
    (["backup", "--uit", "{inside}"], "{inside}"),
])
def test_bad_paths_exit_2_naming_the_path(source, tmp_path, monkeypatch, argv, fragment):
    settings, _store = source
    monkeypatch.setenv("CASUSGRAAF_DATA_DIR", str(settings.data_dir))
    _env(monkeypatch)
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "iets.txt").write_text("x")
    (tmp_path / "bestand").write_text("x")
    paths = {"file": str(tmp_path / "bestand"), "full": str(tmp_path / "full"), "new": str(tmp_path / "nieuw"),
             "missing": str(tmp_path / "bestaat-niet"), "inside": str(settings.data_dir / "backup")}
    result = runner.invoke(app, [a.format(**paths) for a in argv] + ["--json"])
    assert result.exit_code == 2, result.output
    assert fragment.format(**paths) in json.loads(result.output)["error"]
    assert "Traceback" not in result.output


# -- Neo4j, without a server: what the adapter sends ------------------------------------------------------------

FALKOR_ONLY = re.compile(r"\bvecf32\s*\(|\bdb\.idx\.|\bGRAPH\.|\balgo\.|\bfalkordb\.|\bCREATE\s+(?:VECTOR\s+)?INDEX\s+"
                         r"FOR\s+\(\w+:\w+\)\s+ON\s+\(|\bcall\s+db\.labels", re.I)


class _Driver:
    def __init__(self) -> None:
        self.sent: list[tuple[str, dict]] = []

    def session(self, **_kw):
        return self

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def execute_read(self, work):
        return work(self)

    execute_write = execute_read

    def run(self, query, params):
        self.sent.append((query, params))
        return []


def _neo4j_offline():
    import neo4j

    from casusgraaf.graph.neo4j import Neo4jStore

    store = Neo4jStore.__new__(Neo4jStore)
    driver = _Driver()
    store._neo4j, store._driver, store._database = neo4j, driver, None
    return store, driver


@pytest.mark.parametrize("name", list_queries())
def test_neo4j_gets_every_named_query_as_written(name):
    """The adapter has no rewriting step: each named query reaches the driver unchanged, with its parameters,
    so every one must be Cypher that Neo4j 5 parses (no FalkorDB-only construct)."""
    from casusgraaf.graph import example_params

    store, driver = _neo4j_offline()
    text, params = load_query(name), example_params(name)
    store.run(text, params)
    assert driver.sent == [(text, params)]
    assert not FALKOR_ONLY.search(text), f"{name}: FalkorDB-only Cypher"


def test_neo4j_gets_the_generated_statements_of_import_and_export(source, tmp_path):
    """Import builds CREATE/MATCH text per label and type; the cypher export writes statements for cypher-shell:
    none may use a FalkorDB-only construct, and the DDL is Neo4j's own."""
    settings, store = source
    neo, driver = _neo4j_offline()
    loader = transfer._Loader(neo)
    loader.node("Casus", {"id": "x", "tekst": "t"})
    loader.rel("RAAKT_WET", ("Casus", "x"), ("Wet", "Participatiewet"), {"bron": "registratie"})
    loader.flush()
    sent = [q for q, _ in driver.sent]
    assert sent == ["UNWIND $rows AS row CREATE (n:Casus) SET n += row.p",
                    "UNWIND $rows AS row MATCH (a:Casus {id: row.a}) MATCH (b:Wet {naam: row.b}) "
                    "CREATE (a)-[r:RAAKT_WET]->(b) SET r += row.p"]
    transfer.export(store, settings, tmp_path / "cy", "cypher")
    for line in (tmp_path / "cy" / "graaf.cypher").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith(("//", ":")):
            assert not FALKOR_ONLY.search(line.split("'")[0]), line[:120]
    ddl = [x for x in (tmp_path / "cy" / "graaf.cypher").read_text().splitlines() if x.startswith("CREATE ")][:3]
    assert all(" IF NOT EXISTS FOR (n:" in x for x in ddl)


def test_neo4j_password_from_a_secret_file(tmp_path):
    from casusgraaf.config import Settings
    from casusgraaf.graph.base import GraphUnavailable
    from casusgraaf.graph.neo4j import graph_password

    secret = tmp_path / "pw"
    secret.write_text("geheim-wachtwoord\n")
    s = Settings(graph_uri="bolt://neo4j:7687", graph_password_file=secret, data_dir=tmp_path)
    assert graph_password(s) == "geheim-wachtwoord"
    assert graph_password(Settings(graph_uri="bolt://x", graph_password="direct", graph_password_file=secret,
                                   data_dir=tmp_path)) == "direct"
    with pytest.raises(GraphUnavailable, match="CASUSGRAAF_GRAPH_PASSWORD_FILE") as err:
        graph_password(Settings(graph_uri="bolt://x", graph_password_file=tmp_path / "nee", data_dir=tmp_path))
    assert "geheim" not in str(err.value)
