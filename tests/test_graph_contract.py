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


# -- the named queries on a small known graph, seeded through the named ingest queries ------------------

def like(name: str, **values) -> dict:
    """A row for a named ingest query: its documented example row (``// params:``) with ``values`` set."""
    return {**example_params(name)["rows"][0], **values}


CASES = [
    {"id": "2023-001", "props": {"titel": "Schulden en zorg", "tekst": "Een cliënt met schulden bij het UWV.",
                                 "jaar": 2023, "indiener_type": "gemeente", "uitkomst": "opgelost",
                                 "embedding": [0.25, 0.5, 0.75]}},
    {"id": "2024-001", "props": {"titel": "Remigrant zonder zorgverzekering", "tekst": "Geen zorgverzekering.",
                                 "jaar": 2024, "indiener_type": "burger", "uitkomst": "deels",
                                 "embedding": [0.5, 0.5, 0.5]}},
    {"id": "2024-002", "props": {"titel": "Jeugdhulp", "tekst": "Jeugdhulp stopte bij 18.", "jaar": 2024,
                                 "embedding": [1.0, 0.0, 0.0]}},
]
HASHES = {"2023-001": "h1", "2024-001": "h2", "2024-002": "h3"}
LP = "LP-2023-001-0000aaaa"


def seed(store: GraphStore) -> None:
    def write(name: str, rows: list[dict]) -> None:
        assert store.write(load_query(name), rows) == len(rows)

    write("ontology_categories", [
        like("ontology_categories", id="ac2023:3", taxonomie="ac2023", code="3", naam="Samenwerking"),
        like("ontology_categories", id="jr2024:samenwerking", taxonomie="jr2024", code="Samenwerking",
             naam="Samenwerking"),
        like("ontology_categories", id="jr2024:wet-en-regelgeving", taxonomie="jr2024", code="Wet",
             naam="Wet- en regelgeving")])
    write("ontology_crosswalk", [{"van": "ac2023:3", "naar": "jr2024:samenwerking"}])
    write("ontology_leefgebieden", [{"naam": "financiën", "lijsten": ["ac2023", "jr2024"]},
                                    {"naam": "zorg", "lijsten": ["jr2024"]}])
    write("ingest_upsert_cases", CASES)
    write("ingest_link_wet", [
        like("ingest_link_wet", case_id="2023-001", naam="Participatiewet"),
        like("ingest_link_wet", case_id="2024-001", naam="Participatiewet", bron="extractie", methode="gazetteer",
             confidence=0.8, surfaces=["P-wet"], starts=[10], ends=[15]),
        like("ingest_link_wet", case_id="2024-001", naam="Zorgverzekeringswet")])
    write("ingest_link_organisatie", [like("ingest_link_organisatie", case_id="2023-001", naam="UWV"),
                                      like("ingest_link_organisatie", case_id="2024-001", naam="CAK")])
    write("ingest_link_leefgebied", [like("ingest_link_leefgebied", case_id="2023-001", naam="financiën"),
                                     like("ingest_link_leefgebied", case_id="2024-002", naam="zorg")])
    write("ingest_link_beleidsterrein", [like("ingest_link_beleidsterrein", case_id="2024-001", code="VWS")])
    write("ingest_link_indiener", [like("ingest_link_indiener", case_id="2023-001", naam="Gemeente Eikendam",
                                        soort="gemeente", aangesloten=True)])
    write("ingest_knelpunten", [
        like("ingest_knelpunten", case_id="2023-001", id="2023-001#k1", category_id="ac2023:3", taxonomie="ac2023",
             categorie="Samenwerking", omschrijving="Niemand voelde zich eigenaar"),
        like("ingest_knelpunten", case_id="2024-001", id="2024-001#k2", category_id="jr2024:wet-en-regelgeving")])
    write("ingest_leerpunten", [like("ingest_leerpunten", case_id="2023-001", id=LP, datum="2023-06-01",
                                     tekst="Eén loket wordt eigenaar van de schuldvraag.",
                                     opvolging=[{"id": f"{LP}~1", "datum": "2023-07-01", "code": "IN_VERKENNING",
                                                 "tekst": "Verkenning gestart", "bron": "ambassadeursoverleg",
                                                 "wie": "SZW", "volgnr": 0}])])
    write("ingest_set_hashes", [{"id": cid, "hash": h} for cid, h in HASHES.items()])


