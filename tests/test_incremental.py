"""Derived state by deltas: a loaded engine applies the index change log instead of reloading, and ends up
where a fresh engine starts; a gap or another model reloads/rebuilds; ingest streams its input in batches.

Real engines throughout: embedded FalkorDB, FAISS, the e5 model, the privacy gate."""

from __future__ import annotations

import json
import logging

import numpy as np
import pytest

import casusgraaf.ingest.pipeline as pipeline
from casusgraaf.graph.vectors import VectorFile, decode
from casusgraaf.ingest.readers import iter_records
from casusgraaf.search.indexes import CHANGES, Indexes
from casusgraaf.search.keyword import keyword_search
from casusgraaf.search.similar import Query, SearchEngine
from casusgraaf.services.ingest import delete_case, ingest_items, ingest_paths

TOPICS = [
    "De huurtoeslag stopte na een adresonderzoek en de woningcorporatie dreigde met ontruiming.",
    "Het UWV en de gemeente wezen naar elkaar voor de aanvulling op de Wajong-uitkering.",
    "Een jongere van achttien viel tussen Jeugdwet en Wmo 2015 en had geen woonplek meer.",
    "De schuldhulpverlening kon niet starten omdat het CJIB bleef innen onder de beslagvrije voet.",
    "Zonder geldig identiteitsbewijs kon de bank geen rekening openen voor de bijstandsuitkering.",
    "De zorgverzekeraar weigerde de vergoeding en het CAK legde een bestuursrechtelijke premie op.",
]


def _records(prefix: str, n: int, start: int = 0) -> list[dict]:
    return [{"id": f"{prefix}-{i}", "jaar": 2024, "wetten": ["Participatiewet"] if i % 2 else [],
             "tekst": f"Casus {prefix} {i}. {TOPICS[i % len(TOPICS)]} {TOPICS[(i + 1) % len(TOPICS)]}"}
            for i in range(start, start + n)]


def _write(path, records) -> None:
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", encoding="utf-8")


def _scores(engine: SearchEngine, cid: str) -> dict[str, float]:
    n = len(engine.state.ids)
    return {r["case_id"]: r["score"] for r in engine.similar(Query(case_ids=[cid], k=n, explain=False))}


def test_deltas_are_applied_and_equal_a_fresh_engine(fresh_env, tmp_path):
    settings, store = fresh_env
    first = tmp_path / "eerst.jsonl"
    _write(first, _records("a", 6))
    ingest_paths(store, settings, [first])
    engine = SearchEngine(store, settings)
    fit = engine.state.fit
    assert engine.loads == {"full": 1, "delta": 0}

    later = tmp_path / "later.jsonl"
    changed = dict(_records("a", 1)[0], tekst="Casus a 0, herschreven. " + TOPICS[3])
    _write(later, _records("b", 3) + [changed])
    ingest_paths(store, settings, [later])
    assert {"b-0", "b-2"} <= set(_scores(engine, "b-1"))
    delete_case(store, settings, "a-4")
    delete_case(store, settings, "b-0")
    after = {cid: _scores(engine, cid) for cid in ("a-0", "a-1", "b-1")}
    assert engine.loads == {"full": 1, "delta": 2}, engine.loads  # never reloaded in full (both deletes: one step)
    assert engine.state.fit == fit  # the vocabulary/IDF stayed fixed
    assert "a-4" not in engine.state.pos and "b-0" not in engine.state.pos

    fresh = SearchEngine(store, settings)
    assert sorted(fresh.state.ids) == sorted(engine.state.ids)
    for cid, scores in after.items():
        expected = _scores(fresh, cid)
        assert scores.keys() == expected.keys()
        for other, score in expected.items():
            assert scores[other] == pytest.approx(score, abs=2e-3), (cid, other)
    # the changed case is searched by its new text, not the old one
    assert engine.state.cases["a-0"]["tekst"].startswith("Casus a 0, herschreven")
    assert keyword_search(engine, "herschreven")["total"] == 1


