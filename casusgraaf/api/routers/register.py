"""Register a case in the browser and close it later (docs/REGISTRATION.md).

Pages: ``/casussen/nieuw`` (paste the text → suggestions as chips beside the similar cases → save) and
``/casussen/{id}/afronden``; they work as plain form posts (first ``actie=voorstellen``, then ``actie=opslaan``),
``/static/register.js`` only adds live autocomplete. JSON twins: ``POST /api/cases/voorstellen``,
``POST /api/cases``, ``POST /api/cases/{id}/afronden``, ``GET /api/vocabulaire/{soort}``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, Field

from casusgraaf.api.deps import AuditDep, CurrentUser, EngineDep, GraphDep, SettingsDep, limited, requires
from casusgraaf.api.html import refusal
from casusgraaf.errors import BadInput, CasusgraafError, NotFound
from casusgraaf.services import register as reg
from casusgraaf.services.cases import case_detail
from casusgraaf.services.search import SearchRefused

router = APIRouter(tags=["casussen"])
pages = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=Path(__file__).parent.parent / "web" / "templates")

WRITERS = ("regievoerder", "beheerder")
EXTRA = ("wet", "organisatie", "leefgebied", "knelpunt", "leerpunt")
METHODS = {"gazetteer": "uit de namenlijst", "rule": "regel", "model": "model", "classifier": "model"}


class VoorstelIn(BaseModel):
    tekst: str = Field(description="beschrijving van de nieuwe casus (gaat eerst door de privacy-poort)")
    k: int = Field(5, ge=1, le=20, description="aantal vergelijkbare casussen")


def _audit_save(audit, tekst: str, out: dict[str, Any]) -> None:
    audit("casus_registreren", {"tekst_hash": audit.text_hash(tekst), "correcties": out["correcties"]}, [out["id"]])


# -- JSON ----------------------------------------------------------------------------------------------

@router.post("/cases/voorstellen", summary="Voorstellen (wetten, regelingen, organisaties, leefgebieden, "
             "knelpuntcategorie, leerpunten) en vergelijkbare casussen voor een nieuwe tekst",
             dependencies=[requires(*WRITERS), limited("similar")])
def suggestions(body: VoorstelIn, store: GraphDep, engine: EngineDep, settings: SettingsDep, user: CurrentUser,
                audit: AuditDep, request: Request) -> dict[str, Any]:
    out = reg.suggest(store, settings, body.tekst, engine, user, _today(request), k=body.k)
    audit("casus_voorstellen", {"tekst_hash": audit.text_hash(body.tekst)},
          [r["case_id"] for r in out["vergelijkbaar"]])
    return out


@router.post("/cases", summary="Een nieuwe casus opslaan (status lopend) met de beslissingen over de voorstellen",
             status_code=201, dependencies=[requires(*WRITERS)])
def create(body: reg.Registratie, store: GraphDep, settings: SettingsDep, user: CurrentUser, audit: AuditDep,
           request: Request) -> dict[str, Any]:
    out = reg.register(store, settings, body, user, _today(request))
    _audit_save(audit, body.tekst, out)
    return out


@router.post("/cases/{case_id}/afronden", summary="Een casus afronden: uitkomst, kon_verder, datum_afronding",
             dependencies=[requires(*WRITERS)])
def close(case_id: str, body: reg.Afronding, store: GraphDep, settings: SettingsDep, user: CurrentUser,
          audit: AuditDep, request: Request) -> dict[str, Any]:
    out = reg.close_case(store, settings, case_id, body, user, _today(request))
    audit("casus_afronden", {"kon_verder": out["kon_verder"]}, [case_id])
    return out


@router.get("/vocabulaire/{soort}", summary="Namen voor autocomplete uit de gazetteers en de huidige taxonomie "
            "(soort: wet, organisatie, leefgebied, knelpunt)", dependencies=[requires(*WRITERS)])
def vocabulary(soort: str, q: str = Query("", max_length=100), limit: int = Query(20, ge=1, le=200)
               ) -> dict[str, Any]:
    return {"soort": soort, "q": q, "namen": reg.vocabulaire(soort, q, limit)}


# -- pages ---------------------------------------------------------------------------------------------

def _today(request: Request):
    clock = getattr(request.app.state, "clock", None)
    return clock() if callable(clock) else None


def _vocab() -> dict[str, list[str]]:
    return {s: reg.vocabulaire(s, "", 500) for s in reg.VOCABULAIRE}


def _render(request: Request, ctx: dict[str, Any], status: int = 200) -> HTMLResponse:
    base: dict[str, Any] = {"chips": [], "similar": None, "tekst": "", "titel": "", "error": None, "refusal": None,
            "labels": reg.SOORT_LABELS, "methods": METHODS, "vocab": _vocab(), "extra": EXTRA, "opgeslagen": None,
            "json_url": "/docs#/casussen"}
    return templates.TemplateResponse(request, "register.html", {**base, **ctx}, status_code=status)


@pages.get("/casussen/nieuw", response_class=HTMLResponse, dependencies=[requires(*WRITERS)])
def new_form(request: Request, store: GraphDep, user: CurrentUser, opgeslagen: str | None = None):
    saved = None
    if opgeslagen:
        try:
            saved = case_detail(store, opgeslagen, user)
        except NotFound:
            saved = None
    return _render(request, {"opgeslagen": saved})


def _chips_from_form(form) -> list[dict[str, Any]]:
    """The chips as posted: hidden ``chip`` = "i|herkomst|soort|naam", checkbox ``behoud`` = i,
    text ``naam<i>`` = the (possibly corrected) name; plus the add fields ``extra_<soort>``."""
    kept = set(form.getlist("behoud"))
    chips = []
    for raw in form.getlist("chip"):
        i, herkomst, soort, naam = (str(raw).split("|", 3) + ["", "", ""])[:4]
        if herkomst not in ("voorstel", "toegevoegd") or soort not in reg.SOORTEN or not naam:
            continue
        nieuw = " ".join(str(form.get(f"naam{i}") or "").split()) or naam
        chips.append({"herkomst": herkomst, "soort": soort, "naam": naam, "nieuw": nieuw, "kept": i in kept})
    for soort in EXTRA:
        value = " ".join(str(form.get(f"extra_{soort}") or "").split())
        if value and not any(c["soort"] == soort and c["nieuw"] == value for c in chips):
            chips.append({"herkomst": "toegevoegd", "soort": soort, "naam": value, "nieuw": value, "kept": True})
    return chips


def _keuzes(chips: list[dict[str, Any]]) -> list[reg.Keuze]:
    out = []
    for c in chips:
        if c["herkomst"] == "toegevoegd":
            if c["kept"]:
                out.append(reg.Keuze(soort=c["soort"], naam=c["nieuw"], actie="added"))
        elif not c["kept"]:
            out.append(reg.Keuze(soort=c["soort"], naam=c["naam"], actie="removed"))
        elif c["nieuw"] != c["naam"]:
            out.append(reg.Keuze(soort=c["soort"], naam=c["nieuw"], actie="corrected", voorstel=c["naam"]))
        else:
            out.append(reg.Keuze(soort=c["soort"], naam=c["naam"], actie="kept"))
    return out


def _merge(suggested: list[dict[str, Any]], posted: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Fresh suggestions keep the decision the regievoerder made on the same (soort, naam) earlier; her
    additions stay."""
    before = {(c["soort"], c["naam"]): c for c in posted if c["herkomst"] == "voorstel"}
    chips = []
    for v in suggested:
        old = before.get((v["soort"], v["naam"]))
        chips.append({**v, "herkomst": "voorstel", "kept": old["kept"] if old else True,
                      "nieuw": old["nieuw"] if old else v["naam"]})
    chips += [c for c in posted if c["herkomst"] == "toegevoegd" and c["kept"]]
    return chips