@pytest.fixture
def seeded(store) -> GraphStore:
    seed(store)
    return store


def q(store: GraphStore, name: str, **params) -> list[dict]:
    return store.run(load_query(name), {**example_params(name), **params})


def test_seed_is_what_ingest_writes(seeded):
    assert count(seeded, "(c:Casus)") == 3
    assert count(seeded, "(:Casus)-[:RAAKT_WET]->(:Wet)") == 3 and count(seeded, "(w:Wet)") == 2
    assert count(seeded, "(:Knelpunt)-[:IN_CATEGORIE]->(:KnelpuntCategorie)") == 2
    assert count(seeded, "(:Leerpunt)-[:BELEGD_BIJ]->(:Organisatie {naam: 'SZW'})") == 1
    assert count(seeded, "(:Leerpunt)-[:HEEFT_OPVOLGING]->(:Opvolging)") == 1


def test_cases_count_and_list(seeded):
    assert q(seeded, "cases_count") == [{"n": 3}]
    assert q(seeded, "cases_count", jaar_van=2024) == [{"n": 2}]
    assert q(seeded, "cases_count", jaar_tot=2023) == [{"n": 1}]
    assert q(seeded, "cases_list", skip=1, limit=1) == [
        {"id": "2024-001", "titel": "Remigrant zonder zorgverzekering", "jaar": 2024, "indiener_type": "burger",
         "uitkomst": "deels"}]
    assert [r["id"] for r in q(seeded, "cases_list", jaar_van=2024)] == ["2024-001", "2024-002"]


def test_case_by_id_and_detail(seeded):
    assert q(seeded, "case_by_id", id="2023-001") == [
        {"id": "2023-001", "titel": "Schulden en zorg", "jaar": 2023,
         "knelpunten": [{"id": "2023-001#k1", "omschrijving": "Niemand voelde zich eigenaar",
                         "categorie": "Samenwerking"}],
         "wetten": [{"naam": "Participatiewet", "bron": "registratie"}]}]
    assert q(seeded, "case_by_id", id="bestaat-niet") == []
    detail = q(seeded, "case_detail", id="2024-002")
    assert len(detail) == 1
    assert {k: detail[0][k] for k in ("id", "titel", "tekst", "jaar", "uitkomst")} == {
        "id": "2024-002", "titel": "Jeugdhulp", "tekst": "Jeugdhulp stopte bij 18.", "jaar": 2024, "uitkomst": None}
    assert "embedding" not in detail[0]


def test_case_entities_with_provenance(seeded):
    rows = q(seeded, "case_entities", ids=["2024-001"])
    assert {(r["case_id"], r["rel"], r["naam"], r["bron"]) for r in rows} == {
        ("2024-001", "RAAKT_WET", "Participatiewet", "extractie"),
        ("2024-001", "RAAKT_WET", "Zorgverzekeringswet", "registratie"),
        ("2024-001", "BETROKKEN", "CAK", "registratie"),
        ("2024-001", "VALT_ONDER", "VWS", "registratie"),
        ("2024-001", "HEEFT_KNELPUNT", "jr2024:wet-en-regelgeving", "registratie")}
    extracted = next(r for r in rows if r["bron"] == "extractie")
    assert (extracted["surfaces"], extracted["starts"], extracted["ends"]) == (["P-wet"], [10], [15])
    assert extracted["confidence"] == pytest.approx(0.8) and extracted["methode"] == "gazetteer"


def test_case_leerpunten_with_owner_and_latest_follow_up(seeded):
    rows = q(seeded, "case_leerpunten", ids=["2023-001"])
    assert len(rows) == 1
    row = rows[0]
    assert (row["case_id"], row["id"], row["tekst"]) == ("2023-001", LP, "Eén loket wordt eigenaar van de schuldvraag.")
    assert row["belegd_bij"] == "SZW" and row["eigenaren"] == ["SZW"] and row["n_opvolging"] == 1
    assert row["laatste"] == {"datum": "2023-07-01", "code": "IN_VERKENNING", "tekst": "Verkenning gestart"}
    assert q(seeded, "case_leerpunten", ids=["2024-001"]) == []
    assert q(seeded, "leerpunt_ids") == [{"id": LP}]


