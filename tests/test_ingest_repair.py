"""A run that fails half-way is repaired by the next run: the content hash is written last.

The fault is injected into the real pipeline on the real embedded graph: the write of one link kind raises.
"""

from __future__ import annotations

import json

import pytest

from casusgraaf.graph import load_query
from casusgraaf.services.ingest import ingest_paths

RECORDS = [
    {"id": "r-1", "jaar": 2024, "tekst": "De gemeente Eikendam vroeg het Loket mee te denken over bijzondere bijstand "
     "naast een Wajong-uitkering van het UWV.", "wetten": ["Participatiewet"], "leefgebieden": ["financiën"],
     "leerpunten": [{"tekst": "Leg de samenloop van Wajong en bijstand vast in een werkinstructie.", "belegd_bij": "SZW"}]},
    {"id": "r-2", "jaar": 2023, "tekst": "Een jongere zonder zorgverzekering kwam na terugkeer uit het buitenland "
     "niet in aanmerking voor jeugdhulp.", "wetten": ["Zvw", "Jeugdwet"],
     "leerpunten": [{"tekst": "Maak de route voor onverzekerde jongeren bekend bij wijkteams.", "belegd_bij": "VWS"}]},
]


def _counts(store) -> dict:
    q = ("MATCH (c:Casus) OPTIONAL MATCH (c)-[:LEVERDE_LEERPUNT]->(l) OPTIONAL MATCH (c)-[:RAAKT_WET]->(w) "
         "RETURN c.id AS id, c.hash AS hash, count(DISTINCT l) AS leerpunten, count(DISTINCT w) AS wetten ORDER BY id")
    return {r["id"]: r for r in store.run(q)}


def test_failed_link_write_is_repaired_by_the_next_run(fresh_env, tmp_path, monkeypatch):
    settings, store = fresh_env
    src = tmp_path / "casussen.jsonl"
    src.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in RECORDS) + "\n", encoding="utf-8")

    real_write = store.write
    failing = load_query("ingest_leerpunten")

    def write(query, rows, *args, **kwargs):
        if query == failing:
            raise RuntimeError("injected fault between two ingest steps")
        return real_write(query, rows, *args, **kwargs)

    monkeypatch.setattr(store, "write", write)
    with pytest.raises(RuntimeError, match="injected"):
        ingest_paths(store, settings, [src])
    half = _counts(store)
    assert set(half) == {"r-1", "r-2"}  # the cases and their first links were written ...
    assert all(r["hash"] is None and r["leerpunten"] == 0 for r in half.values())  # ... but not the hash

    monkeypatch.setattr(store, "write", real_write)
    again = ingest_paths(store, settings, [src])
    assert again.unchanged == 0 and again.ingested + again.updated == 2
    full = _counts(store)
    assert all(r["hash"] and r["leerpunten"] == 1 and r["wetten"] >= 1 for r in full.values()), full
    # the repair did not duplicate anything, and a third run sees nothing to do
    assert store.run("MATCH (l:Leerpunt) RETURN count(l) AS n")[0]["n"] == 2
    third = ingest_paths(store, settings, [src])
    assert third.unchanged == 2 and third.ingested == third.updated == 0


def test_changed_case_failing_half_way_keeps_counting_as_changed(fresh_env, tmp_path, monkeypatch):
    settings, store = fresh_env
    src = tmp_path / "casussen.jsonl"
    src.write_text(json.dumps(RECORDS[0], ensure_ascii=False) + "\n", encoding="utf-8")
    ingest_paths(store, settings, [src])
    old_hash = _counts(store)["r-1"]["hash"]

    changed = dict(RECORDS[0], tekst=RECORDS[0]["tekst"] + " Het UWV paste de uitkering later aan.")
    src.write_text(json.dumps(changed, ensure_ascii=False) + "\n", encoding="utf-8")
    real_write = store.write
    monkeypatch.setattr(store, "write", lambda q, rows, *a, **k: (_ for _ in ()).throw(RuntimeError("injected"))
                        if q == load_query("ingest_link_wet") else real_write(q, rows, *a, **k))
    with pytest.raises(RuntimeError):
        ingest_paths(store, settings, [src])
    assert _counts(store)["r-1"]["hash"] is None  # half-written: no hash, so any later run redoes it

    monkeypatch.setattr(store, "write", real_write)
    # the OLD version comes back (a rerun of the earlier file): it must be rewritten, not taken as unchanged
    src.write_text(json.dumps(RECORDS[0], ensure_ascii=False) + "\n", encoding="utf-8")
    back = ingest_paths(store, settings, [src])
    assert back.unchanged == 0 and back.ingested + back.updated == 1
    row = _counts(store)["r-1"]
    assert row["hash"] == old_hash and row["wetten"] >= 1 and row["leerpunten"] == 1

    src.write_text(json.dumps(changed, ensure_ascii=False) + "\n", encoding="utf-8")
    report = ingest_paths(store, settings, [src])
    assert report.updated == 1
    row = _counts(store)["r-1"]
    assert row["hash"] != old_hash and row["wetten"] >= 1 and row["leerpunten"] == 1


def test_unchanged_records_skip_the_privacy_gate_and_the_model(fresh_env, tmp_path, monkeypatch):
    """Hash first: re-reading unchanged records runs neither the gate nor the NLP nor the embedder."""
    import casusgraaf.ingest.pipeline as pipeline
    from casusgraaf.privacy import get_gate

    settings, store = fresh_env
    src = tmp_path / "casussen.jsonl"
    src.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in RECORDS) + "\n", encoding="utf-8")
    assert ingest_paths(store, settings, [src]).ingested == 2

    def must_not_run(*args, **kwargs):
        raise AssertionError("an unchanged record reached the gate or the model")

    monkeypatch.setattr(get_gate(), "check_record", must_not_run)
    monkeypatch.setattr(pipeline, "extract", must_not_run)
    monkeypatch.setattr(pipeline, "get_embedder", must_not_run)
    again = ingest_paths(store, settings, [src])
    assert again.unchanged == 2 and again.ingested == again.updated == again.quarantined == 0
    assert sorted(again.case_ids) == ["r-1", "r-2"]


def test_redacted_record_is_recognised_as_unchanged(fresh_env, tmp_path):
    settings, store = fresh_env
    src = tmp_path / "redact.jsonl"
    src.write_text(json.dumps({"id": "p-1", "jaar": 2024, "tekst": "Pieter de Vries vroeg bijzondere bijstand aan "
                               "bij de gemeente."}, ensure_ascii=False) + "\n", encoding="utf-8")
    first = ingest_paths(store, settings, [src], redact=True)
    assert first.ingested == 1 and first.redacted == 1
    again = ingest_paths(store, settings, [src], redact=True)
    assert again.unchanged == 1 and again.redacted == 0
    assert "Pieter" not in store.run("MATCH (c:Casus {id: 'p-1'}) RETURN c.tekst AS t")[0]["t"]