@pages.post("/casussen/nieuw", response_class=HTMLResponse,
            dependencies=[requires(*WRITERS), limited("similar")])
async def new_post(request: Request, store: GraphDep, engine: EngineDep, settings: SettingsDep,
                   user: CurrentUser, audit: AuditDep) -> Response:
    form = await request.form()
    tekst = str(form.get("tekst") or "")
    titel = str(form.get("titel") or "")
    actie = str(form.get("actie") or "voorstellen")
    chips = _chips_from_form(form)
    ctx: dict[str, Any] = {"tekst": tekst, "titel": titel, "chips": chips}
    try:
        if not tekst.strip():
            raise BadInput("Vul eerst een beschrijving van de casus in: het tekstveld is leeg (of bevat alleen "
                           "spaties).")
        if actie == "opslaan":
            out = reg.register(store, settings, reg.Registratie(tekst=tekst, titel=titel or None,
                                                                keuzes=_keuzes(chips)), user, _today(request))
            _audit_save(audit, tekst, out)
            return RedirectResponse(f"/casussen/nieuw?opgeslagen={out['id']}", status_code=303)
        found = reg.suggest(store, settings, tekst, engine, user, _today(request))
        audit("casus_voorstellen", {"tekst_hash": audit.text_hash(tekst)},
              [r["case_id"] for r in found["vergelijkbaar"]])
        ctx.update(chips=_merge(found["voorstellen"], chips), similar=found["vergelijkbaar"],
                   taxonomie=found["taxonomie"])
        return _render(request, ctx)
    except SearchRefused:
        # The text stays in the form (a POST body only this user sees); the message masks every value.
        found_refusal = refusal(tekst, redact=settings.privacy_hard == "redact")
        return _render(request, {**ctx, "error": found_refusal["message"], "refusal": found_refusal}, 422)
    except CasusgraafError as exc:
        return _render(request, {**ctx, "error": str(exc)}, exc.status)