def test_search_loads(seeded):
    assert [(r["id"], r["hash"], r["jaar"]) for r in q(seeded, "search_load_cases")] == [
        ("2023-001", "h1", 2023), ("2024-001", "h2", 2024), ("2024-002", "h3", 2024)]
    emb = q(seeded, "search_load_embeddings", ids=["2023-001", "2024-002"])
    assert {r["id"]: r["embedding"] for r in emb} == {"2023-001": pytest.approx([0.25, 0.5, 0.75]),
                                                      "2024-002": pytest.approx([1.0, 0.0, 0.0])}
    assert {(r["id"], r["rel"], r["key"], r["bron"]) for r in q(seeded, "search_load_facets")} == {
        ("2023-001", "RAAKT_WET", "Participatiewet", "registratie"),
        ("2023-001", "BETROKKEN", "UWV", "registratie"),
        ("2023-001", "BETREFT_LEEFGEBIED", "financiën", "registratie"),
        ("2023-001", "INGEDIEND_DOOR", "Gemeente Eikendam", "registratie"),
        ("2023-001", "KNELPUNT", "ac2023:3", "registratie"),
        ("2024-001", "RAAKT_WET", "Participatiewet", "extractie"),
        ("2024-001", "RAAKT_WET", "Zorgverzekeringswet", "registratie"),
        ("2024-001", "BETROKKEN", "CAK", "registratie"),
        ("2024-001", "VALT_ONDER", "VWS", "registratie"),
        ("2024-001", "KNELPUNT", "jr2024:wet-en-regelgeving", "registratie"),
        ("2024-002", "BETREFT_LEEFGEBIED", "zorg", "registratie")}
    assert q(seeded, "ingest_case_hashes", ids=["2023-001", "2024-002", "bestaat-niet"]) in (
        [{"id": "2023-001", "hash": "h1"}, {"id": "2024-002", "hash": "h3"}],
        [{"id": "2024-002", "hash": "h3"}, {"id": "2023-001", "hash": "h1"}])


def test_state_generation(seeded):
    assert q(seeded, "state_get") == [{"generation": 0}]
    assert q(seeded, "state_bump") == [{"generation": 1}]
    assert q(seeded, "state_bump") == [{"generation": 2}]
    assert q(seeded, "state_get") == [{"generation": 2}]
    assert count(seeded, "(m:Meta)") == 1


def test_delete_case_keeps_shared_nodes(seeded):
    assert q(seeded, "delete_case", id="2023-001") == [{"deleted": 1}]
    assert q(seeded, "delete_case", id="2023-001") == [{"deleted": 0}]  # gone: nothing to delete again
    assert q(seeded, "cases_count") == [{"n": 2}]
    assert count(seeded, "(k:Knelpunt)") == 1 and count(seeded, "(l:Leerpunt)") == 0
    assert count(seeded, "(o:Opvolging)") == 0
    assert count(seeded, "(w:Wet {naam: 'Participatiewet'})") == 1  # shared with 2024-001
    assert count(seeded, "(o:Organisatie {naam: 'UWV'})") == 1  # shared nodes stay
    assert q(seeded, "case_by_id", id="2023-001") == []


def test_reingest_clears_a_changed_case(seeded):
    rows = [{"id": "2024-001"}]
    seeded.write(load_query("ingest_clear_case_details"), rows)
    seeded.write(load_query("ingest_clear_case_edges"), rows)
    assert q(seeded, "case_entities", ids=["2024-001"]) == []
    assert count(seeded, "(k:Knelpunt {id: '2024-001#k2'})") == 0
    assert len(q(seeded, "case_entities", ids=["2023-001"])) == 5  # the other case is untouched
    assert q(seeded, "cases_count") == [{"n": 3}]


@pytest.mark.parametrize("name", list_queries())
def test_named_query_runs(seeded, name):
    """Every named query parses and runs on every backend, on a graph that has data."""
    text = load_query(name)
    assert text and not text.startswith("// params:")
    rows = seeded.run(text, example_params(name))
    assert isinstance(rows, list) and all(isinstance(r, dict) for r in rows)
    json.dumps(rows)


