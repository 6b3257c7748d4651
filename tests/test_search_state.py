"""The search engine's state: one query sees one state, text-query caching respects the taxonomy year, and
the page form bounds k."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from casusgraaf.api.app import create_app
from casusgraaf.search.keyword import keyword_search
from casusgraaf.services.ingest import delete_case, ingest_paths
from casusgraaf.services.search import Filters, Query, SearchEngine

TEXT = ("De gemeente en de zorgverzekeraar wijzen naar elkaar: niemand wil de zorg betalen en de "
        "samenwerking tussen de organisaties loopt vast, zodat de inwoner tussen wal en schip valt.")


def test_text_probe_cache_is_keyed_by_the_taxonomy_year(corpus_env):
    settings, store, _ = corpus_env
    engine = SearchEngine(store, settings)
    st = engine.snapshot()

    def knelpunt_taxonomies(jaar_tot):
        probe = engine._probe(st, Query(text=TEXT, filters=Filters(jaar_tot=jaar_tot)))
        return {key.split(":", 1)[0] for rel, key in probe["facts"] if rel == "KNELPUNT"}

    old, new = knelpunt_taxonomies(2021), knelpunt_taxonomies(2025)
    assert old == {"ac2023"}, old  # the 2019-2022 taxonomy
    assert new == {"jr2024"}, new  # not the cached 2021 answer


def test_keyword_search_sees_one_state_while_a_reload_swaps_it(fresh_env, tmp_path, monkeypatch):
    settings, store = fresh_env
    src = tmp_path / "c.jsonl"
    rows = [{"id": f"k-{i}", "jaar": 2024, "tekst": f"Casus {i}: de huurtoeslag stopte na een adresonderzoek van de "
             "gemeente en de woningcorporatie dreigde met ontruiming."} for i in range(3)]
    src.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    ingest_paths(store, settings, [src])
    engine = SearchEngine(store, settings)
    real = engine.lexical_text_scores
    swapped = []

    def reload_in_the_middle(*args, **kwargs):
        # Another request saves a deletion and the engine reloads while this query is half-way.
        if not swapped:
            delete_case(store, settings, "k-0")
            swapped.append(engine.snapshot().generation)
        return real(*args, **kwargs)

    monkeypatch.setattr(engine, "lexical_text_scores", reload_in_the_middle)
    out = keyword_search(engine, "huurtoeslag adresonderzoek")
    assert swapped and "k-0" not in engine.state.ids  # the reload really happened mid-query
    assert out["total"] == 3 and {h["case_id"] for h in out["hits"]} == {"k-0", "k-1", "k-2"}
    assert keyword_search(engine, "huurtoeslag adresonderzoek")["total"] == 2  # the next query sees the new state


@pytest.mark.parametrize("k", ["-1", "0", "101", "1000000"])
def test_search_form_bounds_k(corpus_env, k):
    settings, store, _ = corpus_env
    with TestClient(create_app(settings, store=store)) as client:
        res = client.post("/zoeken", data={"tekst": TEXT, "k": k})
    assert res.status_code == 422


def test_search_form_accepts_k_in_range(corpus_env):
    settings, store, _ = corpus_env
    with TestClient(create_app(settings, store=store)) as client:
        res = client.post("/zoeken", data={"tekst": TEXT, "k": "3"})
    assert res.status_code == 200 and res.text.count('<span class="score">') == 3