def _close_ctx(store, case_id: str, user) -> dict[str, Any]:
    case = case_detail(store, case_id, user)
    return {"case": case, "kon_verder": reg.KON_VERDER, "uitkomst": case.get("uitkomst") or "",
            "gekozen": case.get("kon_verder") or "", "datum": case.get("datum_afronding") or "", "error": None,
            "json_url": "/docs#/casussen"}


@pages.get("/casussen/{case_id}/afronden", response_class=HTMLResponse, dependencies=[requires(*WRITERS)])
def close_form(request: Request, case_id: str, store: GraphDep, user: CurrentUser):
    return templates.TemplateResponse(request, "afronden.html", _close_ctx(store, case_id, user))


@pages.post("/casussen/{case_id}/afronden", response_class=HTMLResponse, dependencies=[requires(*WRITERS)])
async def close_post(request: Request, case_id: str, store: GraphDep, settings: SettingsDep, user: CurrentUser,
                     audit: AuditDep) -> Response:
    form = await request.form()
    ctx = _close_ctx(store, case_id, user)  # NotFound: the Dutch 404 page
    uitkomst, kon_verder = str(form.get("uitkomst") or ""), str(form.get("kon_verder") or "")
    datum = str(form.get("datum_afronding") or "").strip()
    ctx.update(uitkomst=uitkomst, gekozen=kon_verder, datum=datum)
    try:
        from datetime import date

        try:
            when = date.fromisoformat(datum) if datum else None
        except ValueError:
            raise BadInput("Datum van afronding: vul een datum in als JJJJ-MM-DD, of laat het veld leeg "
                           "(dan vandaag).") from None
        reg.close_case(store, settings, case_id, reg.Afronding(uitkomst=uitkomst, kon_verder=kon_verder,
                                                               datum_afronding=when), user, _today(request))
    except CasusgraafError as exc:
        ctx["error"] = str(exc)
        return templates.TemplateResponse(request, "afronden.html", ctx, status_code=exc.status)
    audit("casus_afronden", {"kon_verder": kon_verder}, [case_id])
    return RedirectResponse(f"/casussen/{case_id}", status_code=303)

