"""The API in-process (FastAPI TestClient) against the real corpus graph."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from casusgraaf.api.app import create_app


@pytest.fixture(scope="module")
def client(corpus_env):
    settings, store, _ = corpus_env
    with TestClient(create_app(settings, store=store)) as c:
        yield c


def _some_case(client):
    return client.get("/api/cases", params={"per_page": 5}).json()["cases"][0]["id"]


def test_health_counts_cases(client, corpus_env):
    # test apps start without the background warm-up (conftest.make_settings): "ok" at once; the warming
    # state itself is tested in tests/test_warm.py
    body = client.get("/api/health").json()
    assert body["status"] == "ok" and body["backend"] == "falkordb"
    assert body["cases"] == corpus_env[2].ingested


def test_cases_paged_and_filtered_by_jaar(client):
    page = client.get("/api/cases", params={"per_page": 7, "page": 2}).json()
    assert len(page["cases"]) == 7 and page["page"] == 2
    only = client.get("/api/cases", params={"jaar": 2021, "per_page": 200}).json()
    assert only["total"] == len(only["cases"]) > 0
    assert {c["jaar"] for c in only["cases"]} == {2021}


def test_case_detail_and_unknown_case(client):
    cid = _some_case(client)
    body = client.get(f"/api/cases/{cid}").json()
    assert body["id"] == cid and body["tekst"]
    assert client.get("/api/cases/bestaat-niet").status_code == 404


def test_case_similar_explains(client):
    cid = _some_case(client)
    body = client.get(f"/api/cases/{cid}/similar", params={"k": 5}).json()
    assert len(body["results"]) == 5
    first = body["results"][0]
    for key in ("case_id", "score", "signals", "gedeeld", "zinnen", "uitkomst", "leerpunten"):
        assert key in first
    assert set(first["signals"]) == {"dense", "lexical", "structural"}
    assert cid not in [r["case_id"] for r in body["results"]]
    scores = [r["score"] for r in body["results"]]
    assert scores == sorted(scores, reverse=True)


def test_post_similar_text_and_privacy_refusal(client):
    ok = client.post("/api/similar", json={"text": "Een remigrant zonder zorgverzekering kreeg geen zorg; "
                                                    "het CAK en de gemeente wisten niet wie moest betalen.",
                                           "k": 3})
    assert ok.status_code == 200 and len(ok.json()["results"]) == 3
    bsn = "111222333"
    refused = client.post("/api/similar", json={"text": f"Mevrouw Jansen met BSN {bsn} woont in Eikendam."})
    assert refused.status_code == 422
    assert bsn not in refused.text and "Jansen" not in refused.text
    assert client.post("/api/similar", json={}).status_code == 422


def test_cypher_read_only(client):
    n = client.post("/api/cypher", json={"query": "MATCH (c:Casus) RETURN count(c) AS n"}).json()["rows"][0]["n"]
    refused = client.post("/api/cypher", json={"query": "MATCH (c:Casus) DETACH DELETE c"})
    assert refused.status_code == 403
    assert client.post("/api/cypher", json={"query": "MATCH (c:Casus) RETURN count(c) AS n"}).json()["rows"][0]["n"] == n
    assert client.post("/api/cypher", json={"query": "MATCH (c:Casus RETURN"}).status_code == 422


def test_cypher_timeout_is_422_with_a_dutch_message(corpus_env):
    settings, store, _ = corpus_env
    quick = settings.model_copy(update={"cypher_timeout": 0.5})
    with TestClient(create_app(quick, store=store)) as c:
        slow = c.post("/api/cypher", json={"query": "MATCH (a),(b),(c),(d) RETURN count(*) AS n"})
        assert slow.status_code == 422
        assert "limiet van 0.5 s" in slow.json()["detail"] and "CASUSGRAAF_CYPHER_TIMEOUT" in slow.json()["detail"]
        ok = c.post("/api/cypher", json={"query": "MATCH (c:Casus) RETURN count(c) AS n"})  # the graph is not stuck
        assert ok.status_code == 200 and ok.json()["rows"][0]["n"] > 0


def test_pages_render_with_json_twins(client):
    cid = _some_case(client)
    home = client.get("/")
    assert home.status_code == 200 and "/api/cases" in home.text
    page = client.get(f"/casussen/{cid}")
    assert page.status_code == 200 and f"/api/cases/{cid}" in page.text and "<mark" in page.text
    assert client.get("/zoeken").status_code == 200
    kw = client.get("/trefwoorden", params={"q": "inburgering"})
    assert kw.status_code == 200 and "<mark>" in kw.text and "/api/search?q=inburgering" in kw.text
    assert client.get("/openapi.json").json()["info"]["title"] == "casusgraaf"


def test_keyword_search_with_facets_and_snippets(client):
    body = client.get("/api/search", params={"q": "woonplaatsbeginsel"}).json()
    assert body["total"] >= 3
    for hit in body["hits"]:
        assert "<mark>" in hit["snippet"].lower()
    assert set(body["facets"]) == {"jaar", "leefgebied", "wet", "organisatie", "knelpunt"}
    assert sum(body["facets"]["jaar"].values()) == body["total"]
    narrowed = client.get("/api/search", params={"q": "woonplaatsbeginsel", "jaar_van": 2023}).json()
    assert 0 < narrowed["total"] < body["total"]
    assert all(h["jaar"] >= 2023 for h in narrowed["hits"])
    assert client.get("/api/search", params={"q": ""}).status_code == 422


def test_extract_endpoint_and_gate(client):
    text = ("Na afwijzing van de Wajong-aanvraag door het UWV vroeg de gemeente bijzondere bijstand aan op grond "
            "van artikel 35 Participatiewet.")
    ents = client.post("/api/extract", json={"text": text}).json()["entities"]
    found = {(e["type"], e["canonical"]) for e in ents}
    assert {("wet", "Wajong"), ("organisatie", "UWV"), ("wet", "Participatiewet")} <= found
    for e in ents:
        assert text[e["start"]:e["end"]] == e["surface"]
    refused = client.post("/api/extract", json={"text": "Bel Pieter de Vries op 06-12345678."})
    assert refused.status_code == 422 and "06-12345678" not in refused.text