def test_named_query_loader():
    assert {"cases_count", "case_by_id"} <= set(list_queries())
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


# -- the Neo4j adapter where no Neo4j runs: error translation, values, the timeout it hands the driver ----
# The driver's own types are used: errors hydrated from a server status code as the driver does on a FAILURE
# message, nodes/relationships/paths hydrated as from a Bolt record. Only the server is missing.

from neo4j.exceptions import Neo4jError  # noqa: E402 (a core dependency; kept next to the tests that use it)

from casusgraaf.graph import GraphUnavailable, QueryTimeout  # noqa: E402
from casusgraaf.graph import neo4j as neo4j_store  # noqa: E402


def _server_error(code: str) -> Neo4jError:
    return Neo4jError._hydrate_neo4j(code=code, message=f"Failed for {SECRET} (line 1, column 9)\nin {SECRET}")


@pytest.mark.parametrize(("code", "cls", "status"), [
    ("Neo.ClientError.Statement.SyntaxError", QuerySyntaxError, 422),
    ("Neo.ClientError.Statement.SemanticError", QuerySyntaxError, 422),
    ("Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration", QueryTimeout, 422),
    ("Neo.ClientError.Transaction.TransactionTimedOut", QueryTimeout, 422),
    ("Neo.TransientError.Transaction.TransactionTimedOut", QueryTimeout, 422),  # Neo4j 4.4
    ("Neo.ClientError.Schema.ConstraintValidationFailed", ConstraintError, 500),
    ("Neo.ClientError.Statement.AccessMode", ReadOnlyError, 403),
    ("Neo.TransientError.General.ForbiddenOnReadOnlyDatabase", ReadOnlyError, 403),
    ("Neo.TransientError.General.DatabaseUnavailable", GraphUnavailable, 503),
    ("Neo.ClientError.Database.DatabaseNotFound", GraphUnavailable, 503),
    ("Neo.ClientError.Security.Unauthorized", GraphUnavailable, 503),
    ("Neo.ClientError.Statement.ArithmeticError", GraphError, 500),
    ("Neo.DatabaseError.General.UnknownError", GraphError, 500),
])
def test_neo4j_translate_by_status_code(code, cls, status):
    err = neo4j_store._translate(_server_error(code), {"x": SECRET})
    assert type(err) is cls and err.status == status
    message = str(err)
    assert SECRET not in message and "\nin " not in message  # first line only, parameter values removed
    if cls in (QuerySyntaxError, ConstraintError, GraphError):
        assert "(line 1, column 9)" in message  # the useful part of the engine's message stays
    if cls is GraphError:
        assert code in message


def test_neo4j_timeout_message_names_the_limit():
    err = neo4j_store._translate(_server_error("Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration"),
                                 None, 2.5)
    assert "limiet van 2.5 s" in str(err) and "CASUSGRAAF_CYPHER_TIMEOUT" in str(err)


def _hydrated():
    from neo4j._codec.hydration.bolt.v1.hydration_handler import _GraphHydrator

    h = _GraphHydrator()
    c = h.hydrate_node(1, ["Casus"], {"id": "c1", "jaar": 2024, "embedding": [0.1, 0.2]}, "4:db:1")
    w = h.hydrate_node(2, ["Wet", "Regeling"], {"naam": "Participatiewet"}, "4:db:2")
    r = h.hydrate_relationship(7, 1, 2, "RAAKT_WET", {"bron": "extractie", "confidence": 0.5}, "5:db:7",
                               "4:db:1", "4:db:2")
    forward = h.hydrate_path([c, w], [h.hydrate_unbound_relationship(7, "RAAKT_WET", None, "5:db:7")], [1, 1])
    backward = h.hydrate_path([w, c], [h.hydrate_unbound_relationship(7, "RAAKT_WET", None, "5:db:7")], [-1, 1])
    return c, w, r, forward, backward


