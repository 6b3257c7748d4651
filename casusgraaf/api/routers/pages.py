"""Server-rendered pages in Dutch. Every page links its JSON twin under /api."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape

from casusgraaf.api.deps import (
    AuditDep,
    CurrentUser,
    EngineDep,
    FiltersDep,
    GraphDep,
    SettingsDep,
    limited,
    requires,
)
from casusgraaf.api.html import refusal
from casusgraaf.errors import BadInput
from casusgraaf.models import vocabulary
from casusgraaf.services.cases import case_detail, list_cases
from casusgraaf.services.search import Query as SimilarQuery
from casusgraaf.services.search import SearchRefused, run_keyword, run_similar

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=Path(__file__).parent.parent / "web" / "templates")

# Labels and highlight classes per relationship, from the fact vocabulary (models/schema.yaml).
REL_LABELS = {fk.relationship: fk.nl for fk in vocabulary.fact_kinds().values()}
KIND_CLASS = {fk.relationship: fk.css for fk in vocabulary.fact_kinds().values()}


def highlight(text: str, entities: list[dict]) -> Markup:
    """Wrap every extracted span in a <mark> with its type and provenance; overlaps keep the first."""
    spans = []
    for e in entities:
        for s, a, b in zip(e.get("surfaces") or [], e.get("starts") or [], e.get("ends") or [], strict=False):
            if isinstance(a, int) and isinstance(b, int) and 0 <= a < b <= len(text):
                spans.append((a, b, e, s))
    spans.sort(key=lambda t: (t[0], -t[1]))
    row = {id(e): i for i, e in enumerate(entities)}
    out, pos = [], 0
    for a, b, e, _s in spans:
        if a < pos:
            continue
        out.append(escape(text[pos:a]))
        title = f"{e['naam']} · {e['rel'].lower()} · {e.get('bron')}/{e.get('methode')}"
        if e.get("artikel") and e["rel"] == "RAAKT_WET":
            title += f" · artikel {e['artikel']}"
        # the provenance is also visible as text: each mark links to its row in the table under the text
        out.append(Markup('<a class="ent-link" href="#e{}"><mark class="{}" title="{}">{}</mark></a>').format(
            row[id(e)], KIND_CLASS.get(e["rel"], "ent"), title, text[a:b]))
        pos = b
    out.append(escape(text[pos:]))
    return Markup("").join(out)


@router.get("/", response_class=HTMLResponse, dependencies=[requires("regievoerder", "analist", "beheerder")])
def home(request: Request, store: GraphDep, user: CurrentUser, jaar: int | None = None, page: int = Query(1, ge=1)):
    data = list_cases(store, jaar, page, 50, user)
    return templates.TemplateResponse(request, "index.html", {
        "data": data, "jaar": jaar, "json_url": f"/api/cases?page={page}&per_page=50" + (f"&jaar={jaar}" if jaar else "")})


@router.get("/casussen/{case_id}", response_class=HTMLResponse,
            dependencies=[requires("regievoerder", "analist", "beheerder")])
def case_page(request: Request, case_id: str, store: GraphDep, engine: EngineDep, settings: SettingsDep,
              user: CurrentUser, audit: AuditDep):
    case = case_detail(store, case_id, user)  # NotFound: the Dutch 404 page (api/html.py); no text for analysts
    sim = run_similar(store, settings, SimilarQuery(case_ids=[case_id], k=8), engine, user)["results"] \
        if user.sees_text else []
    audit("casus_bekijken", {"casus": case_id, "tekst": user.sees_text}, [case_id])
    return templates.TemplateResponse(request, "case.html", {
        "case": case, "tekst": highlight(case.get("tekst") or "", case["entiteiten"]), "similar": sim,
        "labels": REL_LABELS,
        "json_url": f"/api/cases/{case_id}", "similar_json_url": f"/api/cases/{case_id}/similar?k=8" if user.sees_text else None})


@router.get("/zoeken", response_class=HTMLResponse, dependencies=[requires("regievoerder", "beheerder")])
def search_form(request: Request):
    return templates.TemplateResponse(request, "search.html", {"results": None, "json_url": "/docs#/zoeken"})


@router.post("/zoeken", response_class=HTMLResponse,
             dependencies=[requires("regievoerder", "beheerder"), limited("similar")])
def search_page(request: Request, store: GraphDep, engine: EngineDep, settings: SettingsDep, user: CurrentUser,
                audit: AuditDep, tekst: str = Form(""), k: int = Form(10, ge=1, le=100)):
    error, found = None, None
    results: list = []
    if not tekst.strip():
        error = "Vul eerst een beschrijving van de casus in: het tekstveld is leeg (of bevat alleen spaties)."
    else:
        try:
            results = run_similar(store, settings, SimilarQuery(text=tekst, k=k), engine, user)["results"]
            audit("zoeken", {"tekst_hash": audit.text_hash(tekst), "k": k}, [r["case_id"] for r in results])
        except SearchRefused:
            # The text stays in the form (only this user sees it: a POST body, never a URL or a log line);
            # the message quotes the sentences with every value masked.
            found = refusal(tekst, redact=settings.privacy_hard == "redact")
            error = found["message"]
        except BadInput as exc:
            error = str(exc)
    return templates.TemplateResponse(request, "search.html", {
        "results": results, "error": error, "refusal": found, "tekst": tekst, "k": k, "json_url": "/docs#/zoeken"},
        status_code=422 if error else 200)


@router.get("/trefwoorden", response_class=HTMLResponse, dependencies=[requires("regievoerder", "beheerder")])
def keyword_page(request: Request, engine: EngineDep, settings: SettingsDep, filters: FiltersDep, user: CurrentUser,
                 audit: AuditDep, q: str = ""):
    from urllib.parse import urlencode

    params = {"q": q, **filters.model_dump(exclude_defaults=True)}
    params = {k: (v[0] if isinstance(v, list) and len(v) == 1 else v) for k, v in params.items() if v}
    data = None
    error, found = None, None
    if q and len(q.strip()) < 2:
        error = "Geef minstens één trefwoord van twee tekens."
    elif q:
        try:
            data = run_keyword(engine, settings, q, filters, limit=50, viewer=user)
            audit("trefwoorden", {"q_hash": audit.text_hash(q), "filters": filters.model_dump(exclude_defaults=True)},
                  [h["case_id"] for h in data["hits"]])
        except SearchRefused:
            found = refusal(q, redact=settings.privacy_hard == "redact")
            error, params = found["message"], {}
    return templates.TemplateResponse(request, "keyword.html", {
        "data": data, "q": q, "params": params, "urlencode": urlencode, "error": error, "refusal": found,
        "json_url": "/api/search?" + urlencode(params, doseq=True) if data else "/docs#/zoeken"},
        status_code=422 if error else 200)
