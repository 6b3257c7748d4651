"""One contract for every graph backend: the embedded FalkorDB always, Neo4j when one is configured.

Neo4j runs when ``NEO4J_URI`` (or ``CASUSGRAAF_GRAPH_URI``) points at a server, with
``NEO4J_USER``/``NEO4J_PASSWORD`` (or ``CASUSGRAAF_GRAPH_USER``/``CASUSGRAAF_GRAPH_PASSWORD``).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from casusgraaf.config import Settings
from casusgraaf.graph import (
    ConstraintError,
    GraphError,
    GraphStore,
    QuerySyntaxError,
    ReadOnlyError,
    example_params,
    list_queries,
    load_query,
    open_store,
)
from casusgraaf.graph.guard import run_readonly, write_reason
from casusgraaf.graph.server import pid_alive

NEO4J_URI = os.environ.get("NEO4J_URI") or os.environ.get("CASUSGRAAF_GRAPH_URI")
BACKENDS = ["falkordb", pytest.param("neo4j", marks=pytest.mark.skipif(
    not NEO4J_URI, reason="Neo4j contract skipped: set NEO4J_URI (or CASUSGRAAF_GRAPH_URI) to a Neo4j 5 server"))]
SECRET = "geheim-BSN-123456789"


def _settings(backend: str, data_dir: Path) -> Settings:
    if backend == "falkordb":
        return Settings(data_dir=data_dir, graph_uri=None, graph_name="contract")
    return Settings(data_dir=data_dir, graph_uri=NEO4J_URI,
                    graph_user=os.environ.get("NEO4J_USER") or os.environ.get("CASUSGRAAF_GRAPH_USER", "neo4j"),
                    graph_password=os.environ.get("NEO4J_PASSWORD") or os.environ.get("CASUSGRAAF_GRAPH_PASSWORD"))


@pytest.fixture(scope="module", params=BACKENDS)
def backend_store(request, tmp_path_factory):
    settings = _settings(request.param, tmp_path_factory.mktemp(f"contract-{request.param}"))
    store = open_store(settings)
    yield settings, store
    store.close()
    if request.param == "falkordb":
        pidfile = settings.graph_dir / "redis.pid"
        assert not pidfile.exists() or not pid_alive(int(pidfile.read_text())), "redis-server left running"


@pytest.fixture
def store(backend_store) -> GraphStore:
    _, store = backend_store
    store.clear()
    store.ensure_schema()
    return store


def count(store: GraphStore, pattern: str = "(n)") -> int:
    return store.read(f"MATCH {pattern} RETURN count(*) AS n")[0]["n"]


def test_backend_name(store):
    assert store.backend in ("falkordb", "neo4j")


def test_ensure_schema_is_idempotent(store):
    store.ensure_schema()
    store.ensure_schema()
    store.run("CREATE (:Casus {id: 'a'})")
    with pytest.raises(ConstraintError):
        store.run("CREATE (:Casus {id: 'a'})")
    assert count(store, "(c:Casus)") == 1


def test_write_batches_exact_and_idempotent(store):
    rows = [{"id": f"2024-{i:05d}", "jaar": 2020 + i % 5, "wet": f"Wet {i % 7}"} for i in range(2345)]
    seen: list[tuple[int, int]] = []
    upsert = "UNWIND $rows AS row MERGE (c:Casus {id: row.id}) SET c.jaar = row.jaar"
    link = ("UNWIND $rows AS row MATCH (c:Casus {id: row.id}) MERGE (w:Wet {naam: row.wet}) "
            "MERGE (c)-[r:RAAKT_WET]->(w) SET r.bron = 'registratie'")
    assert store.write(upsert, rows, batch_size=500, progress=lambda done, total: seen.append((done, total))) == 2345
    assert seen == [(500, 2345), (1000, 2345), (1500, 2345), (2000, 2345), (2345, 2345)]
    assert store.write(link, rows, batch_size=400) == 2345
    for _ in range(2):  # re-running changes nothing
        assert count(store, "(c:Casus)") == 2345
        assert count(store, "(w:Wet)") == 7
        assert count(store, "(:Casus)-[:RAAKT_WET]->(:Wet)") == 2345
        store.write(upsert, rows, batch_size=1000)
        store.write(link, rows, batch_size=1000)
    per_year = store.read("MATCH (c:Casus) RETURN c.jaar AS jaar, count(*) AS n ORDER BY jaar")
    assert per_year == [{"jaar": 2020 + k, "n": 469} for k in range(5)]


def test_write_needs_unwind_rows(store):
    with pytest.raises(GraphError, match="UNWIND"):
        store.write("MERGE (c:Casus {id: 'x'})", [{"id": 1}])
    assert store.write("// comment\nUNWIND $rows AS row MERGE (:Casus {id: row.id})", []) == 0


def test_read_returns_plain_dicts(store):
    store.run("CREATE (c:Casus {id: 'c1', jaar: 2024, embedding: [0.1, 0.2]})"
              "-[:RAAKT_WET {bron: 'extractie', confidence: 0.5}]->(:Wet {naam: 'Participatiewet'})")
    rows = store.read("MATCH p=(c:Casus)-[r:RAAKT_WET]->(w:Wet) RETURN c, r, w, p, {a: 1, b: [1, 2]} AS m, "
                      "c.jaar AS jaar")
    assert len(rows) == 1
    row = rows[0]
    json.dumps(row)  # JSON-able
    assert row["c"] == {"_labels": ["Casus"], "id": "c1", "jaar": 2024}  # embedding hidden
    assert row["r"] == {"_type": "RAAKT_WET", "bron": "extractie", "confidence": 0.5}
    assert row["w"] == {"_labels": ["Wet"], "naam": "Participatiewet"}
    assert row["p"] == [row["c"], row["r"], row["w"]]
    assert row["m"] == {"a": 1, "b": [1, 2]} and type(row["m"]) is dict
    assert row["jaar"] == 2024
    full = store.read("MATCH (c:Casus) RETURN c", include_embedding=True)[0]["c"]
    assert full["embedding"] == pytest.approx([0.1, 0.2])
    assert store.read("MATCH (c:Casus) RETURN c.embedding AS e")[0]["e"] == pytest.approx([0.1, 0.2])


@pytest.mark.parametrize("query", [
    "CREATE (:Casus {id: 'new'})",
    "MERGE (:Casus {id: 'new'})",
    "MATCH (c:Casus) SET c.jaar = 1999",
    "MATCH (c:Casus) DELETE c",
    "MATCH (c:Casus) DETACH DELETE c",
    "MATCH (c:Casus) REMOVE c.jaar",
])
def test_read_refuses_writes_and_changes_nothing(store, query):
    store.run("CREATE (:Casus {id: 'c1', jaar: 2024})")
    with pytest.raises(ReadOnlyError):
        store.read(query)
    assert store.read("MATCH (c:Casus) RETURN c.id AS id, c.jaar AS jaar") == [{"id": "c1", "jaar": 2024}]


def test_guard_allows_reads_and_strings(store):
    store.run("CREATE (:Casus {id: 'c1', titel: 'CREATE'})")
    assert run_readonly(store, 'RETURN "CREATE" AS x') == [{"x": "CREATE"}]
    assert run_readonly(store, "MATCH (c:Casus) WHERE c.titel = 'CREATE' // DELETE\n RETURN c.id AS id") == [
        {"id": "c1"}]
    assert run_readonly(store, "/* SET */ MATCH (c:Casus) RETURN c.titel AS set_titel") == [{"set_titel": "CREATE"}]


def test_guard_refuses_before_sending(store):
    store.run("CREATE (:Casus {id: 'c1'})")
    with pytest.raises(ReadOnlyError) as err:
        run_readonly(store, "MATCH (c:Casus) DETACH DELETE c")
    assert "Alleen lezen" in str(err.value) and "casusgraaf ingest" in str(err.value) and "(DETACH)" in str(err.value)
    for query in ["create (:X)", "MATCH (c) SET c.x = 1", "LOAD CSV FROM 'file:///x' AS r RETURN r",
                  "CALL db.idx.fulltext.createNodeIndex('Casus', 'tekst')", "MATCH (c) FOREACH (x IN [1] | SET c.y = x)"]:
        with pytest.raises(ReadOnlyError):
            run_readonly(store, query)
    assert count(store) == 1


def test_guard_limit(store):
    store.write("UNWIND $rows AS row CREATE (:Casus {id: row.id})", [{"id": str(i)} for i in range(30)])
    rows = run_readonly(store, "MATCH (c:Casus) RETURN c.id AS id", limit=10)
    assert len(rows) == 10 and rows.truncated
    assert not run_readonly(store, "MATCH (c:Casus) RETURN count(c) AS n", limit=10).truncated


def test_guard_tokenizer():
    assert write_reason('RETURN "CREATE" AS x, \'MERGE\' AS y') is None
    assert write_reason("MATCH (n:Casus) RETURN n.set, {delete: 1} AS m, `CREATE` AS q") is None
    assert write_reason("CALL db.labels() YIELD label RETURN label") is None
    assert write_reason("MATCH (n) CALL { WITH n RETURN n.id AS id } RETURN id") is None
    assert write_reason("MATCH (n) CALL { WITH n DELETE n } RETURN 1") == "DELETE"
    assert write_reason("CALL dbms.security.createUser('x')") == "CALL dbms.security.createUser"
    assert write_reason("RETURN 1 /* unterminated CREATE") is None
    assert write_reason("MERGE (n:X)") == "MERGE"


def test_uniqueness_on_every_key(store):
    from casusgraaf.graph.schema import keys

    for label, key in keys().items():
        store.run(f"CREATE (:{label} {{{key}: 'k'}})")
        with pytest.raises(ConstraintError):
            store.run(f"CREATE (:{label} {{{key}: 'k'}})")
        with pytest.raises(ConstraintError):  # a batch containing a duplicate changes nothing
            store.write(f"UNWIND $rows AS row CREATE (:{label} {{{key}: row.k}})", [{"k": "k2"}, {"k": "k"}])
        assert count(store, f"(n:{label})") == 1


@pytest.mark.parametrize("name", list_queries())
def test_named_query_runs(store, name):
    text = load_query(name)
    assert text and not text.startswith("// params:")
    rows = store.run(text, example_params(name))
    assert isinstance(rows, list) and all(isinstance(r, dict) for r in rows)
    json.dumps(rows)


def test_named_query_loader():
    assert {"count_cases", "case_by_id"} <= set(list_queries())
    assert example_params("case_by_id") == {"id": "2024-017"}
    with pytest.raises(KeyError):
        load_query("does_not_exist")
    with pytest.raises(KeyError):
        load_query("../schema")


def test_list_properties_round_trip(store):
    props = {"surfaces": ["Participatiewet", "P-wet"], "starts": [0, 17], "scores": [0.25, 1.5],
             "flags": [True, False], "leeg": []}
    store.run("CREATE (c:Casus {id: 'l1'}) SET c += $props", {"props": props})
    got = store.read("MATCH (c:Casus {id: 'l1'}) RETURN c")[0]["c"]
    for key, value in props.items():
        if value:  # Neo4j does not store empty lists' element type; both return []
            assert got[key] == value
    assert got.get("leeg", []) == []


def test_unicode_round_trip(store):
    text = "Cliënt naïef, € 1.250,– schuld; “quotes” 'enkel' \"dubbel\" back\\slash\nnieuwe regel ✓"
    store.run("CREATE (:Casus {id: $id, tekst: $tekst})", {"id": "ë-1", "tekst": text})
    assert store.read("MATCH (c:Casus {id: $id}) RETURN c.tekst AS t", {"id": "ë-1"}) == [{"t": text}]
    assert store.read("MATCH (c:Casus) WHERE c.tekst CONTAINS $w RETURN c.id AS id", {"w": "naïef, €"}) == [
        {"id": "ë-1"}]


def test_syntax_error_is_clean(store):
    with pytest.raises(QuerySyntaxError) as err:
        store.run("MATCH (c:Casus {id: $id}) RETURN c.id FOO BAR", {"id": SECRET})
    message = str(err.value)
    assert SECRET not in message and "Traceback" not in message and "errCtx" not in message
    assert err.value.__cause__ is None and err.value.__suppress_context__
    with pytest.raises(QuerySyntaxError) as err:
        store.read("RETURN $x +", {"x": SECRET})
    assert SECRET not in str(err.value)


def test_runtime_error_hides_params(store):
    with pytest.raises(GraphError) as err:
        store.run("RETURN toInteger($x) + [] + 1 AS y, 1/0 AS z", {"x": SECRET})
    assert SECRET not in str(err.value)


def test_schema_cache_survives_other_writers(backend_store, store):
    """A second store (think: another process) clears and recreates labels in another order."""
    settings, _ = backend_store
    store.run("CREATE (:Casus {id: 'a'})-[:RAAKT_WET]->(:Wet {naam: 'w'})")
    assert store.read("MATCH (n) RETURN n ORDER BY n.id")[0]["n"]["_labels"] == ["Casus"]
    with open_store(settings) as other:
        other.clear()
        other.run("CREATE (:Leerpunt {tekst: 'x'})-[:BELEGD_BIJ]->(:Organisatie {naam: 'o'})")
    rows = store.read("MATCH (a)-[r]->(b) RETURN a, r, b")
    assert rows == [{"a": {"_labels": ["Leerpunt"], "tekst": "x"}, "r": {"_type": "BELEGD_BIJ"},
                     "b": {"_labels": ["Organisatie"], "naam": "o"}}]


def test_unknown_graph_uri_is_a_settings_error(tmp_path):
    from casusgraaf.config import get_settings
    from casusgraaf.errors import ConfigError

    with pytest.raises(ConfigError, match="CASUSGRAAF_GRAPH_URI.*bolt://"):
        get_settings(data_dir=tmp_path, graph_uri="http://example.org")


def test_neo4j_unreachable_is_a_clean_error(tmp_path):
    settings = Settings(data_dir=tmp_path, graph_uri="bolt://127.0.0.1:9", graph_password=SECRET)
    with pytest.raises(GraphError, match="niet bereikbaar") as err:
        open_store(settings)
    assert SECRET not in str(err.value)