def test_lexical_index_after_deltas_finds_a_new_case_by_its_own_text(fresh_env, tmp_path):
    settings, store = fresh_env
    src = tmp_path / "c.jsonl"
    _write(src, _records("c", 5))
    ingest_paths(store, settings, [src])
    engine = SearchEngine(store, settings)
    new = {"id": "c-nieuw", "jaar": 2025, "tekst": "Een mantelzorger verloor de PGB-vergoeding na een herindicatie "
           "door het zorgkantoor, terwijl de Wlz-zorg doorliep."}
    ingest_items(store, settings, [*_items([new])])
    st = engine.snapshot()
    assert engine.loads["delta"] == 1 and st.fit == Indexes(settings).manifest()["fit"]
    scores = engine.lexical_text_scores(new["tekst"], st)
    assert st.ids[int(np.argmax(scores))] == "c-nieuw" and scores.max() > 0.99


def _items(records):
    from casusgraaf.ingest.readers import ReadItem
    from casusgraaf.ingest.readers.validate import to_record

    for i, r in enumerate(records, start=1):
        record, error, warnings = to_record(r)
        yield ReadItem("test", i, raw=json.dumps(r), record=record, error=error, warnings=warnings)


def test_a_gap_in_the_change_log_reloads_in_full(fresh_env, tmp_path):
    settings, store = fresh_env
    src = tmp_path / "g.jsonl"
    _write(src, _records("g", 4))
    ingest_paths(store, settings, [src])
    engine = SearchEngine(store, settings)
    ingest_items(store, settings, _items(_records("g", 2, start=4)))
    (settings.index_dir / CHANGES).unlink()  # the entries this engine needs are gone
    st = engine.snapshot(wait=True)
    assert engine.loads == {"full": 2, "delta": 0}
    assert {"g-4", "g-5"} <= set(st.pos)


def test_another_model_forces_a_rebuild_with_a_message(fresh_env, tmp_path, caplog):
    settings, store = fresh_env
    src = tmp_path / "m.jsonl"
    _write(src, _records("m", 3))
    ingest_paths(store, settings, [src])
    engine = SearchEngine(store, settings)
    before = Indexes(settings).manifest()
    with caplog.at_level(logging.WARNING):
        out = Indexes(settings).apply(store, upserts={"m-0": np.ones(8, np.float32)}, model="ander-model")
    assert out["pad"] == "rebuild" and "ander-model" in out["reden"] and before["model"] in out["reden"]
    assert any("opnieuw" in r.getMessage() for r in caplog.records)
    m = Indexes(settings).manifest()
    assert (m["model"], m["dim"]) == ("ander-model", 8)
    st = engine.snapshot(wait=True)  # the engine sees the other model and reloads in full, never mixes vectors
    assert engine.loads["full"] == 2 and st.dim == 8 and st.dense is not None and st.dense.dim == 8


def test_vectors_live_in_the_sidecar_and_on_the_node(fresh_env, tmp_path):
    settings, store = fresh_env
    src = tmp_path / "v.jsonl"
    _write(src, _records("v", 2))
    ingest_paths(store, settings, [src])
    rows = store.run("MATCH (c:Casus) RETURN c.id AS id, c.embedding AS e, c.embedding_ref AS ref ORDER BY id",
                     include_embedding=True)
    found, matrix = VectorFile(settings).read([r["ref"] for r in rows])
    assert found.all()
    for r, vec in zip(rows, matrix, strict=True):
        assert isinstance(r["e"], str)  # compact, never a list of floats
        np.testing.assert_array_equal(decode(r["e"]), vec)
    # a rebuild reads the sidecar; without it, the nodes' own copies
    info = Indexes(settings).rebuild(store)
    assert info["vectors"] == 2
    for f in (settings.data_dir / "vectors").glob("*.f32"):
        f.unlink()
    assert Indexes(settings).rebuild(store)["vectors"] == 2


