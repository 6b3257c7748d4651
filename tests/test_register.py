"""Registering a case (/casussen/nieuw, POST /api/cases) and closing it: suggestions from the real NLP, decisions
stored with provenance, removed suggestions never re-added by extraction, the corrections export, roles, bad
input and the privacy gate. Real embedded graph, real e5 model, real FAISS; a small slice of the sample corpus."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from casusgraaf.accounts import AccountStore
from casusgraaf.api.app import create_app
from tests.conftest import SAMPLE, make_settings

TEXT = ("Een alleenstaande vader in Eikendam kreeg zijn uitkering van de gemeente stopgezet omdat het UWV zijn "
        "WW-aanvraag niet tijdig afhandelde. Zonder inkomen liepen de huurachterstanden op en dreigde de "
        "woningcorporatie met ontruiming. De gemeente verwees naar de Participatiewet, het UWV naar de "
        "Werkloosheidswet; niemand voelde zich verantwoordelijk voor de overbrugging. Leerpunt: gemeenten zouden "
        "bij een lopende WW-aanvraag voorschotbijstand moeten kunnen verlenen.")
PHONE = "06-12345678"
REFUSED = f"Een moeder belde vanaf {PHONE} over haar schulden. De gemeente en het UWV verwezen naar elkaar."
TODAY = date(2026, 3, 2)

pytestmark = pytest.mark.slow  # ingests part of the corpus with the real model


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    from casusgraaf.graph import open_store
    from casusgraaf.ingest.readers import iter_records
    from casusgraaf.services.ingest import ingest_items

    base = tmp_path_factory.mktemp("register")
    settings = make_settings(base / "data")
    store = open_store(settings)
    items = [it for _, it in zip(range(20), iter_records([SAMPLE / "casussen.jsonl"]), strict=False)]
    ingest_items(store, settings, items)
    app = create_app(settings, store=store)
    app.state.clock = lambda: TODAY
    accounts = AccountStore(settings.data_dir)
    tokens = {}
    for naam, rol in (("rita", "regievoerder"), ("ana", "analist"), ("bert", "beheerder")):
        accounts.add(naam, [rol], None)
        tokens[rol] = accounts.new_token(naam)
    accounts.add("rob", ["regievoerder"], None)  # a colleague: not the registrant of rita's cases
    tokens["collega"] = accounts.new_token("rob")
    with TestClient(app, follow_redirects=False) as client:
        yield {"settings": settings, "store": store, "client": client, "tokens": tokens, "app": app}
    store.close()


def _h(env, rol: str = "regievoerder") -> dict:
    return {"Authorization": f"Bearer {env['tokens'][rol]}"}


def _links(store, cid: str) -> dict[tuple[str, str], dict]:
    rows = store.run("MATCH (c:Casus {id: $id})-[r]->(x) RETURN type(r) AS rel, coalesce(x.naam, x.categorie, "
                     "x.code, x.tekst) AS naam, r.bron AS bron, r.methode AS methode", {"id": cid})
    return {(r["rel"], r["naam"]): r for r in rows}


def _count(store) -> int:
    return store.run("MATCH (c:Casus) RETURN count(c) AS n")[0]["n"]


def test_suggestions_cover_every_kind_and_the_similar_cases(env):
    res = env["client"].post("/api/cases/voorstellen", json={"tekst": TEXT, "k": 3}, headers=_h(env))
    assert res.status_code == 200, res.text
    out = res.json()
    got = {(v["soort"], v["naam"]) for v in out["voorstellen"]}
    assert {("wet", "Participatiewet"), ("wet", "WW"), ("organisatie", "UWV"), ("organisatie", "woningcorporatie"),
            ("leefgebied", "financiën"), ("leefgebied", "wonen"), ("knelpunt", "Samenwerking")} <= got
    assert any(s == "leerpunt" and "voorschotbijstand" in n for s, n in got)
    assert out["taxonomie"] == "jr2024" and len(out["vergelijkbaar"]) == 3
    assert all(v["start"] < v["end"] for v in out["voorstellen"])


def test_vocabulary_autocomplete(env):
    c = env["client"]
    wet = c.get("/api/vocabulaire/wet", params={"q": "particip"}, headers=_h(env)).json()["namen"]
    assert wet[0] == "Participatiewet"
    assert "Wmo 2015" in c.get("/api/vocabulaire/wet", params={"q": "wmo"}, headers=_h(env)).json()["namen"]
    assert c.get("/api/vocabulaire/knelpunt", headers=_h(env)).json()["namen"] == [  # taxonomy order
        "Kennis en kunde", "Samenwerking", "Communicatie", "Wet- en regelgeving", "Overige", "ICT"]
    bad = c.get("/api/vocabulaire/persoon", headers=_h(env))
    assert bad.status_code == 422 and "onbekende soort" in bad.json()["detail"]


def test_save_close_provenance_removal_and_corrections(env):
    c, store, settings = env["client"], env["store"], env["settings"]
    keuzes = [
        {"soort": "wet", "naam": "Participatiewet", "actie": "kept"},
        {"soort": "organisatie", "naam": "UWV", "actie": "kept"},
        {"soort": "organisatie", "naam": "woningcorporatie", "actie": "removed"},
        {"soort": "knelpunt", "naam": "Samenwerking", "actie": "removed"},
        {"soort": "leefgebied", "naam": "verblijf", "actie": "corrected", "voorstel": "wonen"},
        {"soort": "wet", "naam": "Wmo 2015", "actie": "added"},
    ]
    res = c.post("/api/cases", json={"tekst": TEXT, "titel": "WW-aanvraag en huurachterstand", "keuzes": keuzes},
                 headers=_h(env))
    assert res.status_code == 201, res.text
    cid = res.json()["id"]
    assert cid == "2026-001" and res.json()["status"] == "lopend" and res.json()["correcties"] == 6
    node = store.run("MATCH (c:Casus {id: $id}) RETURN c.status AS s, c.datum_aanmelding AS d", {"id": cid})[0]
    assert node == {"s": "lopend", "d": "2026-03-02"}
    links = _links(store, cid)
    assert links[("RAAKT_WET", "Participatiewet")]["bron"] == "registratie"
    assert links[("RAAKT_WET", "Participatiewet")]["methode"].startswith("registratie+")  # confirmed + its spans
    assert links[("RAAKT_WET", "Wmo 2015")]["bron"] == "registratie"
    assert links[("BETREFT_LEEFGEBIED", "verblijf")]["bron"] == "registratie"
    assert links[("RAAKT_WET", "WW")]["bron"] == "extractie"  # no decision: stays a suggestion
    # removed and corrected-away suggestions are not re-added by extraction at ingest
    assert ("BETROKKEN", "woningcorporatie") not in links
    assert ("BETREFT_LEEFGEBIED", "wonen") not in links
    assert not [k for k in links if k[0] == "HEEFT_KNELPUNT"]

    # labelled data: exact rows, no case text (the leerpunt would be one, so it is absent here by design)
    from casusgraaf.services.register import corrections_path, export_corrections

    rows = export_corrections(settings)
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", r.pop("op")) for r in rows)
    assert rows == [{"case_id": cid, "soort": k["soort"], "naam": k["naam"], "actie": k["actie"],
                     "voorstel": k.get("voorstel"), "bron": "regievoerder", "door": "rita"} for k in keuzes]
    assert oct(corrections_path(settings).stat().st_mode & 0o777) == "0o600"
    from casusgraaf.cli import app as cli_app

    out = CliRunner().invoke(cli_app, ["correcties", "--jsonl"], env={"CASUSGRAAF_DATA_DIR": str(settings.data_dir)})
    assert out.exit_code == 0, out.output
    lines = [json.loads(x) for x in out.stdout.splitlines()]
    assert [x["naam"] for x in lines] == [k["naam"] for k in keuzes] and all("tekst" not in x for x in lines)
    assert "vader" not in out.stdout
    target = settings.data_dir.parent / "correcties.jsonl"
    out = CliRunner().invoke(cli_app, ["correcties", "--uit", str(target), "--met-tekst", "--json"],
                             env={"CASUSGRAAF_DATA_DIR": str(settings.data_dir)})
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout) == {"correcties": 6, "uit": str(target)}
    assert oct(target.stat().st_mode & 0o777) == "0o600"
    assert {json.loads(x)["tekst"] for x in target.read_text(encoding="utf-8").splitlines()} == {TEXT}

    # findable as a similar case with the same text
    sim = c.post("/api/similar", json={"text": TEXT, "k": 3}, headers=_h(env)).json()["results"]
    assert sim[0]["case_id"] == cid

    # close it: status, uitkomst, kon_verder, date; the removals still hold after the re-ingest
    res = c.post(f"/api/cases/{cid}/afronden", json={"uitkomst": "knelpunt opgelost", "kon_verder": "deels",
                                                     "datum_afronding": "2026-04-20"}, headers=_h(env))
    assert res.status_code == 200, res.text
    node = store.run("MATCH (c:Casus {id: $id}) RETURN c.status AS s, c.uitkomst AS u, c.kon_verder AS k, "
                     "c.datum_afronding AS d, c.looptijd_weken AS w", {"id": cid})[0]
    assert node == {"s": "afgerond", "u": "knelpunt opgelost", "k": "deels", "d": "2026-04-20", "w": 7}
    links = _links(store, cid)
    assert ("BETROKKEN", "woningcorporatie") not in links and not [k for k in links if k[0] == "HEEFT_KNELPUNT"]
    assert links[("RAAKT_WET", "Wmo 2015")]["bron"] == "registratie"

    # the next registration takes the next id; the audit has the hash, never the text
    res = c.post("/api/cases", json={"tekst": "Een gezin met schulden viel tussen de Wmo en de Jeugdwet."},
                 headers=_h(env, "beheerder"))
    assert res.status_code == 201 and res.json()["id"] == "2026-002"
    from casusgraaf.audit import AuditLog

    recs = [r for r in AuditLog(settings).records() if r["action"] in ("casus_registreren", "casus_afronden")]
    assert [r["result_ids"] for r in recs] == [[cid], [cid], ["2026-002"]]
    assert all(set(r["what"]) <= {"tekst_hash", "correcties", "kon_verder"} for r in recs)


def test_roles_401_and_403(env):
    c = env["client"]
    body = {"tekst": TEXT}
    assert c.post("/api/cases", json=body).status_code == 401
    assert c.post("/api/cases", json=body, headers=_h(env, "analist")).status_code == 403
    assert c.post("/api/cases/2019-001/afronden", json={"uitkomst": "x", "kon_verder": "ja"},
                  headers=_h(env, "analist")).status_code == 403
    assert c.get("/casussen/nieuw", headers=_h(env, "analist")).status_code == 403
    assert c.get("/api/vocabulaire/wet", headers=_h(env, "analist")).status_code == 403


def test_bad_input_is_a_dutch_422_and_stores_nothing(env):
    c, store = env["client"], env["store"]
    before = _count(store)
    res = c.post("/api/cases", json={"tekst": "   "}, headers=_h(env))
    assert res.status_code == 422 and "tekstveld is leeg" in res.json()["detail"]
    res = c.post("/api/cases", json={"tekst": TEXT, "keuzes": [{"soort": "knelpunt", "naam": "Geld",
                                                                 "actie": "added"}]}, headers=_h(env))
    assert res.status_code == 422 and "knelpuntcategorie staat niet in jr2024" in res.json()["detail"]
    res = c.post("/api/cases", json={"tekst": TEXT, "keuzes": [{"soort": "wet", "naam": "Wmo", "actie": "weg"}]},
                 headers=_h(env))
    assert res.status_code == 422 and "onbekende actie" in res.json()["detail"]
    assert _count(store) == before
    res = c.post("/api/cases/2019-001/afronden", json={"uitkomst": "opgelost", "kon_verder": "misschien"},
                 headers=_h(env))
    assert res.status_code == 422 and "kies uit ja, deels, nee, onbekend, n.v.t." in res.json()["detail"]
    res = c.post("/api/cases/2019-001/afronden", json={"uitkomst": "  ", "kon_verder": "ja"}, headers=_h(env))
    assert res.status_code == 422 and "vul de uitkomst in" in res.json()["detail"]
    res = c.post("/api/cases/bestaat-niet/afronden", json={"uitkomst": "opgelost", "kon_verder": "ja"},
                 headers=_h(env))
    assert res.status_code == 404


def test_refusal_stores_nothing_and_logs_no_text(env):
    c, store, settings = env["client"], env["store"], env["settings"]
    from casusgraaf.audit import AuditLog
    from casusgraaf.services.register import corrections_path

    before = _count(store)
    path = corrections_path(settings)
    corr_before = path.read_bytes() if path.exists() else b""
    audit_before = len(AuditLog(settings).records())
    keuzes = [{"soort": "organisatie", "naam": "UWV", "actie": "kept"}]
    res = c.post("/api/cases", json={"tekst": REFUSED, "keuzes": keuzes}, headers=_h(env))
    assert res.status_code == 422 and PHONE not in res.text and "persoonsgegevens" in res.json()["detail"]
    # a name typed into an add field is gated too
    res = c.post("/api/cases", json={"tekst": TEXT, "keuzes": [{"soort": "organisatie", "naam": f"bel {PHONE}",
                                                                 "actie": "added"}]}, headers=_h(env))
    assert res.status_code == 422 and PHONE not in res.text
    res = c.post("/api/cases/voorstellen", json={"tekst": REFUSED}, headers=_h(env))
    assert res.status_code == 422 and PHONE not in res.text
    assert _count(store) == before
    assert (path.read_bytes() if path.exists() else b"") == corr_before
    audit = AuditLog(settings).records()
    assert len(audit) == audit_before
    assert PHONE not in json.dumps(audit) and "moeder" not in json.dumps(audit)
    quarantine = settings.quarantine_dir
    assert not quarantine.exists() or PHONE not in "".join(
        p.read_text(errors="ignore") for p in quarantine.rglob("*") if p.is_file())


def test_page_flow_without_javascript(env):
    """The plain form posts: voorstellen shows chips and similar cases, opslaan saves and redirects; a refused
    text stays in the textarea with the value masked in the message."""
    c, store = env["client"], env["store"]
    h = _h(env)
    page = c.get("/casussen/nieuw", headers=h)
    assert page.status_code == 200 and "<h1>Nieuwe casus registreren</h1>" in page.text
    empty = c.post("/casussen/nieuw", data={"tekst": "  ", "actie": "voorstellen"}, headers=h)
    assert empty.status_code == 422 and "het tekstveld is leeg" in empty.text and 'role="alert"' in empty.text
    res = c.post("/casussen/nieuw", data={"tekst": TEXT, "actie": "voorstellen"}, headers=h)
    assert res.status_code == 200, res.text[:500]
    chips = re.findall(r'name="chip" value="([^"]+)"', res.text)
    assert "voorstel|organisatie|woningcorporatie" in {x.split("|", 1)[1] for x in chips}
    assert 'id="vergelijkbaar"' in res.text and "/casussen/2019-" in res.text
    form = {"tekst": TEXT, "actie": "opslaan", "extra_wet": "Jeugdwet", "chip": chips,
            "behoud": [x.split("|")[0] for x in chips if not x.endswith("|woningcorporatie")]}
    res = c.post("/casussen/nieuw", data=form, headers=h)
    assert res.status_code == 303, re.findall(r'<div id="fout".*?</div>', res.text, re.S)
    cid = res.headers["location"].split("opgeslagen=")[1]
    assert "Casus " + cid + " is opgeslagen" in c.get(res.headers["location"], headers=h).text
    links = _links(store, cid)
    assert ("BETROKKEN", "woningcorporatie") not in links
    assert links[("RAAKT_WET", "Jeugdwet")]["bron"] == "registratie"
    assert links[("HEEFT_KNELPUNT", "Samenwerking")]["bron"] == "registratie"
    assert c.get(f"/casussen/{cid}/afronden", headers=h).status_code == 200
    res = c.post(f"/casussen/{cid}/afronden", data={"uitkomst": "kan verder", "kon_verder": "misschien"}, headers=h)
    assert res.status_code == 422 and "kies uit" in res.text and 'value="kan verder"' in res.text
    res = c.post(f"/casussen/{cid}/afronden", data={"uitkomst": "kan verder", "kon_verder": "ja"}, headers=h)
    assert res.status_code == 303 and res.headers["location"] == f"/casussen/{cid}"

    res = c.post("/casussen/nieuw", data={"tekst": REFUSED, "actie": "voorstellen"}, headers=h)
    assert res.status_code == 422
    textarea = re.search(r"<textarea[^>]*>(.*?)</textarea>", res.text, re.S).group(1)
    assert textarea == REFUSED
    rest = res.text.replace(textarea, "", 1)
    assert PHONE not in rest and "TELEFOON" in rest.upper() and "[" in rest


def test_the_registrant_owns_the_leerpunten_of_the_case(env):
    """A case registered by rita carries her account; its leerpunt's follow-up is hers (and a beheerder's) to
    record, not a colleague's; a leerpunt of an imported case (no registrant) stays open to every regievoerder.
    The registrant survives closing and an export; an analyst never sees it."""
    from casusgraaf.services.transfer import case_records

    c, store = env["client"], env["store"]
    keuzes = [{"soort": "leerpunt", "naam": "Gemeenten zouden een voorschot moeten kunnen geven.", "actie": "added"}]
    res = c.post("/api/cases", json={"tekst": TEXT, "keuzes": keuzes}, headers=_h(env))
    assert res.status_code == 201, res.text
    cid = res.json()["id"]
    assert store.run("MATCH (c:Casus {id: $id}) RETURN c.regievoerder AS r", {"id": cid}) == [{"r": "rita"}]
    lid = store.run("MATCH (:Casus {id: $id})-[:LEVERDE_LEERPUNT]->(l) RETURN l.id AS id", {"id": cid})[0]["id"]
    body = {"code": "IN_VERKENNING", "tekst": "Besproken in het signalenoverleg."}
    other = c.post(f"/api/leerpunten/{lid}/status", json=body, headers=_h(env, "collega"))
    assert other.status_code == 403 and "andere regievoerder" in other.json()["detail"]
    assert c.post(f"/api/leerpunten/{lid}/status", json=body, headers=_h(env)).status_code == 200
    assert c.post(f"/api/leerpunten/{lid}/status", json=body, headers=_h(env, "beheerder")).status_code == 200
    imported = store.run("MATCH (c:Casus)-[:LEVERDE_LEERPUNT]->(l) WHERE c.regievoerder IS NULL "
                         "RETURN l.id AS id ORDER BY id LIMIT 1")[0]["id"]
    assert c.post(f"/api/leerpunten/{imported}/status", json=body, headers=_h(env, "collega")).status_code == 200
    page = c.get(f"/casussen/{cid}", headers=_h(env)).text
    assert f'<a href="/casussen/{cid}/afronden">Afronden</a>' in page and "<dd>lopend" in page
    closed = c.post(f"/api/cases/{cid}/afronden", json={"uitkomst": "opgelost", "kon_verder": "ja"}, headers=_h(env))
    assert closed.status_code == 200, closed.text
    assert next(case_records(store, [cid]))["regievoerder"] == "rita"
    assert "/afronden" not in c.get(f"/casussen/{cid}", headers=_h(env)).text  # closed: no link any more
    shown = c.get(f"/api/leerpunten/{lid}", headers=_h(env, "analist")).json()
    assert shown["casussen"] and all("regievoerder" not in k for k in shown["casussen"])
