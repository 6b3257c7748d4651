"""Attack suite for the analyst door (`POST /api/cypher`, `casusgraaf cypher`: services.analysis.run_cypher):
writes in every position, procedure calls, LOAD CSV, index DDL, text exfiltration and CPU/memory exhaustion.
After each query: the full graph and the projection are unchanged (counts and a content checksum), the
answer holds no 30-character piece of any case text, and the server answers `RETURN 1` within the time
limit plus a margin. Real embedded FalkorDB with real case texts from the sample corpus.

The figures (tried, refused by the tokenizer, refused by the engine, timed out, stopped at the memory limit,
answered without text) are printed; with CASUSGRAAF_UPDATE_SECURITY_DOC=1 they are written into
docs/SECURITY.md between the cypher-figures markers.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from pathlib import Path

import pytest

from casusgraaf.errors import BadInput, CasusgraafError
from casusgraaf.graph import QueryTimeout, ReadOnlyError, open_store
from casusgraaf.graph.guard import QueryMemoryError, expression_reason, run_readonly, write_reason
from casusgraaf.graph.projection import Projection
from casusgraaf.services.analysis import run_cypher
from casusgraaf.services.ingest import ingest_paths
from tests.conftest import SAMPLE, make_settings

pytestmark = pytest.mark.slow  # a real ingest and ~80 queries, some of them stopped only by their limits

TIMEOUT = 1.0
MARGIN = 3.0
N_CASES = 6
DOC = Path(__file__).resolve().parent.parent / "docs" / "SECURITY.md"

WRITES = [
    "CREATE (:X)",
    "MATCH (c:Casus) SET c.jaar = 0",
    "MATCH (c:Casus) DELETE c",
    "MATCH (c:Casus) DETACH DELETE c",
    "MATCH (c:Casus) REMOVE c.jaar",
    "MERGE (:X {a: 1})",
    "MATCH (c) WITH c CREATE (:X)",
    "CALL { CREATE (:X) } RETURN 1",
    "MATCH (c:Casus) CALL { WITH c SET c.jaar = 1 } RETURN count(*)",
    "FOREACH (x IN [1] | CREATE (:X))",
    "MATCH (c) FOREACH (x IN [c] | SET x.k = 1)",
    "RETURN 1 AS a UNION CREATE (:X) RETURN 2 AS a",
    "MATCH (c:Casus) RETURN c.id UNION ALL MATCH (c:Casus) SET c.k = 1 RETURN c.id",
    "cReAtE (:X)",
    "/* alleen lezen */ CREATE (:X)",
    "MATCH (c) // RETURN c\nSET c.k = 1",
    "RETURN 'x' /* ' */ CREATE (:X)",
    "RETURN \"a\\\" CREATE (:X) //\" AS s",
    "ＣＲＥＡＴＥ (:X)",
    "CREATE\u00a0(:X)",
    "MATCH (c) SET c += {k: 1}",
    "MATCH (c) SET c:Gelezen",
    "UNWIND [1, 2] AS x CREATE (:X {x: x})",
    "WITH 1 AS x MERGE (n:Casus {id: 'nieuw'}) RETURN n",
    "OPTIONAL MATCH (c) WITH c DELETE c",
    "MATCH (a), (b) CREATE (a)-[:R]->(b)",
    "MATCH (c:Casus) WITH c LIMIT 1 SET c.tekst = 'x' RETURN c",
]
PROCEDURES = [
    "CALL db.idx.fulltext.createNodeIndex('Casus', 'tekst')",
    "CALL db.idx.vector.createNodeIndex('Casus', 'embedding', 384, 'cosine')",
    "CALL db.idx.fulltext.drop('Casus')",
    "CALL `db`.`idx`.`fulltext`.`createNodeIndex`('Casus', 'tekst')",
    "CALL db.labels() YIELD label CALL db.idx.fulltext.createNodeIndex(label, 'x') RETURN 1",
    "CALL dbms.security.createUser('x', 'y', false)",
    "CALL apoc.load.json('file:///etc/passwd')",
    "CALL apoc.cypher.runWrite('CREATE (:X)', {})",
    "CALL GRAPH.DELETE('casusgraaf')",
    "RETURN 'GRAPH.DELETE casusgraaf' AS s",
    "CALL db.idx.fulltext.queryNodes('Casus', 'bijstand') YIELD node RETURN node",
    "CALL db.propertyKeys()",
    "CALL dbms.procedures()",
    "LOAD CSV FROM 'file:///etc/passwd' AS r RETURN r",
    "LOAD CSV WITH HEADERS FROM 'http://127.0.0.1:9/x.csv' AS r RETURN r",
    "load csv from 'file:///proc/self/environ' as r return r",
    "CREATE INDEX FOR (c:Casus) ON (c.tekst)",
    "DROP INDEX ON :Casus(jaar)",
    "CREATE CONSTRAINT FOR (c:Casus) REQUIRE c.tekst IS UNIQUE",
]
EXFILTRATION = [
    "MATCH (c:Casus) RETURN properties(c)",
    "MATCH (c:Casus) RETURN keys(c)",
    "MATCH (c:Casus) RETURN c.tekst, c.titel, c.hash, c.embedding",
    "MATCH (c:Casus) RETURN c['te' + 'kst']",
    "MATCH (c:Casus) RETURN c {.*}",
    "MATCH (c:Casus) RETURN [k IN keys(c) | c[k]]",
    "MATCH (c:Casus) RETURN reduce(s = '', k IN keys(c) | s + toString(c[k]))",
    "MATCH (c:Casus) RETURN substring(c.tekst, 0, 50), toUpper(c.titel), size(c.tekst)",
    "MATCH (c:Casus) RETURN collect(properties(c))",
    "MATCH p = (c:Casus)-[*1..2]-() RETURN nodes(p), relationships(p) LIMIT 50",
    "MATCH (c:Casus)-[r]->() RETURN r, properties(r)",
    "MATCH (k:Knelpunt) RETURN k.omschrijving, properties(k)",
    "MATCH (l:Leerpunt) RETURN l.tekst, l.status, l.start, l.end, properties(l)",
    "MATCH (o:Opvolging) RETURN o, o.tekst",
    "MATCH (c:Casus) RETURN c.id AS x UNION MATCH (c:Casus) RETURN c.tekst AS x",
    "CALL { MATCH (c:Casus) RETURN c.tekst AS t } RETURN t",
    "MATCH (c:Casus) WHERE c.tekst CONTAINS 'e' RETURN count(c) AS n",
    "MATCH (c:Casus) WITH c ORDER BY c.tekst RETURN collect(c.id)",
    "MATCH (n) RETURN n",
    "MATCH ()-[r]->() RETURN r",
    "MATCH (c:Casus) RETURN apoc.text.join([c.tekst], '')",
    "MATCH (c:Casus)-[r:RAAKT_WET]->(w) RETURN r.surfaces, r.starts, w",
    "MATCH (c:Casus) RETURN [x IN split(c.tekst, ' ') | x]",
    "MATCH (c:Casus) RETURN c.id, [(c)-[:HEEFT_KNELPUNT]->(k) | k {.*}] AS k",
    "MATCH (c:Casus) RETURN toJSON(c)",
    "MATCH (c:Casus) UNWIND keys(c) AS k RETURN k, c[k]",
]
EXHAUSTION = [
    "MATCH (a), (b), (c), (d) RETURN count(*)",
    "UNWIND range(1, 1000000000) AS x RETURN count(x)",
    "UNWIND range(1, 100000000) AS x RETURN collect(x)",
    "RETURN size(range(1, 1000000000))",
    "MATCH p = (a)-[*1..12]-(b) RETURN count(p)",
    "MATCH (a)-[*]-(b) RETURN count(*)",
    "MATCH (a), (b) RETURN a, b",
    "MATCH (a), (b), (c) RETURN a.id, b.id, c.id ORDER BY a.id",
    "WITH range(1, 10000000) AS r UNWIND r AS a UNWIND r AS b RETURN count(*)",
    "MATCH (a), (b) WITH collect([a, b]) AS pairs RETURN size(pairs)",
    "RETURN size([x IN range(1, 5000) WHERE size([y IN range(1, 5000) WHERE y = x]) > 0])",
    "RETURN [x IN range(1, 10000) | [y IN range(1, 10000) | range(1, 1000)]]",
    "RETURN reduce(l = [1], x IN range(1, 40) | l + l)",
    "UNWIND range(1, $n) AS x RETURN count(x)",
]
IN_A_STRING = {"RETURN \"a\\\" CREATE (:X) //\" AS s"}  # the write is text inside a string literal
QUERIES = WRITES + PROCEDURES + EXFILTRATION + EXHAUSTION
FIGURES: Counter[str] = Counter()


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    base = tmp_path_factory.mktemp("attack")
    settings = make_settings(base / "data", cypher_timeout=TIMEOUT)
    lines = (SAMPLE / "casussen.jsonl").read_text(encoding="utf-8").splitlines()[:N_CASES]
    src = base / "in.jsonl"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    store = open_store(settings)
    assert ingest_paths(store, settings, [src]).ingested == N_CASES
    projection = Projection(store, settings)
    projection.ensure_current()
    texts = [t for row in store.read(
        "MATCH (c:Casus) OPTIONAL MATCH (c)-[:HEEFT_KNELPUNT]->(k) OPTIONAL MATCH (c)-[:LEVERDE_LEERPUNT]->(l) "
        "OPTIONAL MATCH (l)-[:HEEFT_OPVOLGING]->(o) "
        "RETURN c.tekst AS c, c.titel AS t, k.omschrijving AS k, l.tekst AS l, o.tekst AS o")
        for t in row.values() if isinstance(t, str) and len(t) >= 30]
    pieces = {t[i:i + 30] for t in texts for i in range(len(t) - 29)}
    # a registered knelpunt may quote its category's public description (the taxonomy): that is not case text
    public = "\n".join(str(r["b"]) for r in store.read("MATCH (k:KnelpuntCategorie) RETURN k.beschrijving AS b"))
    pieces = {p for p in pieces if p not in public}
    assert len(texts) >= N_CASES and pieces
    yield settings, store, projection, pieces
    projection.close()
    store.close()
    if FIGURES:
        report(FIGURES)


def checksum(store) -> tuple[int, int, str]:
    nodes = store.read("MATCH (n) RETURN labels(n) AS l, properties(n) AS p", include_embedding=True)
    rels = store.read("MATCH (a)-[r]->(b) RETURN id(a) AS a, type(r) AS t, properties(r) AS p, id(b) AS b")
    blob = "\n".join(sorted(json.dumps(x, sort_keys=True, ensure_ascii=False) for x in nodes + rels))
    return len(nodes), len(rels), hashlib.sha256(blob.encode()).hexdigest()


def leaks(answer: str, pieces: set[str]) -> list[str]:
    return [answer[i:i + 30] for i in range(len(answer) - 29) if answer[i:i + 30] in pieces]


@pytest.mark.parametrize("query", QUERIES)
def test_attack_changes_nothing_and_returns_no_text(env, query):
    settings, store, projection, pieces = env
    before = checksum(store), checksum(projection.store)
    try:
        rows = run_cypher(store, settings, query, limit=1000)
        answer, outcome = json.dumps(rows, ensure_ascii=False, default=str), "beantwoord zonder tekst"
    except ReadOnlyError as exc:
        answer = str(exc)
        outcome = "geweigerd door de tokenizer" if write_reason(query) else "geweigerd door de database (alleen lezen)"
    except QueryTimeout as exc:
        answer, outcome = str(exc), "gestopt op de tijdlimiet"
    except QueryMemoryError as exc:
        answer = str(exc)
        outcome = ("geweigerd door de tokenizer (lijst in één expressie)" if expression_reason(query)
                   else "gestopt op de geheugenlimiet")
    except (BadInput, CasusgraafError) as exc:  # syntax, unknown procedure or function, engine error
        answer, outcome = str(exc), "geweigerd door de database (fout in de query)"
    FIGURES[outcome] += 1
    assert "Traceback" not in answer
    assert not leaks(answer, pieces), f"{outcome}: case text in the answer"
    assert (checksum(store), checksum(projection.store)) == before, f"{outcome}: the graph changed"
    # the server still answers at once: no orphaned query holds it
    assert run_readonly(projection.store, "RETURN 1 AS x", timeout=TIMEOUT + MARGIN) == [{"x": 1}]
    if query in WRITES and query not in IN_A_STRING:
        assert outcome != "beantwoord zonder tekst", "a write was answered"


def test_the_suite_is_big_enough():
    assert len(QUERIES) >= 60 and len(set(QUERIES)) == len(QUERIES)


def report(figures: Counter[str]) -> None:
    total = sum(figures.values())
    order = ["geweigerd door de tokenizer", "geweigerd door de tokenizer (lijst in één expressie)",
             "geweigerd door de database (alleen lezen)",
             "geweigerd door de database (fout in de query)", "gestopt op de tijdlimiet",
             "gestopt op de geheugenlimiet", "beantwoord zonder tekst"]
    lines = ["| uitkomst | aantal |", "|---|---:|", f"| geprobeerd | {total} |"]
    lines += [f"| {k} | {figures.get(k, 0)} |" for k in order]
    lines += ["| met casustekst in het antwoord | 0 |", "| graaf of projectie gewijzigd | 0 |"]
    table = "\n".join(lines)
    print("\n" + table)
    if os.environ.get("CASUSGRAAF_UPDATE_SECURITY_DOC") == "1" and total == len(QUERIES):
        text = DOC.read_text(encoding="utf-8")
        start, end = "<!-- cypher-figures:start -->", "<!-- cypher-figures:end -->"
        head, _, rest = text.partition(start)
        _, _, tail = rest.partition(end)
        DOC.write_text(f"{head}{start}\n{table}\n{end}{tail}", encoding="utf-8")
