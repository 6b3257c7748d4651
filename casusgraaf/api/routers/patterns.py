"""Systeemleren: /api/patronen/... (JSON and CSV twins of `casusgraaf patronen ...`), /api/rapport/{jaar},
and the Dutch pages /patronen and /cijfers/{jaar}. Every figure comes from casusgraaf.patterns."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from casusgraaf import patterns
from casusgraaf.api.deps import ALL_ROLES, FiltersDep, GraphDep, SettingsDep, requires
from casusgraaf.api.render import fmt, rapport_html, rapport_markdown
from casusgraaf.api.security import inline_style_csp
from casusgraaf.patterns.data import KINDS, load
from casusgraaf.patterns.tables import pick

# Aggregates with small-cell suppression only: every role (docs/SECURITY.md).
router = APIRouter(tags=["patronen"], dependencies=[requires(*ALL_ROLES)])
pages = APIRouter(include_in_schema=False, dependencies=[requires(*ALL_ROLES)])
templates = Jinja2Templates(directory=Path(__file__).parent.parent / "web" / "templates")
templates.env.globals["fmt"] = fmt

Soort = Literal["trends", "samenloop", "complexiteit", "terugkerend", "opkomend"]


def _selectie(filters, met_extractie: bool) -> patterns.Selectie:
    if filters.knelpunt:  # refused rather than silently ignored: the figures are per knelpunt already
        raise HTTPException(422, "filteren op knelpunt kan bij patronen niet; de figuren tonen de knelpunten zelf")
    return patterns.Selectie(van=filters.jaar_van, tot=filters.jaar_tot, met_extractie=met_extractie,
                             wet=tuple(filters.wet), organisatie=tuple(filters.organisatie),
                             leefgebied=tuple(filters.leefgebied), indiener_type=filters.indiener_type,
                             uitkomst=filters.uitkomst)


def _compute(soort: str, store, sel, drempel: int, *, meervoudig: str = "apart", matrix: list[str] | None = None,
             terugkerend_drempel: int = 4, niveau: str = "knelpunt+wet+organisatie", jaar: int | None = None,
             alpha: float = 0.05, maanden: int | None = None, termen: bool = True):
    try:
        if soort == "trends":
            return patterns.trends(store, sel, meervoudig=meervoudig, drempel=drempel)
        if soort == "samenloop":
            return patterns.samenloop(store, sel, matrices=matrix or None, drempel=drempel)
        if soort == "complexiteit":
            return patterns.complexiteit(store, sel, drempel=drempel)
        if soort == "terugkerend":
            return patterns.terugkerend(store, sel, drempel=terugkerend_drempel, niveau=niveau, kleine_cel=drempel)
        return patterns.opkomend(store, sel, jaar=jaar, maanden=maanden, termen=termen, alpha=alpha,
                                 drempel=drempel)
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from None


@router.get("/patronen/trends", summary="Casussen per knelpuntcategorie en leefgebied per jaar (crosswalk, afgeleid)")
def api_trends(store: GraphDep, settings: SettingsDep, filters: FiltersDep, met_extractie: bool = False,
               meervoudig: Literal["apart", "verdeeld"] = "apart") -> dict:
    return _compute("trends", store, _selectie(filters, met_extractie), settings.small_cell_threshold,
                    meervoudig=meervoudig).to_dict()


@router.get("/patronen/samenloop", summary="Samenloopmatrices met aantallen, lift en PMI")
def api_samenloop(store: GraphDep, settings: SettingsDep, filters: FiltersDep, met_extractie: bool = False,
                  matrix: list[str] = Query([])) -> dict:
    return _compute("samenloop", store, _selectie(filters, met_extractie), settings.small_cell_threshold,
                    matrix=matrix).to_dict()


@router.get("/patronen/complexiteit", summary="Complexiteitsproxies en looptijd per jaar")
def api_complexiteit(store: GraphDep, settings: SettingsDep, filters: FiltersDep, met_extractie: bool = False) -> dict:
    return _compute("complexiteit", store, _selectie(filters, met_extractie), settings.small_cell_threshold).to_dict()


@router.get("/patronen/terugkerend",
            summary="Terugkerende combinaties knelpunt + wet (+ organisatie), of hetzelfde soort maatwerk")
def api_terugkerend(store: GraphDep, settings: SettingsDep, filters: FiltersDep, met_extractie: bool = False,
                    drempel: int = Query(4, ge=2, le=100),
                    niveau: Literal["knelpunt+wet+organisatie", "knelpunt+wet", "maatwerk"] = "knelpunt+wet+organisatie",
                    ) -> dict:
    return _compute("terugkerend", store, _selectie(filters, met_extractie), settings.small_cell_threshold,
                    terugkerend_drempel=drempel, niveau=niveau).to_dict()


@router.get("/patronen/opkomend", summary="Opkomende thema's en termen met Fisher-toets en p-waarde")
def api_opkomend(store: GraphDep, settings: SettingsDep, filters: FiltersDep, met_extractie: bool = False,
                 jaar: int | None = None, alpha: float = Query(0.05, gt=0, lt=1),
                 maanden: int | None = Query(None, ge=1, le=120, description="laatste N maanden i.p.v. een jaar"),
                 termen: bool = Query(True, description="ook opkomende termen uit de teksten")) -> dict:
    return _compute("opkomend", store, _selectie(filters, met_extractie), settings.small_cell_threshold,
                    jaar=jaar, alpha=alpha, maanden=maanden, termen=termen).to_dict()


@router.get("/patronen/{soort}/csv", summary="Een tabel van een patroon als CSV (parameter tabel)",
            response_class=PlainTextResponse)
def api_patronen_csv(soort: Soort, store: GraphDep, settings: SettingsDep, filters: FiltersDep,
                     met_extractie: bool = False, tabel: str | None = None,
                     niveau: Literal["knelpunt+wet+organisatie", "knelpunt+wet", "maatwerk"] = "knelpunt+wet+organisatie",
                     jaar: int | None = None, maanden: int | None = Query(None, ge=1, le=120)) -> Response:
    result = _compute(soort, store, _selectie(filters, met_extractie), settings.small_cell_threshold, niveau=niveau,
                      jaar=jaar, maanden=maanden)
    return _csv(result.tabellen(), tabel, soort)


def _csv(tabellen, naam: str | None, prefix: str) -> Response:
    try:
        t = pick(tabellen, naam)
    except KeyError as exc:
        raise HTTPException(404, str(exc.args[0])) from None
    return Response(t.to_csv(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{prefix}-{t.naam}.csv"'})


@router.get("/rapport/{jaar}", summary="Jaarrapport 'casuïstiek in cijfers' (format json, html of md)")
def api_rapport(jaar: int, store: GraphDep, settings: SettingsDep, met_extractie: bool = False,
                format: Literal["json", "html", "md"] = "json"):
    data = patterns.rapport(store, jaar, selectie=patterns.Selectie(met_extractie=met_extractie),
                            drempel=settings.small_cell_threshold).to_dict()
    if format == "html":
        doc = rapport_html(data)  # self-contained: its inline CSS is allowed by hash, nothing else
        return HTMLResponse(doc, headers={"Content-Security-Policy": inline_style_csp(doc)})
    if format == "md":
        return PlainTextResponse(rapport_markdown(data), media_type="text/markdown; charset=utf-8")
    return data


@router.get("/rapport/{jaar}/csv", summary="Een tabel van het jaarrapport als CSV (parameter tabel)",
            response_class=PlainTextResponse)
def api_rapport_csv(jaar: int, store: GraphDep, settings: SettingsDep, tabel: str | None = None,
                    met_extractie: bool = False) -> Response:
    r = patterns.rapport(store, jaar, selectie=patterns.Selectie(met_extractie=met_extractie),
                         drempel=settings.small_cell_threshold)
    return _csv(r.tabellen(), tabel, f"rapport-{jaar}")


# ---- pages ---------------------------------------------------------------------------------------------

def _years(store) -> list[int]:
    return patterns.trends(store, drempel=0).jaren


@pages.get("/patronen", response_class=HTMLResponse)
def patronen_page(request: Request, store: GraphDep, settings: SettingsDep, filters: FiltersDep,
                  met_extractie: bool = False):
    from urllib.parse import urlencode

    sel = _selectie(filters, met_extractie)
    drempel = settings.small_cell_threshold
    corpus = load(store, sel, KINDS, leerpunten=True)
    results: dict[str, Any] = {
        "trends": patterns.trends(store, sel, drempel=drempel, corpus=corpus),
        "samenloop": patterns.samenloop(store, sel, drempel=drempel, corpus=corpus),
        "complexiteit": patterns.complexiteit(store, sel, drempel=drempel, corpus=corpus),
        "terugkerend": patterns.terugkerend(store, sel, kleine_cel=drempel, corpus=corpus),
        "terugkerend_maatwerk": patterns.terugkerend(store, sel, niveau="maatwerk", kleine_cel=drempel, corpus=corpus),
        "opkomend": patterns.opkomend(store, sel, drempel=drempel, corpus=corpus),
    }
    query = {k: v for k, v in (("jaar_van", sel.van), ("jaar_tot", sel.tot),
                               ("met_extractie", "true" if met_extractie else None)) if v}

    def csv(soort: str, tabel: str) -> str:
        return f"/api/patronen/{soort}/csv?" + urlencode({**query, "tabel": tabel})

    ctx = {k: v.to_dict() for k, v in results.items()}
    return templates.TemplateResponse(request, "patronen.html", {
        **ctx, "tabellen": {k: [t.to_dict() for t in v.tabellen()] for k, v in results.items()},
        "sel": sel, "drempel": drempel, "csv": csv, "jaren": results["trends"].jaren,
        "json_url": "/api/patronen/trends" + ("?" + urlencode(query) if query else "")})


@pages.get("/cijfers", response_class=HTMLResponse)
def cijfers_latest(store: GraphDep):
    years = _years(store)
    if not years:
        raise HTTPException(404, "nog geen casussen: lees eerst casussen in")
    return RedirectResponse(f"/cijfers/{years[-1]}", status_code=307)


@pages.get("/cijfers/{jaar}", response_class=HTMLResponse)
def cijfers_page(request: Request, jaar: int, store: GraphDep, settings: SettingsDep):
    data = patterns.rapport(store, jaar, drempel=settings.small_cell_threshold).to_dict()

    def csv(tabel: str) -> str:
        return f"/api/rapport/{jaar}/csv?tabel={tabel}"

    return templates.TemplateResponse(request, "cijfers.html", {
        "r": data, "jaren": _years(store), "csv": csv, "json_url": f"/api/rapport/{jaar}"})
