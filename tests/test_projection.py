"""The text-free projection analyst Cypher runs on: every schema property is classified, no text property
ever reaches it, it counts what the full graph counts for the allowed part, it follows ingest, change,
delete and reindex incrementally (and ends where a rebuild ends), and it catches up when it lags.
Real embedded FalkorDB, real model, real ingest."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from casusgraaf.graph.projection import Projection, projection_name, specs, unclassified
from casusgraaf.graph.schema import load_schema
from casusgraaf.services.analysis import run_cypher
from casusgraaf.services.ingest import delete_case, ingest_paths, reindex
from tests.records import full_record

TEXTS = {
    "2023-042": "Een vrouw in Beukendorp wacht al maanden op een besluit over haar toeslag en raakt in de schulden.",
    "2023-043": "Een jongere rond achttien valt tussen jeugdzorg en volwassenenzorg; niemand wil de zorg betalen.",
    "2023-044": "Een gezin zonder vaste woonplaats krijgt geen briefadres en daardoor geen uitkering of zorgverzekering.",
}


def record(cid: str, **kw) -> dict:
    rec = full_record(id=cid, tekst=TEXTS[cid], titel=f"Titel van casus {cid} over wachten en schulden", **kw)
    rec["knelpunten"][0]["omschrijving"] = f"Omschrijving van het knelpunt in casus {cid}, met eigen woorden."
    return rec


def write(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def secrets_of(records: list[dict]) -> list[str]:
    """Every free text the records carry: none may reach the projection."""
    out = []
    for r in records:
        out += [r["tekst"], r["titel"], *(k["omschrijving"] for k in r["knelpunten"])]
        for lp in r["leerpunten"]:
            out += [lp["tekst"], lp["status"], *(o["tekst"] for o in lp["opvolging"])]
    return out


def dump(store) -> list[str]:
    nodes = store.read("MATCH (n) WHERE NOT n:Meta RETURN labels(n) AS l, properties(n) AS p")
    rels = store.read("MATCH (a)-[r]->(b) RETURN type(r) AS t, properties(r) AS p, properties(a) AS a, "
                      "properties(b) AS b")
    return sorted(json.dumps(x, sort_keys=True, ensure_ascii=False) for x in nodes + rels)


def assert_text_free(projection: Projection, texts: list[str]) -> None:
    allowed = {s.label: set(s.props) for s in specs()[0]} | {"Meta": {"key", "generation", "knopen", "relaties"}}
    for row in projection.store.read("MATCH (n) RETURN labels(n)[0] AS l, keys(n) AS k"):
        assert set(row["k"]) <= allowed[row["l"]], row
    rel_allowed = {r.type: set(r.props) for r in specs()[1]}
    for row in projection.store.read("MATCH ()-[r]->() RETURN type(r) AS t, keys(r) AS k"):
        assert set(row["k"]) <= rel_allowed[row["t"]], row
    everything = "\n".join(dump(projection.store))
    for text in texts:
        if len(text) < 20:  # short free texts ("besproken met BZK"): the whole text
            assert f'"{text}"' not in everything, text
        for i in range(0, max(1, len(text) - 20), 5):
            assert text[i:i + 20] not in everything, f"text fragment in the projection: {text[i:i + 20]!r}"


def test_every_schema_property_is_classified():
    assert unclassified() == []
    schema = copy.deepcopy(load_schema())
    schema["nodes"]["Casus"]["properties"]["nieuw_veld"] = {"type": "string"}
    schema["relationships"]["RAAKT_WET"]["properties"]["notitie"] = {"type": "string", "analyse": "misschien"}
    assert unclassified(schema) == ["Casus.nieuw_veld", "RAAKT_WET.notitie"]


def test_text_properties_stay_out():
    nodes, rels = specs()
    casus = next(s for s in nodes if s.label == "Casus")
    assert not {"tekst", "titel", "hash", "embedding"} & set(casus.props)
    assert {"id", "jaar", "uitkomst", "kon_verder"} <= set(casus.props)
    for spec in nodes:
        assert "tekst" not in spec.props and "omschrijving" not in spec.props
    for rel in rels:
        assert not {"surfaces", "starts", "ends"} & set(rel.props)
    assert {s.label: s.props[s.key] for s in nodes}["Leerpunt"] == "hmac"


@pytest.fixture
def env(fresh_env, tmp_path):
    settings, store = fresh_env
    a, b = record("2023-042"), record("2023-043")
    ingest_paths(store, settings, [write(tmp_path / "ab.jsonl", [a, b])])  # b shares leerpunt LP-2023-042-a
    return settings, store, [a, b]


def test_projection_follows_ingest_delete_and_reindex(env, tmp_path, monkeypatch):
    settings, store, records = env
    rebuilds: list[int] = []
    original = Projection._rebuild_unlocked

    def counted(self):
        rebuilds.append(1)
        return original(self)

    monkeypatch.setattr(Projection, "_rebuild_unlocked", counted)
    graphs = store._command("GRAPH.LIST")
    assert projection_name(settings) in graphs and settings.graph_name in graphs
    with Projection(store, settings) as p:
        assert p.current()
        assert p.counts(store) == p.counts() and p.counts()["Casus"] == 2
        assert_text_free(p, secrets_of(records))
        full_ids = {r["id"] for r in store.read("MATCH (l:Leerpunt) RETURN l.id AS id")}
        proj_ids = {r["id"] for r in p.store.read("MATCH (l:Leerpunt) RETURN l.id AS id")}
        assert len(proj_ids) == len(full_ids) and not proj_ids & full_ids  # keyed, still one per leerpunt
        assert p.store.read("MATCH (c:Casus) WHERE c.tekst IS NOT NULL OR c.hash IS NOT NULL RETURN c") == []

        # a new and a changed case: incremental, and the same result a rebuild gives
        changed = record("2023-043", uitkomst="doorverwezen")
        new = record("2023-044")
        ingest_paths(store, settings, [write(tmp_path / "cd.jsonl", [changed, new])])
        assert rebuilds == []  # incremental
        assert p.current() and p.counts(store) == p.counts() and p.counts()["Casus"] == 3
        assert p.store.read("MATCH (c:Casus {id: '2023-043'}) RETURN c.uitkomst AS u") == [{"u": "doorverwezen"}]
        incremental = dump(p.store)
        p.rebuild()
        p.close()
        assert dump(p.store) == incremental
        assert_text_free(p, secrets_of([*records, changed, new]))

        # delete: gone from the projection too; the shared leerpunt stays with the other case
        rebuilds.clear()
        delete_case(store, settings, "2023-042")
        assert rebuilds == []
        assert p.current() and p.counts(store) == p.counts()
        assert p.store.read("MATCH (c:Casus {id: '2023-042'}) RETURN c") == []
        assert p.store.read("MATCH (c:Casus)-[:LEVERDE_LEERPUNT]->(l) RETURN c.id AS id ORDER BY id") == [
            {"id": "2023-043"}, {"id": "2023-044"}]
        incremental = dump(p.store)
        p.rebuild()
        p.close()
        assert dump(p.store) == incremental

    # reindex rebuilds it from nothing
    store._command("GRAPH.DELETE", projection_name(settings))
    assert reindex(store, settings)["projectie"] == "herbouwd"
    with Projection(store, settings) as p:
        assert p.current() and p.counts(store) == p.counts()


def test_analyst_cypher_runs_on_the_projection_and_catches_up(env):
    settings, store, records = env
    rows = run_cypher(store, settings, "MATCH (c:Casus) RETURN c.id AS id, c.tekst AS tekst, c.titel AS titel, "
                                       "properties(c) AS p ORDER BY id")
    assert [r["id"] for r in rows] == ["2023-042", "2023-043"]
    assert all(r["tekst"] is None and r["titel"] is None and "tekst" not in r["p"] for r in rows)
    # a write that bypasses the sync (a label outside the schema, a status entry): the next query catches up
    store.run("CREATE (:Tijdelijk {tekst: 'buiten het schema'})")
    store.run("MATCH (l:Leerpunt {id: 'LP-2023-042-a'}) CREATE (l)-[:HEEFT_OPVOLGING]->(:Opvolging {id: 'x~1', "
              "code: 'OPGEPAKT', "
              "tekst: 'een vrije tekst over de opvolging'})")
    with Projection(store, settings) as p:
        assert not p.current()
    rows = run_cypher(store, settings, "MATCH (o:Opvolging) RETURN o.code AS code, o.tekst AS tekst")
    assert {"code": "OPGEPAKT", "tekst": None} in rows
    assert run_cypher(store, settings, "MATCH (t:Tijdelijk) RETURN count(t) AS n") == [{"n": 0}]
    with Projection(store, settings) as p:
        assert p.current() and p.counts(store) == p.counts()


def test_analyst_aggregates_have_small_cells_suppressed(corpus_env):
    """An analyst's aggregating query shows counts 1..4 as "<5" (also through WITH aliases and inside lists);
    the same query for the beheerder (CLI: no viewer) shows the numbers; a query without a count is untouched."""
    from casusgraaf.accounts import User

    settings, store, _ = corpus_env
    analist = User(naam="ana", rollen=frozenset({"analist"}))
    beheerder = User(naam="bea", rollen=frozenset({"analist", "beheerder"}))
    q = "MATCH (c:Casus)-[:RAAKT_WET]->(w:Wet) RETURN w.naam AS wet, count(c) AS n ORDER BY n, wet"
    full = run_cypher(store, settings, q)
    assert full == run_cypher(store, settings, q, viewer=beheerder)
    shown = run_cypher(store, settings, q, viewer=analist)
    assert [r["wet"] for r in shown] == [r["wet"] for r in full]
    small = [r for r in full if 0 < r["n"] < 5]
    assert small, "the sample corpus has laws in fewer than 5 cases"
    assert all(s["n"] == ("<5" if 0 < f["n"] < 5 else f["n"]) for s, f in zip(shown, full, strict=True))
    via_with = run_cypher(store, settings, "MATCH (c:Casus)-[:RAAKT_WET]->(w:Wet) WITH w, count(c) AS n "
                                           "RETURN collect(n) AS ns", viewer=analist)
    assert set(via_with[0]["ns"]) == {"<5"} | {f["n"] for f in full if f["n"] >= 5}
    years = run_cypher(store, settings, "MATCH (c:Casus) RETURN DISTINCT c.jaar AS j ORDER BY j", viewer=analist)
    assert all(isinstance(r["j"], int) for r in years if r["j"] is not None)