def test_ingest_streams_in_batches_and_keeps_the_good_lines(fresh_env, tmp_path, monkeypatch):
    settings, store = fresh_env
    records = _records("s", 24)
    lines = [json.dumps(r, ensure_ascii=False) for r in records]
    lines.insert(7, '{"id": "kapot", "tekst": ')  # one bad line among the good ones
    src = tmp_path / "groot.jsonl"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.setattr(pipeline, "BATCH_SIZE", 10)

    read = {"n": 0}
    batches: list[tuple[int, int]] = []  # (items read so far, batch size) at each write

    def counting(paths):
        for item in iter_records(paths):
            read["n"] += 1
            yield item

    real_write = pipeline._write

    def write(store_, settings_, accepted, *args, **kwargs):
        batches.append((read["n"], len(accepted)))
        return real_write(store_, settings_, accepted, *args, **kwargs)

    monkeypatch.setattr(pipeline, "_write", write)
    report = ingest_items(store, settings, counting([src]))
    assert [size for _, size in batches] == [9, 10, 5]  # 25 lines: 9 good + the bad one, 10, 5
    assert all(seen <= 10 * (i + 1) for i, (seen, _) in enumerate(batches))  # never read ahead of its batch
    assert report.ingested == 24 and report.failed == 1
    assert report.problems[0].where == f"{src}:8"
    n = store.run("MATCH (c:Casus) WHERE c.hash IS NOT NULL RETURN count(c) AS n")[0]["n"]
    assert n == 24
    again = ingest_items(store, settings, counting([src]))
    assert again.unchanged == 24 and again.ingested == 0


def test_a_deleted_case_leaves_no_vector_or_lexical_row_behind(fresh_env, tmp_path):
    settings, store = fresh_env
    src = tmp_path / "e.jsonl"
    _write(src, _records("e", 4))
    ingest_paths(store, settings, [src])
    ingest_items(store, settings, _items(_records("e", 1, start=4)))  # e-4 arrives by a delta
    ref = store.run("MATCH (c:Casus {id: 'e-4'}) RETURN c.embedding_ref AS ref")[0]["ref"]
    assert VectorFile(settings).read([ref])[1].any()
    delete_case(store, settings, "e-4")
    found, vec = VectorFile(settings).read([ref])
    assert found[0] and not vec.any()  # the row is zeroed
    lex = Indexes(settings).lexical_store
    state = lex.state()
    assert "e-4" not in state["live"]
    assert all("e-4" not in lex.segment(name)["ids"] for name in state["segments"])
    assert all("e-4" not in lex.delta_rows(name)["ids"] for name in state["deltas"].values())


def test_overlay_search_equals_a_rebuilt_index():
    from casusgraaf.search.vectors import VectorIndex

    rng = np.random.default_rng(3)
    base_vecs = rng.standard_normal((300, 16)).astype(np.float32)
    base = VectorIndex(16)
    base.upsert([f"x{i}" for i in range(300)], base_vecs)
    new_vecs = rng.standard_normal((20, 16)).astype(np.float32)
    new_ids = [f"x{i}" for i in range(290, 300)] + [f"y{i}" for i in range(10)]  # 10 replaced, 10 added
    view = base.with_changes(new_ids, new_vecs, removed=["x0", "x1", "y9"])
    truth = VectorIndex(16)
    vecs = {f"x{i}": base_vecs[i] for i in range(300)}
    vecs.update(zip(new_ids, new_vecs, strict=True))
    for gone in ("x0", "x1", "y9"):
        del vecs[gone]
    truth.upsert(list(vecs), np.vstack(list(vecs.values())))
    assert len(view) == len(truth) == 307 and len(base) == 300  # the base is untouched
    assert "x0" not in view and "y3" in view and "x0" in base
    allowed = {f"x{i}" for i in range(0, 300, 3)} | {"y2", "y4"}
    for q in rng.standard_normal((10, 16)).astype(np.float32):
        for a in (None, allowed):
            got, want = view.search(q, 10, a), truth.search(q, 10, a)
            assert [c for c, _ in got] == [c for c, _ in want]
            assert [s for _, s in got] == pytest.approx([s for _, s in want], abs=1e-5)
