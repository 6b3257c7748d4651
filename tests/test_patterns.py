"""Patterns (issue 10) on a generated corpus whose aggregates are known by construction: 280 records over
2019-2025 (40 per year) with registered knelpunten in AC2023, JR2023 and JR2024, ingested through the real
pipeline once per module. Every expected number below follows from the generator's rules (see _record)."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from casusgraaf import patterns
from casusgraaf.patterns.suppression import protect
from tests.conftest import make_settings

pytestmark = pytest.mark.slow  # one ingest of 280 records through NLP + e5 (about a minute)

YEARS = range(2019, 2026)
N = 40
AC = range(2019, 2023)


def _knelpunten(jaar: int, i: int) -> list[dict]:
    def k(tax, cat):
        return {"taxonomie": tax, "categorie": cat}

    out = []
    if jaar in AC:
        if i < 12:
            out.append(k("ac2023", "2A"))
        if i in (0, 1) or 12 <= i < 20:
            out.append(k("ac2023", "2B"))      # cases 0 and 1 have 2A and 2B: one Wet- en regelgeving
        if 20 <= i < 30:
            out.append(k("ac2023", "3"))
        if 30 <= i < 33:
            out.append(k("ac2023", "5"))       # meerduidig: Samenwerking / Kennis en kunde
        if 33 <= i < 35:
            out.append(k("ac2023", "6"))       # meerduidig: Overige / Kennis en kunde / Communicatie
    elif jaar == 2023:
        if i < 10:
            out.append(k("jr2023", "Kennis en kunde"))
        if 10 <= i < 18:
            out.append(k("jr2023", "Samenwerking"))
        if 16 <= i < 24:
            out.append(k("jr2023", "Houding en gedrag"))  # → Samenwerking; 16, 17 have both
        if 24 <= i < 30:
            out.append(k("jr2023", "Wet- en regelgeving"))
        if 30 <= i < 32:
            out.append(k("jr2023", "ICT"))
        if 32 <= i < 34:
            out.append(k("jr2023", "Communicatie"))
    else:
        if i < 15:
            out.append(k("jr2024", "Wet- en regelgeving"))
        if 10 <= i < 22:
            out.append(k("jr2024", "Samenwerking"))
        if 22 <= i < 30:
            out.append(k("jr2024", "Kennis en kunde"))
        if 30 <= i < 33:
            out.append(k("jr2024", "Communicatie"))
        if 33 <= i < 35:
            out.append(k("jr2024", "Overige"))
    return out


def _leefgebieden(jaar: int, i: int) -> list[str]:
    if jaar in AC:
        if i < 10:
            return ["financiën"]
        if i < 20:
            return ["financiën", "psychische gezondheid"]
        if i < 25:
            return ["psychische gezondheid"]
        if i < 28:
            return ["zingeving"]
        if i < 30:
            return ["sociale relaties"]
        return []
    if i < 10:
        return ["financiën"]
    if i < 20:
        return ["financiën", "psychologische gezondheid"]
    if i < 23:
        return ["psychologische gezondheid", "zorg", "wonen"]
    if i < 30:
        return ["wonen"]
    if i < 33:
        return ["werk"]
    return []


def _record(jaar: int, i: int) -> dict:
    cid = f"{jaar}-{i:03d}"
    wetten, orgs = [], []
    if i in (0, 1):  # the planted recurring combination (12 cases: not in 2023, whose 0 and 1 are Kennis)
        wetten = ["bijstand", "Participatiewet"] if jaar % 2 == 0 else ["Participatiewet"]
        orgs = ["UWV", "Landelijk Maatwerkloket Multiproblematiek"]  # the Loket itself never counts
    elif i == 2:
        wetten, orgs = ["Wmo 2015"], ["wijkteam"]
    elif 5 <= i <= 12 and jaar == 2025 or (i == 5 and jaar == 2019):
        wetten, orgs = ["Anw"], ["SVB"]  # the emerging theme: 8 cases in 2025, 1 before
    aanmelding = date(jaar, 1, 1)
    rec = {
        "id": cid, "jaar": jaar, "status": "afgerond", "titel": f"Gegenereerde casus {cid}",
        "datum_aanmelding": aanmelding.isoformat(),
        "datum_afronding": (aanmelding + timedelta(days=7 * (i + 1))).isoformat(),  # looptijd i+1 weeks
        "indiener": ({"type": "gemeente", "organisatie": "Gemeente Amberkerk" if i % 2 == 0 else "Gemeente Brembeek",
                      "aangesloten": i % 2 == 0} if i < 30
                     else {"type": "zorginstelling", "organisatie": "Zorggroep Brembeek"} if i < 37
                     else {"type": "overige partijen", "organisatie": "Juiste Loket"}),
        "beleidsterreinen": [["VWS"], ["SZW", "VWS"], ["A&M"], ["BZK"]][i % 4],
        "leefgebieden": _leefgebieden(jaar, i), "knelpunten": _knelpunten(jaar, i),
        "wetten": wetten, "organisaties": orgs,
        "uitkomst": "knelpunt opgelost" if i % 2 == 0 else "kan verder",
        "tekst": f"Gegenereerde casus {cid}. Een inwoner vroeg het Loket om mee te denken over de situatie.",
    }
    if jaar == 2024 and i < 6:
        rec["leerpunten"] = [{"tekst": f"Gegenereerd leerpunt {i}.", "belegd_bij": ["UWV" if i == 5 else "SZW"],
                              "status_code": "IN_VERKENNING" if i < 4 else "GEREALISEERD"}]
    if jaar == 2024 and i == 39:
        rec["tekst"] += " De huurtoeslag werd teruggevorderd volgens de Wet op de huurtoeslag."
    # the kind of maatwerk: EV codes before 2023, JR2024 functions after (one kind through the crosswalk)
    if i in (0, 1):
        rec["interventies"] = ["UO"] if jaar in AC else ["informele gezagsfunctie"]
    elif i == 2:
        rec["interventies"] = ["triage", "anders"] if jaar in AC else ["expertfunctie"]
    # the emerging term: in the eight Anw cases of 2025 only; a template heading only in 2025 (never a term)
    if jaar == 2025 and 5 <= i <= 12:
        rec["tekst"] += " Het ging om een nabestaandenpensioen."
    if jaar == 2025 and i < 20:
        rec["tekst"] = "Wat speelt er?\n" + rec["tekst"]
    return rec


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    from casusgraaf.graph import open_store
    from casusgraaf.services.ingest import ingest_paths

    root = tmp_path_factory.mktemp("patterns")
    path = root / "gegenereerd.jsonl"
    path.write_text("".join(json.dumps(_record(j, i), ensure_ascii=False) + "\n" for j in YEARS for i in range(N)),
                    encoding="utf-8")
    settings = make_settings(root / "data")
    store = open_store(settings)
    report = ingest_paths(store, settings, [path])
    assert report.ingested == 7 * N and report.failed == 0 and report.quarantined == 0, report.to_dict()["problems"]
    yield settings, store
    store.close()


# ---- suppression (no graph needed) ----------------------------------------------------------------------

def test_protect_hides_small_cells_and_one_more_per_group():
    shown = protect({"a": 3, "b": 7, "c": 20, "t": 30}, [["a", "b", "c", "t"]], 5)
    assert shown == {"a": "<5", "b": "x", "c": 20, "t": 30}
    assert protect({"a": 3, "b": 2, "t": 5}, [["a", "b", "t"]], 5) == {"a": "<5", "b": "<5", "t": 5}
    assert protect({"a": 3, "t": 3}, [["a", "t"]], 0) == {"a": 3, "t": 3}  # 0 = off
    assert protect({"a": 0, "b": 9, "t": 9}, [["a", "b", "t"]], 5) == {"a": 0, "b": 9, "t": 9}


def test_fisher_matches_scipy():
    from scipy.stats import fisher_exact

    from casusgraaf.patterns.stats import fisher_greater

    for a, n1, b, n0 in [(8, 40, 1, 240), (3, 20, 5, 100), (0, 10, 4, 50), (10, 10, 0, 5)]:
        expected = fisher_exact([[a, n1 - a], [b, n0 - b]], alternative="greater")[1]
        assert fisher_greater(a, n1, b, n0) == pytest.approx(expected, rel=1e-9)


# ---- trends -----------------------------------------------------------------------------------------------

def test_trends_knelpunten_exact(env):
    _s, store = env
    t = patterns.trends(store).to_dict()
    r = t["reeksen"]
    assert t["jaren"] == list(YEARS) and t["selectie"]["bronnen"] == ["registratie"]
    for j in AC:  # AC2023 mapped through the crosswalk: derived; 2A+2B in one case counts once
        assert r["Wet- en regelgeving"][str(j)] == {"aantal": 20, "afgeleid": True}
        assert r["Samenwerking"][str(j)] == {"aantal": 10, "afgeleid": True}
        assert r["AC2023 5 → Samenwerking / Kennis en kunde (meerduidig)"][str(j)] == {"aantal": "<5", "afgeleid": True}
        assert r["AC2023 6 → Overige / Kennis en kunde / Communicatie (meerduidig)"][str(j)]["aantal"] == "<5"
        assert r["Kennis en kunde"][str(j)]["aantal"] is None  # not computable under "apart"
        assert r["ICT"][str(j)]["aantal"] is None
    assert r["Samenwerking"]["2023"] == {"aantal": 14, "afgeleid": True}  # Samenwerking ∪ Houding en gedrag
    assert r["Kennis en kunde"]["2023"] == {"aantal": 10, "afgeleid": True}
    assert r["Wet- en regelgeving"]["2023"] == {"aantal": 6, "afgeleid": True}
    assert r["ICT"]["2023"] == {"aantal": "<5", "afgeleid": True}
    assert r["Communicatie"]["2023"]["aantal"] == "<5"
    for j in (2024, 2025):
        assert r["Wet- en regelgeving"][str(j)] == {"aantal": 15, "afgeleid": False}
        assert r["Samenwerking"][str(j)] == {"aantal": 12, "afgeleid": False}
        assert r["Kennis en kunde"][str(j)] == {"aantal": 8, "afgeleid": False}
        assert r["Communicatie"][str(j)]["aantal"] == "<5" and r["Overige"][str(j)]["aantal"] == "<5"
        assert r["ICT"][str(j)] == {"aantal": 0, "afgeleid": False}
    totals = {c["naam"]: c["totaal"] for c in t["categorieen"]}
    assert totals["Wet- en regelgeving"] == 4 * 20 + 6 + 2 * 15
    assert totals["Samenwerking"] == 4 * 10 + 14 + 2 * 12
    assert totals["ICT"] == "<5" and totals["Communicatie"] == 2 + 3 + 3 and totals["Overige"] == "<5"
    assert {j: v["met_registratie"] for j, v in t["totalen"].items()} == {
        "2019": 35, "2020": 35, "2021": 35, "2022": 35, "2023": 34, "2024": 35, "2025": 35}
    assert all(v["casussen"] == N for v in t["totalen"].values())


def test_trends_split_by_crosswalk_shares(env):
    _s, store = env
    r = patterns.trends(store, meervoudig="verdeeld", drempel=0).to_dict()["reeksen"]
    # ac2023:5 (3 cases) splits 0.5/0.5, ac2023:6 (2 cases) 0.2/0.4/0.4: never a whole extra case
    assert r["Samenwerking"]["2019"] == {"aantal": 11.5, "afgeleid": True}
    assert r["Kennis en kunde"]["2019"]["aantal"] == pytest.approx(3 * 0.5 + 2 * 0.4)
    assert r["Overige"]["2019"]["aantal"] == pytest.approx(0.4)
    assert not any("meerduidig" in k for k in r)


def test_trends_leefgebieden_two_lists(env):
    _s, store = env
    lg = patterns.trends(store).to_dict()["leefgebieden"]
    r = lg["reeksen"]
    assert lg["lijst_per_jaar"]["2019"] == "ac2023" and lg["lijst_per_jaar"]["2023"] == "jr2024"
    assert r["psychologische gezondheid"]["2019"] == {"aantal": 15, "afgeleid": True}   # psychische → psychologische
    assert r["psychologische gezondheid"]["2024"] == {"aantal": 13, "afgeleid": False}
    assert r["financiën"]["2020"] == {"aantal": 20, "afgeleid": False}
    assert r["zingeving"]["2021"]["aantal"] == "<5" and r["zingeving"]["2024"]["aantal"] is None
    assert r["zorg"]["2019"]["aantal"] is None and r["zorg"]["2024"]["aantal"] == "<5"
    rows = {x["naam"]: x for x in lg["rijen"]}
    assert rows["zingeving"]["huidige_lijst"] is False and rows["zingeving"]["totaal"] == 12
    assert rows["wonen"]["totaal"] == 3 * 10


# ---- rapport ----------------------------------------------------------------------------------------------

def test_rapport_2024_every_key_exact(env):
    _s, store = env
    r = patterns.rapport(store, 2024).to_dict()
    assert r["jaar"] == 2024 and r["casussen"] == 40
    # zorginstelling is hidden as well: with the total, it would give the small overige away
    assert r["indieners"] == {"gemeente": 30, "zorginstelling": "x", "overige partijen": "<5"}
    assert r["indieners_gemeente_aangesloten"] == 15
    assert r["beleidsterreinen"] == {"VWS": 20, "SZW": 10, "JenV": 10, "BZK": 10}  # A&M rolled up into JenV
    assert r["leefgebieden"] == {"financiën": 20, "psychologische gezondheid": 13, "wonen": 10, "zorg": "<5",
                                 "werk": "<5"}
    assert r["aantal_leefgebieden"] == {"0": "x", "1": 20, "2": 10, "3+": "<5"}
    assert r["knelpunten"] == {"Wet- en regelgeving": 15, "Samenwerking": 12, "Kennis en kunde": 8,
                               "Communicatie": "<5", "Overige": "<5"}
    lt = r["looptijd_weken"]  # looptijd i+1 weeks: 1..40
    assert lt["mediaan"] == 20.5 and lt["p90"] == pytest.approx(36.1) and lt["n"] == 40
    assert lt["boven_8"] == 32 and lt["tot_8"] == 8 and lt["boven_20"] == 20 and lt["tot_4"] == "<5"
    assert lt["aandeel_boven_8"] == 0.8
    assert r["uitkomsten"] == {"knelpunt opgelost": 20, "kan verder": 20}
    assert r["leerpunten"]["totaal"] == 6
    assert r["leerpunten"]["per_eigenaar"] == {"SZW": "x", "UWV": "<5"}
    assert r["leerpunten"]["per_status"] == {"IN_VERKENNING": "<5", "GEREALISEERD": "<5"}
    trend = r["knelpunten_trend"]
    assert trend["jaren"] == [2020, 2021, 2022, 2023, 2024]
    assert trend["reeksen"]["Samenwerking"]["2021"] == {"aantal": 10, "afgeleid": True}
    top = r["terugkerend"][0]
    assert (top["knelpunt"], top["wet"], top["organisatie"], top["aantal"]) == (
        "Wet- en regelgeving", "Participatiewet", "UWV", 10)  # up to 2024: 2019-2022 and 2024, 2 each
    assert "casussen" not in top  # the published report carries no case ids


def test_rapport_threshold_off_shows_raw_counts(env):
    _s, store = env
    r = patterns.rapport(store, 2024, drempel=0).to_dict()
    assert r["indieners"] == {"gemeente": 30, "zorginstelling": 7, "overige partijen": 3}
    assert r["aantal_leefgebieden"] == {"0": 7, "1": 20, "2": 10, "3+": 3}


# ---- samenloop, complexiteit, terugkerend, opkomend --------------------------------------------------------

def test_samenloop_counts_lift_and_law_benefit_as_one(env):
    _s, store = env
    m = patterns.samenloop(store, drempel=0, min_aantal=1).to_dict()["matrices"]
    pairs = {(p["a"], p["b"]): p for p in m["leefgebied"]["paren"]}
    # financiën+psychologische gezondheid: 10 cases in each of 7 years; N = cases with a leefgebied
    fp = pairs[("financiën", "psychologische gezondheid")]
    n_cases = 4 * 30 + 3 * 33
    assert fp["aantal"] == 70 and fp["n_a"] == 140 and fp["n_b"] == 4 * 15 + 3 * 13
    assert fp["lift"] == round(70 * n_cases / (140 * (4 * 15 + 3 * 13)), 2)
    wet_labels = set(m["wet"]["labels_rij"])
    assert "bijstand" not in wet_labels and "Participatiewet" in wet_labels
    assert not m["wet"]["paren"] or all("bijstand" not in (p["a"], p["b"]) for p in m["wet"]["paren"])
    assert "Landelijk Maatwerkloket Multiproblematiek" not in m["wet-organisatie"]["labels_kolom"]
    wo = {(p["a"], p["b"]): p["aantal"] for p in m["wet-organisatie"]["paren"]}
    assert wo[("Participatiewet", "UWV")] == 14 and wo[("Anw", "SVB")] == 9


def test_complexiteit_per_year(env):
    _s, store = env
    c = patterns.complexiteit(store).to_dict()["jaren"]
    y = c["2021"]
    assert y["casussen"] == 40
    assert y["per_casus"]["leefgebieden"]["gemiddeld"] == round((10 + 20 + 5 + 3 + 2) / 40, 2)
    assert y["looptijd_weken"]["mediaan"] == 20.5 and y["looptijd_weken"]["boven_20"] == 20


def test_terugkerend_planted_combination_ranks_first(env):
    _s, store = env
    t = patterns.terugkerend(store).to_dict()
    top = t["combinaties"][0]
    assert (top["knelpunt"], top["wet"], top["organisatie"]) == ("Wet- en regelgeving", "Participatiewet", "UWV")
    assert top["aantal"] == 12 and top["eerste_jaar"] == 2019 and top["laatste_jaar"] == 2025
    assert top["casussen"] == sorted(f"{j}-{i:03d}" for j in YEARS if j != 2023 for i in (0, 1))
    assert top["leerpunt"] is True
    second, third = t["combinaties"][1:3]
    assert (second["wet"], second["organisatie"], second["aantal"], second["leerpunt"]) == ("Anw", "SVB", 9, False)
    assert (third["wet"], third["organisatie"], third["aantal"], third["eerste_jaar"]) == ("Wmo 2015", "wijkteam", 6, 2019)
    assert all(c["organisatie"] != "Landelijk Maatwerkloket Multiproblematiek" for c in t["combinaties"])
    assert len(patterns.terugkerend(store, drempel=13).combinaties) == 0


def test_opkomend_planted_theme_with_fisher_p(env):
    from scipy.stats import fisher_exact

    _s, store = env
    o = patterns.opkomend(store, jaar=2025).to_dict()
    first = o["themas"][0]
    assert (first["soort"], first["thema"]) == ("wet", "Anw") and first["significant"]
    assert first["aantal"] == 8 and first["aantal_voor"] == "<5" and first["casussen_voor"] == 240
    expected = fisher_exact([[8, 32], [1, 239]], alternative="greater")[1]
    assert first["p_waarde"] == pytest.approx(expected, rel=0.05)
    assert "Fisher" in o["toets"]
    assert all(t["thema"] != "Anw + SVB" for t in o["themas"])  # same cases as Anw alone: adds nothing


def test_terugkerend_same_kind_of_maatwerk(env):
    _s, store = env
    t = patterns.terugkerend(store, niveau="maatwerk").to_dict()
    got = [(c["wet"], c["interventie"], c["aantal"], c["eerste_jaar"], c["laatste_jaar"]) for c in t["combinaties"]]
    # UO (2019-2022) and informele gezagsfunctie (2023-2025) are one kind: 2 cases x 7 years; triage = expert
    assert got == [("Participatiewet", "informele gezagsfunctie", 14, 2019, 2025),
                   ("Wmo 2015", "expertfunctie", 7, 2019, 2025)]
    assert t["combinaties"][0]["knelpunt"] is None and "maatwerk" in t["toelichting"]
    assert [c["leerpunt"] for c in t["combinaties"]] == [True, True]  # 2024-000/001 and 2024-002 carry one
    csv = patterns.terugkerend(store, niveau="maatwerk").tabellen()[0].to_csv().splitlines()
    assert csv[0].startswith("wet,interventie,casussen") and csv[1].startswith("Participatiewet,informele gezagsfunctie,14")


def test_opkomend_terms_and_last_months(env):
    from scipy.stats import fisher_exact

    _s, store = env
    o = patterns.opkomend(store, jaar=2025).to_dict()
    first = o["termen"][0]
    assert (first["soort"], first["thema"], first["aantal"], first["aantal_voor"]) == ("term", "nabestaandenpensioen",
                                                                                      8, 0)
    assert first["p_waarde"] == pytest.approx(fisher_exact([[8, 32], [0, 240]], alternative="greater")[1], rel=0.05)
    words = {t["thema"] for t in o["termen"]}
    assert "spelen" not in words and "speelt" not in words  # the 2025 template heading is not a theme
    assert o["themas"][0]["thema"] == "Anw"  # a separate family: words never push the entities down
    assert "termen" not in patterns.opkomend(store, jaar=2025, termen=False).to_dict()
    m = patterns.opkomend(store, maanden=12).to_dict()
    # every case is dated 1 January of its year: the last 12 months are 2025, the rest is before
    assert m["jaar"] is None and m["periode"] == {"maanden": 12, "van": "2024-01-01", "tot": "2025-01-01"}
    assert m["zonder_datum"] == 0 and m["themas"][0]["thema"] == "Anw" and m["themas"][0]["casussen_jaar"] == 40
    with pytest.raises(ValueError):
        patterns.opkomend(store, maanden=0)


def test_registered_only_unless_asked(env):
    from casusgraaf.patterns.data import Selectie, load

    _s, store = env
    default = load(store, Selectie(van=2024, tot=2024), ("wet",)).cases["2024-039"]
    with_nlp = load(store, Selectie(van=2024, tot=2024, met_extractie=True), ("wet",)).cases["2024-039"]
    assert default.get("wet") == set()
    assert "Wet op de huurtoeslag" in with_nlp.get("wet")
    t = patterns.trends(store, patterns.Selectie(met_extractie=True)).to_dict()
    assert t["selectie"]["bronnen"] == ["registratie", "extractie"]


# ---- CLI and API ------------------------------------------------------------------------------------------

def test_cli_json_and_csv(env, monkeypatch):
    from casusgraaf.cli import app

    settings, _store = env
    monkeypatch.setenv("CASUSGRAAF_DATA_DIR", str(settings.data_dir))
    runner = CliRunner()
    res = runner.invoke(app, ["patronen", "trends", "--json", "--van", "2023", "--tot", "2024"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["reeksen"]["Samenwerking"] == {"2023": {"aantal": 14, "afgeleid": True},
                                               "2024": {"aantal": 12, "afgeleid": False}}
    res = runner.invoke(app, ["rapport", "--jaar", "2024", "--json"])
    assert res.exit_code == 0 and json.loads(res.stdout)["aantal_leefgebieden"]["2"] == 10
    res = runner.invoke(app, ["patronen", "terugkerend", "--csv"])
    assert res.exit_code == 0 and res.stdout.splitlines()[1].startswith("Wet- en regelgeving,Participatiewet,UWV,12")
    for cmd in (["samenloop", "--json"], ["complexiteit", "--json"], ["opkomend", "--json", "--jaar", "2025"]):
        res = runner.invoke(app, ["patronen", *cmd])
        assert res.exit_code == 0, (cmd, res.output)
        assert json.loads(res.stdout)["soort"] == cmd[0]
    assert runner.invoke(app, ["patronen", "trends", "--meervoudig", "dubbel"]).exit_code == 2
    assert runner.invoke(app, ["patronen", "trends", "--van", "2025", "--tot", "2020"]).exit_code == 2
    assert runner.invoke(app, ["rapport", "--jaar", "2024", "--format", "pdf"]).exit_code == 2


def test_cli_rapport_files(env, monkeypatch, tmp_path):
    from casusgraaf.cli import app

    settings, _store = env
    monkeypatch.setenv("CASUSGRAAF_DATA_DIR", str(settings.data_dir))
    html, md = tmp_path / "r.html", tmp_path / "r.md"
    assert CliRunner().invoke(app, ["rapport", "--jaar", "2024", "--format", "html", "--uit", str(html)]).exit_code == 0
    assert CliRunner().invoke(app, ["rapport", "--jaar", "2024", "--format", "md", "--uit", str(md)]).exit_code == 0
    page = html.read_text(encoding="utf-8")
    assert "<svg" in page and "<style>" in page and "http" not in page.split("</style>")[0]
    assert 'src="http' not in page and 'href="http' not in page  # self-contained: no CDN
    assert "| Wet- en regelgeving | 15 |" in md.read_text(encoding="utf-8")


def test_api_twins_and_pages(env):
    from casusgraaf.api.app import create_app

    settings, store = env
    with TestClient(create_app(settings, store=store)) as client:
        t = client.get("/api/patronen/trends", params={"jaar_van": 2024, "jaar_tot": 2024}).json()
        assert t["reeksen"]["Kennis en kunde"]["2024"] == {"aantal": 8, "afgeleid": False}
        assert client.get("/api/rapport/2024").json()["casussen"] == 40
        assert client.get("/api/patronen/terugkerend").json()["combinaties"][0]["aantal"] == 12
        assert client.get("/api/patronen/opkomend", params={"jaar": 2025}).json()["themas"][0]["thema"] == "Anw"
        assert client.get("/api/patronen/samenloop", params={"matrix": "wet"}).status_code == 200
        assert client.get("/api/patronen/samenloop", params={"matrix": "x"}).status_code == 422
        assert client.get("/api/patronen/complexiteit").json()["jaren"]["2024"]["casussen"] == 40
        csv = client.get("/api/patronen/trends/csv", params={"tabel": "knelpunten"})
        assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
        assert csv.text.splitlines()[0].startswith("reeks,2019")
        assert client.get("/api/rapport/2024/csv", params={"tabel": "nope"}).status_code == 404
        page = client.get("/patronen")
        assert page.status_code == 200 and "<svg" in page.text and "/casussen/2019-000" in page.text
        cijfers = client.get("/cijfers/2024")
        assert cijfers.status_code == 200 and "Casuïstiek in cijfers 2024" in cijfers.text and "<desc" in cijfers.text
        assert client.get("/cijfers", follow_redirects=False).headers["location"] == "/cijfers/2025"


def test_entity_figures_and_pages(env):
    from casusgraaf.api.app import create_app

    settings, store = env
    e = patterns.entiteit(store, "wet", "bijstand", drempel=0).to_dict()  # a benefit resolves to its law
    assert (e["naam"], e["casussen"]) == ("Participatiewet", 14)
    assert e["per_jaar"] == {str(j): 2 for j in YEARS}
    assert e["samen_met"]["organisatie"] == [{"naam": "UWV", "aantal": 14}]  # the Loket itself never counts
    assert [c["id"] for c in e["lijst"]][:2] == ["2025-000", "2025-001"] and "tekst" not in e["lijst"][0]
    assert patterns.entiteit(store, "organisatie", "Bestaat Niet BV") is None
    with TestClient(create_app(settings, store=store)) as client:
        j = client.get("/api/entiteiten/wet/Participatiewet").json()
        # every year is 2 < 5: all suppressed, and the total cannot reveal them
        assert j["casussen"] == 14 and set(j["per_jaar"].values()) == {"<5"}
        page = client.get("/wetten/bijstand")
        assert page.status_code == 200 and "<h1>Participatiewet</h1>" in page.text
        assert 'href="/organisaties/UWV"' in page.text and 'href="/casussen/2019-000"' in page.text
        assert client.get("/organisaties/UWV").status_code == 200
        assert client.get("/leefgebieden/financi%C3%ABn").status_code == 200
        assert client.get("/api/entiteiten/wet/Nergenswet").status_code == 404
        assert client.get("/api/entiteiten/knelpunt/x").status_code == 422
        csv = client.get("/api/entiteiten/wet/Participatiewet/csv", params={"tabel": "casussen"})
        assert csv.status_code == 200 and csv.text.splitlines()[0] == "casus,jaar,uitkomst"


# ---- the sample corpus: the planted patterns (docs/SAMPLE.md) rank first ----------------------------------

def test_sample_corpus_planted_patterns_rank_first(corpus_env):
    _settings, store, _ = corpus_env
    top = patterns.terugkerend(store).combinaties[0]
    assert (top.knelpunt, top.wet, top.organisatie) == ("Samenwerking", "Participatiewet", "energieleverancier")
    assert top.eerste_jaar == 2019 and top.leerpunt
    opk = patterns.opkomend(store, jaar=2025)
    first = opk.themas[0]
    assert (first.soort, first.thema, first.significant) == ("wet", "Anw", True)
    assert opk.termen and (opk.termen[0].thema, opk.termen[0].significant) == ("nabestaandenuitkering", True)


def test_patterns_api_refuses_a_filter_it_cannot_apply(tmp_path):
    from fastapi.testclient import TestClient

    from casusgraaf.api.app import create_app
    from casusgraaf.config import get_settings

    with TestClient(create_app(get_settings(data_dir=tmp_path / "d"))) as client:
        res = client.get("/api/patronen/trends", params={"knelpunt": "samenwerking"})
    assert res.status_code == 422 and "knelpunt" in res.json()["detail"]


def test_case_terms_only_lowercase_content_words():
    from casusgraaf.patterns.termen import case_terms

    terms = case_terms("Wat speelt er?\nMevrouw Jansen uit Brembeek kreeg twee toeslagen niet. De toeslagen "
                       "bleven uit en [PERSOON-1] wachtte.")
    # lemmatised (toeslagen, wachtte); names, places, the heading, short and stop words, placeholders: out
    assert terms == {"toeslag", "wachten", "blijven", "krijgen"}


def test_interventie_crosswalk_and_maatwerk_keys():
    from casusgraaf.models.taxonomy import interventie_functie
    from casusgraaf.patterns.data import CaseFacts
    from casusgraaf.patterns.terugkerend import _keys

    assert interventie_functie("UO") == interventie_functie("dzm") == "informele gezagsfunctie"
    assert interventie_functie("Netwerkfunctie") == "netwerkfunctie" and interventie_functie("triage") == "expertfunctie"
    assert interventie_functie("iets nieuws") == "iets nieuws"  # unknown: itself, never dropped
    case = CaseFacts(id="x", jaar=2024, interventies=frozenset({"anders", "expertfunctie"}),
                     facts={"wet": {"Zvw"}, "knelpunt": set()})
    assert _keys(case, "maatwerk") == [(None, "Zvw", None, "expertfunctie")]
