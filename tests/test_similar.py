"""Similar-case engine internals on the sample corpus: filters before ranking, the large-corpus paths."""

from __future__ import annotations

import pytest

from casusgraaf.search import similar as sim
from casusgraaf.search.similar import Filters, Query, SearchEngine


@pytest.fixture(scope="module")
def engine(corpus_env):
    settings, store, _ = corpus_env
    return SearchEngine(store, settings)


def _facts(engine, cid, rel):
    return {key for r, key in engine.structure.facts.get(cid, {}) if r == rel}


def test_narrow_filter_goes_through_faiss_selector(engine):
    f = Filters(wet=["Vreemdelingenwet"])
    mask = engine.allowed_mask(f)
    assert 0 < mask.mean() < sim.BROAD_FILTER
    results = engine.similar(Query(text="Een vader zonder verblijfsvergunning kan zijn kind niet verzorgen.",
                                   k=10, filters=f, explain=False))
    assert results
    from casusgraaf.models.resolve import get_resolver

    canonical = get_resolver().wet("Vreemdelingenwet")["naam"]  # aliases resolve: "Vreemdelingenwet 2000"
    for r in results:
        assert canonical in _facts(engine, r["case_id"], "RAAKT_WET")


def test_broad_filter_applied_after_search(engine):
    f = Filters(jaar_van=2019, jaar_tot=2023)
    assert engine.allowed_mask(f).mean() >= sim.BROAD_FILTER
    results = engine.similar(Query(case_ids=["2024-001"], k=15, filters=f, explain=False))
    assert len(results) == 15 and all(2019 <= r["jaar"] <= 2023 for r in results)


def test_filter_aliases_resolve(engine):
    a = engine.allowed_mask(Filters(wet=["Wmo"]))
    b = engine.allowed_mask(Filters(wet=["Wmo 2015"]))
    assert a.sum() > 0 and (a == b).all()


def test_lexical_candidate_path_agrees_with_full_scoring(engine, monkeypatch):
    full = engine.similar(Query(case_ids=["2019-003"], k=5, explain=False))
    monkeypatch.setattr(sim, "LEXICAL_FULL_MAX", 10)
    monkeypatch.setattr(sim, "LEXICAL_CANDIDATES", 25)
    partial = engine.similar(Query(case_ids=["2019-003"], k=5, explain=False))
    assert partial[0]["case_id"] == full[0]["case_id"]
    assert {r["case_id"] for r in partial} & {r["case_id"] for r in full[:3]}
    assert sum(1 for r in partial if r["signals"]["lexical"] > 0) == 5


def test_multi_case_query_and_explanations(engine):
    results = engine.similar(Query(case_ids=["2021-003", "2023-003"], k=5))
    ids = [r["case_id"] for r in results]
    assert "2021-003" not in ids and "2023-003" not in ids
    top = results[0]
    assert top["gedeeld"] and top["zinnen"]["casus"]["tekst"]
    for g in top["gedeeld"]:
        tekst = engine.cases[top["case_id"]]["tekst"]
        for span in g["in_casus"]:
            assert tekst[span["start"]:span["end"]] == span["tekst"]
