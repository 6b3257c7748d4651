"""End to end ingest on the real engines: sample corpus, idempotence, update in place, delete, bad input."""

from __future__ import annotations

import json

import pytest

from casusgraaf.errors import NotFound
from casusgraaf.graph import load_query
from casusgraaf.search.indexes import Indexes
from casusgraaf.search.similar import Query, SearchEngine
from casusgraaf.services.ingest import delete_case, ingest_paths

REQUIRED_LABELS = ["Casus", "Knelpunt", "KnelpuntCategorie", "Wet", "Organisatie", "Leerpunt", "Leefgebied",
                   "Beleidsterrein"]
REQUIRED_RELS = ["HEEFT_KNELPUNT", "IN_CATEGORIE", "RAAKT_WET", "BETROKKEN", "INGEDIEND_DOOR",
                 "BETREFT_LEEFGEBIED", "VALT_ONDER", "LEVERDE_LEERPUNT", "BELEGD_BIJ"]


def _count(store, query, **params):
    return store.run(query, params)[0]["n"]


def _sample_ids(sample_dir):
    ids = []
    for path in sorted(sample_dir.glob("*.jsonl")):  # casussen.jsonl and patronen.jsonl
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                ids.append(json.loads(line)["id"])
    return ids + [p.stem for p in sample_dir.glob("*.md")]


def test_sample_corpus_fully_ingested(corpus_env, sample_dir):
    settings, store, report = corpus_env
    assert report.failed == 0 and report.quarantined == 0, report.to_dict()["problems"]
    n_expected = len(set(_sample_ids(sample_dir)))
    assert report.ingested == n_expected
    assert _count(store, "MATCH (c:Casus) RETURN count(c) AS n") == n_expected


def test_every_label_and_relationship_exists(corpus_env):
    _settings, store, _ = corpus_env
    for label in REQUIRED_LABELS:
        assert _count(store, f"MATCH (x:{label}) RETURN count(x) AS n") > 0, label
    for rel in REQUIRED_RELS:
        assert _count(store, f"MATCH ()-[r:{rel}]->() RETURN count(r) AS n") > 0, rel


def test_embeddings_on_nodes_and_in_faiss(corpus_env):
    settings, store, _ = corpus_env
    n = _count(store, "MATCH (c:Casus) WHERE c.embedding IS NOT NULL RETURN count(c) AS n")
    assert n == _count(store, "MATCH (c:Casus) RETURN count(c) AS n")
    dense = Indexes(settings).load_dense()
    assert len(dense) == n


def test_extracted_entities_carry_provenance(corpus_env):
    _settings, store, _ = corpus_env
    rows = store.run("MATCH (c:Casus)-[r:RAAKT_WET]->(w:Wet) WHERE r.bron = 'extractie' "
                     "RETURN c.tekst AS tekst, r.surfaces AS s, r.starts AS a, r.ends AS b, r.methode AS m LIMIT 50")
    assert rows, "no extracted wetten at all"
    for row in rows:
        assert row["m"]
        for surface, start, end in zip(row["s"], row["a"], row["b"], strict=True):
            assert row["tekst"][start:end] == surface


def test_registered_facts_are_never_replaced(corpus_env, sample_dir):
    _settings, store, _ = corpus_env
    first = None
    for line in (sample_dir / "casussen.jsonl").read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        if rec.get("wetten"):
            first = rec
            break
    assert first is not None
    rows = store.run("MATCH (c:Casus {id: $id})-[r:RAAKT_WET]->(w) WHERE r.bron = 'registratie' RETURN count(r) AS n",
                     {"id": first["id"]})
    assert rows[0]["n"] >= 1


def test_reingest_is_unchanged_then_edit_updates_in_place_then_delete(fresh_env, tmp_path, sample_dir):
    settings, store = fresh_env
    lines = (sample_dir / "casussen.jsonl").read_text(encoding="utf-8").splitlines()[:12]
    src = tmp_path / "cases.jsonl"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")

    first = ingest_paths(store, settings, [src])
    assert (first.ingested, first.updated, first.unchanged) == (12, 0, 0)
    again = ingest_paths(store, settings, [src])
    assert (again.ingested, again.updated, again.unchanged) == (0, 0, 12)

    engine = SearchEngine(store, settings)
    target = json.loads(lines[0])["id"]
    other = json.loads(lines[5])
    before = [r["case_id"] for r in engine.similar(Query(case_ids=[target], k=3, explain=False))]

    # Give case 0 the text of case 5: its nearest neighbour must become case 5.
    edited = json.loads(lines[0])
    edited["tekst"] = other["tekst"] + " Aanvulling van de regievoerder na het signalenoverleg."
    lines[0] = json.dumps(edited, ensure_ascii=False)
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    third = ingest_paths(store, settings, [src])
    assert (third.ingested, third.updated, third.unchanged) == (0, 1, 11)
    assert _count(store, "MATCH (c:Casus) RETURN count(c) AS n") == 12
    after = [r["case_id"] for r in engine.similar(Query(case_ids=[target], k=3, explain=False))]
    assert after[0] == other["id"]
    assert after != before

    delete_case(store, settings, other["id"])
    assert _count(store, "MATCH (c:Casus {id: $id}) RETURN count(c) AS n", id=other["id"]) == 0
    assert other["id"] not in Indexes(settings).load_dense().ids()
    remaining = [r["case_id"] for r in engine.similar(Query(case_ids=[target], k=11, explain=False))]
    assert other["id"] not in remaining
    with pytest.raises(NotFound):
        delete_case(store, settings, other["id"])


def test_bad_records_are_reported_and_good_ones_kept(fresh_env, tmp_path):
    settings, store = fresh_env
    src = tmp_path / "mixed.jsonl"
    src.write_text(
        '{"id": "ok-1", "tekst": "De gemeente vroeg bijzondere bijstand aan voor een gezin met schulden."}\n'
        '{"id": "kapot", "tekst": \n'
        '{"id": "leeg"}\n'
        '{"id": "jaar-fout", "tekst": "Een casus over de Wmo.", "jaar": "vorig jaar"}\n'
        '{"id": "ok-2", "tekst": "Het UWV en de gemeente verschilden van mening over de Ziektewet."}\n',
        encoding="utf-8")
    report = ingest_paths(store, settings, [src])
    assert report.ingested == 2 and report.failed == 3
    wheres = {p.where for p in report.problems if p.kind == "fout"}
    assert wheres == {f"{src}:2", f"{src}:3", f"{src}:4"}
    assert _count(store, "MATCH (c:Casus) RETURN count(c) AS n") == 2


def test_csv_and_markdown_readers(fresh_env, tmp_path):
    settings, store = fresh_env
    csv_file = tmp_path / "cases.csv"
    csv_file.write_text('id,jaar,tekst,wetten\n'
                        'c-1,2022,"Een jongere rond 18 verloor jeugdhulp, de Wmo sloot niet aan.",Jeugdwet;Wmo 2015\n',
                        encoding="utf-8")
    md = tmp_path / "notitie.md"
    md.write_text("---\nid: md-1\njaar: 2024\nleefgebieden: [financiën]\n---\nDe SVB stopte de kinderbijslag.\n",
                  encoding="utf-8")
    report = ingest_paths(store, settings, [csv_file, md])
    assert report.ingested == 2, report.to_dict()
    rows = store.run(load_query("case_entities"), {"ids": ["c-1"]})
    wetten = {r["naam"] for r in rows if r["rel"] == "RAAKT_WET" and r["bron"] == "registratie"}
    assert {"Jeugdwet", "Wmo 2015"} <= wetten
