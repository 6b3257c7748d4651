"""Explanations in words for similar cases (issue 13, point 3): the ``uitleg`` sentence from the shared facts
(most specific first, near-universal ones left out), the solution section (``wat_werkte``), ``kon_verder`` and
the leerpunten with their follow-up; the same fields in the API and on the pages; never for analysts."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from casusgraaf.search.similar import solution_section, uitleg

ZVW = ("Een man keerde terug uit het buitenland en is niet verzekerd voor de Zvw. Het CAK en de zorgverzekeraar "
       "weten niet wie hem moet inschrijven. De gemeente vraagt het Loket om hulp.")


# -- the helpers, without a corpus ------------------------------------------------------------------

def test_solution_section_under_the_ac2023_heading_up_to_the_next():
    text = ("Wat speelt er?\nEen vrouw zonder inkomen.\n\nHoe is deze casus opgelost?\nHet Loket belde het UWV.\n"
            "De uitkering kwam op gang.\n\nWat betekent dit voor toekomstige vergelijkbare vraagstukken?\nMeer uitleg.")
    assert solution_section(text) == "Het Loket belde het UWV. De uitkering kwam op gang."


@pytest.mark.parametrize("text", [
    "## Wat is het probleem?\nGeen geld.\n## Oplossing\nEen voorschot via de SVB.\n## Leerpunten\nEerder bellen.",
    "**Wat hielp?**\nEen voorschot via de SVB.\n\nLeerpunt: eerder bellen.",
    "Wat speelt er? Geen geld. Wat werkte? Een voorschot via de SVB. Wat is het probleem? Te laat.",
    "Achtergrond: geen geld.\nOplossing: Een voorschot via de SVB.\nResultaat: kon verder.",
])
def test_solution_section_in_other_shapes(text):
    assert solution_section(text) == "Een voorschot via de SVB."


def test_solution_section_without_a_heading():
    # a later paragraph with what the Loket did counts; a text without one has no solution section
    assert solution_section("Een man zonder adres.\nHet Loket regelde een briefadres.") == \
        "Het Loket regelde een briefadres."
    assert solution_section("Het Loket kreeg een vraag over een man zonder adres.") is None
    assert solution_section("Een man zonder adres. De oplossing is nog niet gevonden.") is None
    assert solution_section("") is None


def test_a_long_solution_is_cut_at_a_sentence_end():
    body = " ".join(f"Zin nummer {i} over wat het Loket deed." for i in range(60))
    out = solution_section("Hoe is deze casus opgelost?\n" + body)
    assert out is not None and out.endswith("deed. …") and len(out) <= 710


def _g(soort, label, gewicht, algemeen=False):
    return {"soort": soort, "naam": label, "label": label, "gewicht": gewicht, "bron": "registratie",
            "algemeen": algemeen}


def test_uitleg_names_specific_facts_in_kind_order_and_leaves_near_universal_ones_out():
    gedeeld = [_g("organisatie", "CAK", 1.5), _g("wet", "Zvw", 1.4), _g("organisatie", "zorgverzekeraar", 1.2),
               _g("knelpunt", "Samenwerking", 1.0), _g("organisatie", "gemeente", 0.2, algemeen=True),
               _g("leefgebied", "financiën", 0.1, algemeen=True)]
    assert uitleg(gedeeld, ["Samenwerking"], 2019, 2024, {"dense": 0.5, "structural": 0.4}) == (
        "Zelfde wet (Zvw) en organisaties (CAK, zorgverzekeraar); beide gaan over het knelpunt Samenwerking; "
        "een casus uit 2019 (5 jaar eerder).")


def test_uitleg_without_specific_facts_says_where_the_likeness_is():
    gedeeld = [_g("organisatie", "gemeente", 0.2, algemeen=True)]
    assert uitleg(gedeeld, ["Communicatie", "ICT"], 2024, None, {"dense": 0.6, "lexical": 0.1}) == (
        "Geen bijzondere wet of organisatie gedeeld; de gelijkenis zit vooral in de betekenis van de beschrijving; "
        "knelpunten van die casus: Communicatie en ICT; een casus uit 2024.")


def test_uitleg_keeps_at_most_three_names_per_kind_and_three_kinds():
    gedeeld = [_g("wet", w, 2.0 - i / 10) for i, w in enumerate(["Wlz", "Wmo 2015", "Zvw", "Jeugdwet"])] + [
        _g("leefgebied", "wonen", 0.9), _g("beleidsterrein", "VWS", 0.3), _g("organisatie", "CIZ", 1.0)]
    assert uitleg(gedeeld, [], None, None, {}) == (
        "Zelfde wetten (Wlz, Wmo 2015, Zvw en 1 andere), organisatie (CIZ) en leefgebied (wonen).")


# -- on the sample corpus ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def engine(corpus_env):
    from casusgraaf.search.similar import SearchEngine

    settings, store, _ = corpus_env
    return SearchEngine(store, settings)


@pytest.fixture(scope="module")
def zvw(engine):
    from casusgraaf.search.similar import Query

    return engine.similar(Query(text=ZVW, k=5))


def test_zvw_cak_query_explains_in_words_without_gemeente(zvw):
    top = zvw[0]
    assert top["case_id"] == "2019-002"
    assert top["uitleg"] == ("Zelfde wet (Zvw) en organisaties (CAK, zorgverzekeraar); knelpunt van die casus: "
                             "Wetgeving knelt door bijzondere omstandigheden; een casus uit 2019.")
    for r in zvw:
        assert "Zvw" in r["uitleg"] and "gemeente" not in r["uitleg"] and "Maatwerkloket" not in r["uitleg"]
        assert "(ac2023)" not in r["uitleg"] and "(jr2024)" not in r["uitleg"]
    # "gemeente" is still among the shared facts, marked near-universal
    gemeente = [g for g in top["gedeeld"] if g["naam"] == "gemeente"]
    assert gemeente and gemeente[0]["algemeen"] is True
    assert {g["naam"] for g in top["gedeeld"] if not g["algemeen"]} == {"Zvw", "CAK", "zorgverzekeraar"}


def test_result_carries_outcome_solution_and_leerpunten_with_follow_up(zvw, corpus_env):
    _, store, _ = corpus_env
    top = zvw[0]
    assert (top["uitkomst"], top["kon_verder"]) == ("knelpunt opgelost", "ja")
    assert top["wat_werkte"] == (
        "Het Loket heeft met VWS en het CAK op een rij gezet welke regelingen voor onverzekerden gelden en heeft "
        "de gemeente geholpen de inschrijving in de BRP met terugwerkende kracht te regelen. Daarna kon zij zich "
        "alsnog verzekeren bij een zorgverzekeraar. De behandeling is met enkele weken vertraging gestart.")
    assert top["zinnen"]["zoekvraag"]["tekst"] == "Een man keerde terug uit het buitenland en is niet verzekerd voor de Zvw."
    assert top["zinnen"]["casus"]["tekst"] == "Daardoor is zij niet verzekerd voor de Zvw."
    (lp,) = top["leerpunten"]
    assert lp["id"].startswith("LP-2019-002") and lp["laatste"] == {
        "datum": "2020-02-17", "code": "GEREALISEERD", "tekst": "Het stappenplan staat in de handreiking remigratie."}
    by_id = {r["case_id"]: r for r in zvw}
    if "2022-001" in by_id:  # a text with the AC2023 headings: the section under "Hoe is deze casus opgelost?"
        assert by_id["2022-001"]["wat_werkte"].startswith("Het Loket wees de gemeente op de mogelijkheid van een "
                                                          "briefadres.")
    for r in zvw:  # kon_verder as in the graph
        row = store.run("MATCH (c:Casus {id: $id}) RETURN c.kon_verder AS k", {"id": r["case_id"]})[0]
        assert r["kon_verder"] == row["k"]


def test_case_query_says_how_many_years_apart(engine):
    from casusgraaf.search.similar import Query

    res = engine.similar(Query(case_ids=["2021-017"], k=3))
    assert res[0]["case_id"] == "2025-006"
    assert res[0]["uitleg"] == ("Zelfde wetten (Wajong, Participatiewet, bijstand), organisatie (UWV) en "
                                "leefgebieden (onderwijs, werk); beide gaan over het knelpunt Samenwerking; "
                                "een casus uit 2025 (4 jaar later).")


# -- the API and the pages, and who sees what -------------------------------------------------------

@pytest.fixture(scope="module")
def env(corpus_env, tmp_path_factory):
    """The corpus app with a regievoerder and an analist (accounts in a separate dir: the shared corpus data
    dir stays in lokale modus for the other modules)."""
    from casusgraaf.accounts import AccountStore
    from casusgraaf.api.app import create_app

    settings, store, _ = corpus_env
    side = tmp_path_factory.mktemp("explain") / "data"
    side.mkdir(parents=True)
    app = create_app(settings.model_copy(update={"warm_start": False}), store=store)
    app.state.accounts = accounts = AccountStore(side)
    tokens = {}
    for role in ("regievoerder", "analist"):
        accounts.add(role[:3], [role], None)
        tokens[role] = {"authorization": f"Bearer {accounts.new_token(role[:3])}"}
    with TestClient(app, follow_redirects=False) as client:
        yield client, tokens


def test_api_returns_the_new_fields(env):
    client, tokens = env
    res = client.post("/api/similar", json={"text": ZVW, "k": 3}, headers=tokens["regievoerder"])
    assert res.status_code == 200, res.text
    top = res.json()["results"][0]
    assert top["uitleg"].startswith("Zelfde wet (Zvw) en organisaties (CAK, zorgverzekeraar)")
    assert top["kon_verder"] == "ja" and top["wat_werkte"].startswith("Het Loket heeft met VWS en het CAK")
    assert {"soort", "naam", "label", "gewicht", "bron", "algemeen", "in_zoekvraag", "in_casus"} <= set(top["gedeeld"][0])
    schema = client.get("/openapi.json").json()["components"]["schemas"]["SimilarResult"]["properties"]
    assert {"uitleg", "wat_werkte", "kon_verder"} <= set(schema)
    # the case route has the same shape
    res = client.get("/api/cases/2019-002/similar", params={"k": 2}, headers=tokens["regievoerder"])
    assert res.status_code == 200 and all(r["uitleg"] for r in res.json()["results"])


def test_analyst_never_receives_wat_werkte_or_zinnen(env, zvw):
    client, tokens = env
    ana = tokens["analist"]
    assert client.post("/api/similar", json={"text": ZVW, "k": 3}, headers=ana).status_code == 403
    assert client.get("/api/cases/2019-002/similar", headers=ana).status_code == 403
    page = client.get("/casussen/2019-002", headers=ana)
    assert page.status_code == 200
    assert "Wat werkte" not in page.text and "Uw beschrijving" not in page.text and "Deze casus" not in page.text
    for r in zvw:  # nothing of the similar cases' texts
        assert r["wat_werkte"] is None or r["wat_werkte"][:60] not in page.text
        assert r["zinnen"]["casus"]["tekst"] not in page.text
    # the regievoerder sees them on the same page
    page = client.get("/casussen/2019-002", headers=tokens["regievoerder"])
    assert "Wat werkte:" in page.text and "Deze casus" in page.text


def test_search_page_shows_words_sentences_and_the_note_once(env):
    client, tokens = env
    res = client.post("/zoeken", data={"tekst": ZVW, "k": "3"}, headers=tokens["regievoerder"])
    assert res.status_code == 200, res.text[:300]
    body = res.text
    assert body.count("geen precedentwerking") == 1
    assert "Zelfde wet (Zvw) en organisaties (CAK, zorgverzekeraar)" in body
    assert "“Een man keerde terug uit het buitenland en is niet verzekerd voor de Zvw.”" in body  # her sentence
    assert "“Daardoor is zij niet verzekerd voor de Zvw.”" in body  # the earlier case's
    assert "Wat werkte:</b> Het Loket heeft met VWS en het CAK" in body
    assert "kon verder: <b>ja</b>" in body
    # scores behind a disclosure, not in the visible lines
    visible = re.sub(r"<details.*?</details>", "", body, flags=re.S)
    assert "tekstbetekenis" not in visible and "tekstbetekenis" in body
    # chips link to the entity pages and leave near-universal facts out
    chips = re.findall(r'<p class="shared">(.*?)</p>', body, re.S)
    assert chips and all("gemeente" not in c for c in chips)
    assert '<a class="tag wet" href="/wetten/Zvw"' in body and '<a class="tag organisatie" href="/organisaties/CAK"' in body
    assert client.get("/wetten/Zvw", headers=tokens["regievoerder"]).status_code == 200
    assert client.get("/organisaties/CAK", headers=tokens["regievoerder"]).status_code == 200