def test_neo4j_plain_nodes_relationships_paths():
    c, w, r, forward, backward = _hydrated()
    plain = neo4j_store._plain
    node_c = {"_labels": ["Casus"], "id": "c1", "jaar": 2024}  # the same shapes FalkorStore returns
    node_w = {"_labels": ["Regeling", "Wet"], "naam": "Participatiewet"}
    rel = {"_type": "RAAKT_WET", "bron": "extractie", "confidence": 0.5}
    assert plain(c) == node_c and plain(w) == node_w and plain(r) == rel
    assert plain(c, include_embedding=True)["embedding"] == [0.1, 0.2]
    assert plain(forward) == [node_c, rel, node_w]
    assert plain(backward) == [node_w, rel, node_c]  # a path runs in its own order, whatever the direction
    assert plain(forward, include_embedding=True)[0]["embedding"] == [0.1, 0.2]
    nested = plain({"n": [c, {"r": r}], 3: (1, 2)})
    assert nested == {"n": [node_c, {"r": rel}], "3": [1, 2]}
    json.dumps(nested)


def test_neo4j_plain_temporal_and_scalars():
    import neo4j.time as nt

    plain = neo4j_store._plain
    assert plain(nt.Date(2024, 3, 1)) == "2024-03-01"
    assert plain(nt.DateTime(2024, 3, 1, 10, 0, 0)) == "2024-03-01T10:00:00.000000000"
    assert plain(nt.Duration(days=3, hours=2)) == "P3DT2H"
    assert [plain(v) for v in (None, True, 3, 2.5, "ë")] == [None, True, 3, 2.5, "ë"]


class _RecordingDriver:
    """Stands in for the server only: records what the adapter asks the driver for, answers one row."""

    def __init__(self) -> None:
        self.calls: list[tuple] = []

    def session(self, **kwargs):
        self.calls.append(("session", kwargs))
        return self

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def execute_read(self, work):
        self.calls.append(("execute_read", work.timeout))
        return work(self)

    def execute_write(self, work):
        self.calls.append(("execute_write", work.timeout))
        return work(self)

    def run(self, query, params):
        self.calls.append(("run", query, params))
        return [{"n": 1}]


def _offline_store(driver) -> neo4j_store.Neo4jStore:
    import neo4j

    store = neo4j_store.Neo4jStore.__new__(neo4j_store.Neo4jStore)
    store._neo4j, store._driver, store._database = neo4j, driver, None
    return store


def test_neo4j_timeout_goes_to_the_transaction():
    import neo4j

    driver = _RecordingDriver()
    store = _offline_store(driver)
    assert store.read("RETURN 1 AS n", {"a": 1}, timeout=2.5) == [{"n": 1}]
    assert driver.calls == [("session", {"database": None, "default_access_mode": neo4j.READ_ACCESS}),
                            ("execute_read", 2.5), ("run", "RETURN 1 AS n", {"a": 1})]
    driver.calls.clear()
    store.run("MERGE (:Casus {id: 'x'})")  # application writes carry no analyst timeout
    assert driver.calls[0] == ("session", {"database": None, "default_access_mode": neo4j.WRITE_ACCESS})
    assert driver.calls[1] == ("execute_write", None)
    driver.calls.clear()
    assert store.read("RETURN 1 AS n") == [{"n": 1}] and driver.calls[1] == ("execute_read", None)
    driver.calls.clear()
    assert run_readonly(store, "RETURN 1 AS n", limit=50, timeout=4) == [{"n": 1}]
    assert driver.calls[1:] == [("execute_read", 4), ("run", "RETURN 1 AS n\nLIMIT 51", {})]


def test_neo4j_down_at_query_time_is_unavailable():
    import neo4j

    driver = neo4j.GraphDatabase.driver("bolt://127.0.0.1:9", auth=("neo4j", SECRET), max_transaction_retry_time=0,
                                        connection_timeout=2)
    store = _offline_store(driver)
    try:
        with pytest.raises(GraphUnavailable) as err:
            store.read("MATCH (c:Casus {id: $id}) RETURN c", {"id": SECRET})
        assert err.value.status == 503 and "niet bereikbaar" in str(err.value) and SECRET not in str(err.value)
        with pytest.raises(GraphUnavailable):
            store.run("RETURN 1")
    finally:
        store.close()
