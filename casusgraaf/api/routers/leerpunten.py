"""Leerpunten: JSON under /api (``router``) and the Dutch pages /leerpunten, /leerpunten/{id}, /agenda
(``pages``), each page linking its JSON twin. Parsing and rendering only (``services/leerpunten.py``).

The date the state is computed for is ``?vandaag=JJJJ-MM-DD`` when given, else ``app.state.clock()`` when a
caller (a test) set one, else today's date."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, PlainTextResponse
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, Field

from casusgraaf.api.deps import ALL_ROLES, AuditDep, CurrentUser, GraphDep, SettingsDep, requires
from casusgraaf.errors import CasusgraafError, Forbidden, NotFound, Unavailable
from casusgraaf.leerpunten.agenda import SECTIONS
from casusgraaf.services import leerpunten as svc

router = APIRouter(tags=["leerpunten"])
pages = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=Path(__file__).parent.parent / "web" / "templates")


def get_today(request: Request, vandaag: date | None = None) -> date:
    if vandaag is not None:
        return vandaag
    clock = getattr(request.app.state, "clock", None)
    return clock() if clock else date.today()


TodayDep = Annotated[date, Depends(get_today)]


class StatusIn(BaseModel):
    code: str = Field(description="statuscode, bv. IN_VERKENNING (GET /api/leerpunt-statussen)")
    tekst: str = Field(min_length=1, max_length=4000, description="wat er gebeurde (geen namen)")
    datum: date | None = Field(default=None, description="datum van de opvolging (standaard: vandaag)")
    wie: str | None = Field(default=None, max_length=200, description="rol of organisatie")
    bron: str | None = Field(default=None, max_length=200, description="bv. ambassadeursoverleg")


class KoppelIn(BaseModel):
    terugkerend_van: str = Field(min_length=1, max_length=64, description="id van het eerdere leerpunt")
    wie: str | None = Field(default=None, max_length=200)


def _csv(text: str, name: str) -> PlainTextResponse:
    return PlainTextResponse(text, media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/leerpunten", summary="Leerpunten met eigenaar, status, leeftijd, te laat en stil (filters als op de CLI)",
            dependencies=[requires(*ALL_ROLES)])
def list_json(store: GraphDep, settings: SettingsDep, today: TodayDep, user: CurrentUser, eigenaar: str | None = None,
              status: str | None = None, te_laat: bool = False, stil: bool = False,
              format: Literal["json", "csv"] = "json") -> Any:
    data = svc.list_leerpunten(store, settings, eigenaar=eigenaar, status=status, te_laat=te_laat, stil=stil,
                               today=today, viewer=user)
    return _csv(svc.list_csv(data), "leerpunten.csv") if format == "csv" else data


@router.get("/leerpunt-statussen", summary="De statuscodes van opvolging (code, label, open of gesloten)",
            dependencies=[requires(*ALL_ROLES)])
def statuses() -> list[dict[str, Any]]:
    return svc.status_vocabulary()


@router.get("/leerpunten/{leerpunt_id}", summary="Eén leerpunt met historie, casussen en terugkeer",
            dependencies=[requires(*ALL_ROLES)])
def show_json(leerpunt_id: str, store: GraphDep, settings: SettingsDep, today: TodayDep,
              user: CurrentUser) -> dict[str, Any]:
    return svc.show_leerpunt(store, settings, leerpunt_id, today=today, viewer=user)


@router.post("/leerpunten/{leerpunt_id}/status", summary="Leg een gedateerde status vast (voegt toe aan de historie); "
             "een ambassadeur alleen voor leerpunten van het eigen ministerie of de eigen organisatie",
             dependencies=[requires("regievoerder", "ambassadeur", "beheerder")])
def set_status(leerpunt_id: str, body: StatusIn, store: GraphDep, settings: SettingsDep, today: TodayDep,
               user: CurrentUser, audit: AuditDep) -> dict[str, Any]:
    try:
        out = svc.set_status(store, settings, leerpunt_id, code=body.code, tekst=body.tekst, datum=body.datum,
                             wie=body.wie, bron=body.bron, kanaal="api", today=today, viewer=user)
    except Forbidden:
        audit("status_wijziging", {"leerpunt": leerpunt_id[:64], "code": body.code[:40]}, [], "geweigerd")
        raise
    audit("status_wijziging", {"leerpunt": leerpunt_id, "code": out["opvolging"]["code"]}, [leerpunt_id])
    return out


@router.post("/leerpunten/{leerpunt_id}/koppel", summary="Bevestig dat een leerpunt terugkeert van een eerder leerpunt",
             dependencies=[requires("regievoerder", "ambassadeur", "beheerder")])
def koppel(leerpunt_id: str, body: KoppelIn, store: GraphDep, settings: SettingsDep, today: TodayDep,
           user: CurrentUser, audit: AuditDep) -> dict[str, Any]:
    out = svc.link_recurrence(store, settings, leerpunt_id, body.terugkerend_van, wie=body.wie, kanaal="api",
                              today=today, viewer=user)
    audit("status_wijziging", {"leerpunt": leerpunt_id, "terugkerend_van": body.terugkerend_van},
          [leerpunt_id, body.terugkerend_van])
    return out


@router.get("/leerpunten/{leerpunt_id}/suggesties", summary="Mogelijk eerdere leerpunten waarvan dit terugkeert",
            dependencies=[requires(*ALL_ROLES)])
def suggestions(leerpunt_id: str, store: GraphDep, settings: SettingsDep, today: TodayDep) -> list[dict[str, Any]]:
    return svc.suggest_recurrences(store, settings, leerpunt_id, today=today)


@router.get("/agenda", summary="Agenda van het volgende ambassadeursoverleg (JSON of CSV)",
            dependencies=[requires(*ALL_ROLES)])
def agenda_json(store: GraphDep, settings: SettingsDep, today: TodayDep, user: CurrentUser, sinds: date | None = None,
                suggesties: bool = True, format: Literal["json", "csv"] = "json") -> Any:
    data = svc.agenda(store, settings, today=today, sinds=sinds, suggestions=suggesties, viewer=user)
    return _csv(svc.agenda_csv(data), f"agenda-{data['vandaag']}.csv") if format == "csv" else data


# -- pages ---------------------------------------------------------------------------------------------


def _query(**params: Any) -> str:
    kept = {k: v for k, v in params.items() if v not in (None, False, "")}
    return ("?" + urlencode(kept)) if kept else ""


@pages.get("/leerpunten", response_class=HTMLResponse, dependencies=[requires(*ALL_ROLES)])
def list_page(request: Request, store: GraphDep, settings: SettingsDep, today: TodayDep, user: CurrentUser,
              eigenaar: str | None = None, status: str | None = None, te_laat: bool = False, stil: bool = False):
    error = None
    try:
        data = svc.list_leerpunten(store, settings, eigenaar=eigenaar, status=status or None, te_laat=te_laat,
                                   stil=stil, today=today, viewer=user)
    except CasusgraafError as exc:  # a wrong status code in the form: show the valid ones
        error = str(exc)
        data = svc.list_leerpunten(store, settings, today=today, viewer=user)
    groups: dict[str, list[dict]] = {}
    for lp in data["leerpunten"]:
        key = ", ".join(o["naam"] for o in lp["eigenaren"]) or "niet belegd"
        groups.setdefault(key, []).append(lp)
    order = [g["eigenaar"] for g in data["per_eigenaar"]]
    grouped = sorted(groups.items(), key=lambda kv: (order.index(kv[0]) if kv[0] in order else len(order), kv[0]))
    q = _query(eigenaar=eigenaar, status=status, te_laat=te_laat, stil=stil)
    return templates.TemplateResponse(request, "leerpunten.html", {
        "data": data, "grouped": grouped, "ministeries": [g for g in data["per_eigenaar"] if g["soort"] == "ministerie"],
        "codes": svc.status_vocabulary(), "f": {"eigenaar": eigenaar or "", "status": status or "",
                                                "te_laat": te_laat, "stil": stil},
        "error": error, "json_url": "/api/leerpunten" + q,
        "csv_url": "/api/leerpunten" + (q + "&" if q else "?") + "format=csv"}, status_code=422 if error else 200)


@pages.get("/leerpunten/{leerpunt_id}", response_class=HTMLResponse, dependencies=[requires(*ALL_ROLES)])
def detail_page(request: Request, leerpunt_id: str, store: GraphDep, settings: SettingsDep, today: TodayDep,
                user: CurrentUser):
    try:
        lp = svc.show_leerpunt(store, settings, leerpunt_id, today=today, viewer=user)
    except NotFound:
        raise HTTPException(404, f"leerpunt {leerpunt_id[:64]} bestaat niet") from None
    try:
        sugg = svc.suggest_recurrences(store, settings, leerpunt_id, today=today, limit=5)
    except Unavailable:  # no model built: the page works without suggestions
        sugg = []
    return templates.TemplateResponse(request, "leerpunt.html", {
        "lp": lp, "suggesties": sugg, "codes": svc.status_vocabulary(), "vandaag": today.isoformat(),
        "review_dagen": settings.leerpunt_review_days, "json_url": f"/api/leerpunten/{leerpunt_id}"})


@pages.get("/agenda", response_class=HTMLResponse, dependencies=[requires(*ALL_ROLES)])
def agenda_page(request: Request, store: GraphDep, settings: SettingsDep, today: TodayDep, user: CurrentUser,
                sinds: date | None = None):
    try:
        data = svc.agenda(store, settings, today=today, sinds=sinds, viewer=user)
    except Unavailable:
        data = svc.agenda(store, settings, today=today, sinds=sinds, suggestions=False, viewer=user)
    q = _query(sinds=sinds.isoformat() if sinds else None, vandaag=request.query_params.get("vandaag"))
    return templates.TemplateResponse(request, "agenda.html", {
        "a": data, "sections": SECTIONS, "json_url": "/api/agenda" + q,
        "csv_url": "/api/agenda" + (q + "&" if q else "?") + "format=csv"})
