"""Entity pages: /wetten/{naam}, /organisaties/{naam}, /leefgebieden/{naam} and their JSON twin
/api/entiteiten/{soort}/{naam}. The figures come from casusgraaf.patterns.entiteit (suppressed counts)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response
from fastapi.templating import Jinja2Templates

from casusgraaf import patterns
from casusgraaf.api.deps import ALL_ROLES, GraphDep, SettingsDep, requires
from casusgraaf.api.render import fmt
from casusgraaf.patterns.tables import pick

# Case ids, years, outcomes and suppressed counts: no text, so every role (docs/SECURITY.md).
router = APIRouter(tags=["patronen"], dependencies=[requires(*ALL_ROLES)])
pages = APIRouter(include_in_schema=False, dependencies=[requires(*ALL_ROLES)])
templates = Jinja2Templates(directory=Path(__file__).parent.parent / "web" / "templates")
templates.env.globals["fmt"] = fmt

Soort = Literal["wet", "organisatie", "leefgebied"]
PAGE = {"wet": "wetten", "organisatie": "organisaties", "leefgebied": "leefgebieden"}
TITEL = {"wet": "Wet of regeling", "organisatie": "Organisatie", "leefgebied": "Leefgebied"}


def _entity(store, settings, soort: str, naam: str, jaar_van: int | None, jaar_tot: int | None):
    sel = patterns.Selectie(van=jaar_van, tot=jaar_tot)
    found = patterns.entiteit(store, soort, naam, sel, drempel=settings.small_cell_threshold)
    if found is None:
        raise HTTPException(404, f"geen casussen met {soort} '{naam}'" + (" in deze jaren" if jaar_van or jaar_tot
                                                                         else ""))
    return found


@router.get("/entiteiten/{soort}/{naam}", summary="Eén wet, organisatie of leefgebied: casussen, per jaar, "
                                                  "vaakst samen met (kleine cellen onderdrukt)")
def api_entity(soort: Soort, naam: str, store: GraphDep, settings: SettingsDep, jaar_van: int | None = None,
               jaar_tot: int | None = None) -> dict:
    return _entity(store, settings, soort, naam, jaar_van, jaar_tot).to_dict()


@router.get("/entiteiten/{soort}/{naam}/csv", summary="Een tabel van een entiteit als CSV (tabel: per_jaar, "
                                                      "samen_met, casussen)", response_class=PlainTextResponse)
def api_entity_csv(soort: Soort, naam: str, store: GraphDep, settings: SettingsDep, tabel: str | None = None,
                   jaar_van: int | None = None, jaar_tot: int | None = None) -> Response:
    e = _entity(store, settings, soort, naam, jaar_van, jaar_tot)
    try:
        t = pick(e.tabellen(), tabel)
    except KeyError as exc:
        raise HTTPException(404, str(exc.args[0])) from None
    return Response(t.to_csv(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{soort}-{t.naam}.csv"'})


def _page(soort: str):
    def page(request: Request, naam: str, store: GraphDep, settings: SettingsDep, jaar_van: int | None = None,
             jaar_tot: int | None = None):
        e = _entity(store, settings, soort, naam, jaar_van, jaar_tot)
        return templates.TemplateResponse(request, "entity.html", {
            "e": e.to_dict(), "titel": TITEL[soort], "page": PAGE, "tabellen": [t.to_dict() for t in e.tabellen()],
            "json_url": request.url_for("api_entity", soort=soort, naam=e.naam).path})
    page.__name__ = f"{PAGE[soort]}_page"
    return page


for _soort, _path in PAGE.items():
    pages.add_api_route(f"/{_path}/{{naam}}", _page(_soort), methods=["GET"], response_class=HTMLResponse)
