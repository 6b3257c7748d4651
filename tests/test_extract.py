"""Extraction: the done-example, aliases, ambiguity traps, negation, taxonomies, gazetteers, CLI, quality floors."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from casusgraaf.models.gazetteer import (
    all_organisaties,
    all_wetten,
    gemeenten,
    resolve_organisatie,
    resolve_wet,
)
from casusgraaf.models.taxonomy import (
    crosswalk,
    crosswalk_edges,
    load_taxonomies,
    resolve_category,
    resolve_leefgebied,
    taxonomy_for_year,
)
from casusgraaf.nlp import extract, implied_wetten

DONE = ("Na afwijzing van de Wajong-aanvraag door het UWV vroeg de gemeente bijzondere bijstand aan op grond van "
        "artikel 35 Participatiewet.")


def _ents(text: str, **kw):
    return [e for e in extract(text, **kw) if e.type not in ("knelpunt", "leerpunt")]


def test_done_example_exact():
    ents = _ents(DONE)
    got = [(e.type, e.canonical, e.surface, e.artikel) for e in ents]
    assert got == [
        ("wet", "Wajong", "Wajong", None),
        ("organisatie", "UWV", "UWV", None),
        ("organisatie", "gemeente", "gemeente", None),
        ("regeling", "bijzondere bijstand", "bijzondere bijstand", None),
        ("wet", "Participatiewet", "Participatiewet", "35"),
    ]
    for e in ents:
        assert DONE[e.start:e.end] == e.surface
        assert e.method in ("gazetteer", "rule", "model") and 0 < e.confidence <= 1
    bb = next(e for e in ents if e.canonical == "bijzondere bijstand")
    assert bb.attrs["implies"] == "Participatiewet"
    assert next(e for e in ents if e.canonical == "Participatiewet").bwb_id == "BWBR0015703"
    assert implied_wetten(ents) == ["Wajong", "Participatiewet"]
    d = ents[-1].to_dict()
    assert d["artikel"] == "35" and {"type", "canonical", "surface", "start", "end", "method", "confidence"} <= set(d)


@pytest.mark.parametrize("text", ["De Wmo biedt hulp.", "De WMO 2015 biedt hulp.",
                                  "De Wet maatschappelijke ondersteuning biedt hulp.", "De Wmo-aanvraag liep vast."])
def test_wmo_aliases_one_canonical(text):
    assert [e.canonical for e in _ents(text) if e.type == "wet"] == ["Wmo 2015"]


def test_resolve_registered_fields():
    assert resolve_wet("WMO 2015").canonical == "Wmo 2015"
    assert resolve_wet("wet langdurige zorg").canonical == "Wlz"
    assert resolve_organisatie("Uitvoeringsinstituut Werknemersverzekeringen").canonical == "UWV"
    assert resolve_organisatie("J&V").canonical == "JenV"
    assert resolve_organisatie("Gemeente Eikendam").canonical == "gemeente"
    assert resolve_organisatie("gemeente Zaanstad").canonical == "gemeente Zaanstad"
    assert resolve_wet("onbekende regeling xyz") is None


@pytest.mark.parametrize("text", ["Let op: de cliënt moet op tijd reageren.", "LET OP: dit is belangrijk.",
                                  "Zij letten op tijd op de post en gaan op vakantie.", "OP DE AGENDA STAAT HET PLAN."])
def test_let_op_traps(text):
    assert not [e for e in _ents(text) if e.canonical in ("Landelijk Escalatie Team", "Overbruggingsprocedure")]


def test_let_and_op_as_instruments():
    names = {e.canonical for e in _ents("De casus ging naar het LET; daarna werd de OP ingezet.")}
    assert {"Landelijk Escalatie Team", "Overbruggingsprocedure"} <= names


def test_toeslagen_ambiguity():
    text = ("De toeslagen werden stopgezet. Toeslagen worden maandelijks betaald. "
            "Daarna vorderde Toeslagen alles terug. Toeslagen besloot later anders.")
    got = [(e.type, e.canonical, e.start) for e in _ents(text) if e.surface.lower() == "toeslagen"]
    assert [t for t, _c, _s in got] == ["regeling", "regeling", "organisatie", "organisatie"]
    assert got[2][1] == "Dienst Toeslagen"


def test_compounds_and_abbreviations():
    text = ("Zij heeft een Wlz-indicatie en een bijstandsuitkering; de kinderopvangtoeslagen (KOT) en de SMI liepen "
            "via de Pw en de ZW.")
    got = {(e.type, e.canonical) for e in _ents(text)}
    assert {("wet", "Wlz"), ("regeling", "bijstand"), ("regeling", "kinderopvangtoeslag"), ("regeling", "SMI"),
            ("wet", "Participatiewet"), ("wet", "Ziektewet")} <= got
    wlz = next(e for e in _ents(text) if e.canonical == "Wlz")
    assert text[wlz.start:wlz.end] == "Wlz"


@pytest.mark.parametrize("text,wet,artikel", [
    ("op grond van artikel 18 lid 1 Participatiewet", "Participatiewet", "18 lid 1"),
    ("met een beroep op art. 4:94a Awb", "Awb", "4:94a"),
    ("volgens artikel 3.4 Awb", "Awb", "3:4"),
    ("zie artikel 35 van de Participatiewet", "Participatiewet", "35"),
    ("art. 3.1.2 Wlz staat dat niet toe", "Wlz", "3.1.2"),
    ("de Participatiewet (artikel 24) regelt dit", "Participatiewet", "24"),
])
def test_article_references(text, wet, artikel):
    hit = next(e for e in _ents(text) if e.type == "wet")
    assert (hit.canonical, hit.artikel) == (wet, artikel)


def test_negation():
    ents = _ents("Zij heeft geen schulden en is niet bij UWV bekend, maar wel bij de SVB. Er dreigt huisuitzetting.")
    by = {e.canonical: e.negated for e in ents}
    assert by["financiën"] is True and by["UWV"] is True
    assert by["SVB"] is False and by["wonen"] is False
    # a missing resource is a problem, not an absence
    assert [e.negated for e in _ents("Het gezin heeft geen woning.") if e.type == "leefgebied"] == [False]


def test_gemeenten_known_invented_and_type():
    text = "De gemeente Eikendam overlegde met de gemeente Zaanstad en de woningcorporatie."
    got = [(e.canonical, e.surface, e.attrs.get("soort")) for e in _ents(text)]
    assert ("gemeente", "gemeente Eikendam", "gemeente") in got
    assert ("gemeente Zaanstad", "gemeente Zaanstad", "gemeente") in got
    assert ("woningcorporatie", "woningcorporatie", "type") in got


def test_ministries_rollup():
    ents = {e.canonical: e for e in _ents("Het ministerie van A&M en J&V en VRO werden ingelicht.")}
    assert ents["A&M"].attrs["rapport_rollup"] == "JenV"
    assert ents["VRO"].attrs["rapport_rollup"] == "BZK"
    assert "JenV" in ents


def test_leerpunt_with_owner():
    text = "Het UWV stopte de uitkering. Leerpunt: het UWV moet eerder contact opnemen met de gemeente."
    lp = [e for e in extract(text) if e.type == "leerpunt"]
    assert len(lp) == 1 and lp[0].attrs["belegd_bij"] == "UWV"
    assert lp[0].canonical.startswith("het UWV moet")


def test_knelpunt_taxonomy_per_year():
    text = "De wet biedt geen ruimte: de man heeft geen recht op bijstand omdat hij buiten de regeling valt."
    for jaar, tax in ((2021, "ac2023"), (2023, "jr2023"), (2024, "jr2024"), (None, "jr2024")):
        kn = [e for e in extract(text, jaar=jaar) if e.type == "knelpunt"]
        assert kn and all(e.attrs["taxonomie"] == tax for e in kn)
        assert kn[0].attrs["category_id"].startswith(tax + ":")


def test_empty_text():
    assert extract("") == [] and extract("   ") == []


# ------------------------------------------------------------------ taxonomies and gazetteers as data
def test_taxonomies():
    t = load_taxonomies()
    assert {"ac2023", "jr2023", "jr2024"} <= set(t)
    assert [c.code for c in t["ac2023"].categories] == ["1", "2", "2A", "2B", "3", "4", "5", "6"]
    assert {c.naam for c in t["jr2024"].categories} == {"Kennis en kunde", "Samenwerking", "Communicatie",
                                                        "Wet- en regelgeving", "Overige", "ICT"}
    assert "Houding en gedrag" in {c.naam for c in t["jr2023"].categories}
    assert (taxonomy_for_year(2019), taxonomy_for_year(2022), taxonomy_for_year(2023), taxonomy_for_year(2024),
            taxonomy_for_year(None)) == ("ac2023", "ac2023", "jr2023", "jr2024", "jr2024")
    c = resolve_category("jr2024", "wet- en  Regelgeving")
    assert c.id == "jr2024:wet-en-regelgeving" and c.taxonomie == "jr2024"
    assert resolve_category("ac2023", "2b").niveau == "macro"
    assert resolve_category("jr2024", "bestaat niet") is None
    ids = {c.id for tax in t.values() for c in tax.categories}
    assert all(a in ids and b in ids for a, b in crosswalk())
    assert ("jr2023:houding-en-gedrag", "jr2024:samenwerking") in crosswalk()
    assert all(e["afgeleid"] is True for e in crosswalk_edges())


def test_leefgebieden_crosswalk():
    assert resolve_leefgebied("psychische gezondheid") == resolve_leefgebied("Psychologische gezondheid")
    assert resolve_leefgebied("werk en activiteiten") == "werk"
    assert resolve_leefgebied("zorg") == "zorg"
    assert resolve_leefgebied("onzin") is None


def test_gazetteer_sizes_and_fields():
    wetten = all_wetten()
    assert len(wetten) >= 150
    assert all(e.bwb_id is None or e.bwb_id.startswith("BWBR") for e in wetten)
    names = {e.canonical for e in wetten}
    assert all(e.implies in names for e in wetten if e.implies)
    assert len(gemeenten()) >= 330
    assert {"UWV", "SVB", "DUO", "IND", "CIZ", "CAK", "Dienst Toeslagen", "FPL"} <= {e.canonical for e in all_organisaties()}


# ------------------------------------------------------------------ CLI (the real privacy gate)
def test_cli_text_json():
    from casusgraaf.cli import app

    res = CliRunner().invoke(app, ["extract", "--text", DONE, "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert {"Wajong", "UWV", "Participatiewet"} <= {e["canonical"] for e in data["entities"]}


def test_cli_jsonl_bad_lines(tmp_path):
    from casusgraaf.cli import app

    f = tmp_path / "in.jsonl"
    f.write_text('{"id": "a", "tekst": "Het UWV belde."}\nkapot\n{"id": "b"}\n', encoding="utf-8")
    res = CliRunner().invoke(app, ["extract", "--jsonl", str(f)])
    assert res.exit_code == 0
    lines = [json.loads(x) for x in res.stdout.splitlines() if x.startswith("{")]
    assert lines[0]["id"] == "a" and "UWV" in {e["canonical"] for e in lines[0]["entities"]}
    assert "regel 2" in res.output and "regel 3" in res.output
    bad = tmp_path / "bad.jsonl"
    bad.write_text("kapot\n", encoding="utf-8")
    assert CliRunner().invoke(app, ["extract", "--jsonl", str(bad)]).exit_code == 2


def test_cli_privacy_refusal_without_values():
    from casusgraaf.cli import app

    res = CliRunner().invoke(app, ["extract", "--text", "Cliënt met BSN 123456782 woont bij het UWV.", "--json"])
    assert res.exit_code == 2
    assert "123456782" not in res.output and "error" in json.loads(res.stdout)


def test_cli_needs_exactly_one_source():
    from casusgraaf.cli import app

    assert CliRunner().invoke(app, ["extract"]).exit_code == 2


# ------------------------------------------------------------------ quality floors (a little under measured)
@pytest.fixture(scope="module")
def metrics():
    from tools.quality_extract import evaluate

    return evaluate(use_embeddings=False, write=False)


def test_quality_floors(metrics):
    t = metrics["types"]
    assert t["wetten (wet+regeling)"]["canonical"]["f1"] >= 0.95
    assert t["wetten (wet+regeling)"]["span"]["f1"] >= 0.95
    assert t["wet"]["canonical"]["f1"] >= 0.95
    assert t["organisatie"]["canonical"]["f1"] >= 0.95
    assert t["organisatie"]["span"]["f1"] >= 0.93
    assert t["leefgebied"]["canonical"]["f1"] >= 0.84
    assert metrics["knelpunt"]["regels"]["top1"] >= 0.86
    assert metrics["artikel"]["accuracy"] >= 0.9
    assert metrics["negatie"]["recall"] >= 0.85
    assert metrics["passages"] >= 70
