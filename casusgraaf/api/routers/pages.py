"""Server-rendered pages in Dutch. Every page links its JSON twin under /api."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

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
from casusgraaf.search.similar import filter_options
from casusgraaf.services.cases import case_detail, list_cases
from casusgraaf.services.search import Filters, SearchEngine, SearchRefused, run_keyword, run_similar
from casusgraaf.services.search import Query as SimilarQuery

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


# -- filters and entity links on the similar-case lists ---------------------------------------------------

FILTER_LABELS = {"wet": "wet", "organisatie": "organisatie", "leefgebied": "leefgebied", "knelpunt": "knelpunt",
                 "indiener_type": "indiener", "uitkomst": "uitkomst"}
ENTITY_PAGES = {"wet": "wetten", "organisatie": "organisaties", "leefgebied": "leefgebieden"}
REL_KIND = {fk.relationship: kind for kind, fk in vocabulary.fact_kinds().items()}


def filter_pairs(f: Filters) -> list[tuple[str, str]]:
    """The filters as query parameters (lists repeat), only the ones set: for links and the JSON twin."""
    pairs: list[tuple[str, str]] = []
    for name, value in f.model_dump(exclude_defaults=True).items():
        pairs += [(name, str(v)) for v in value] if isinstance(value, list) else [(name, str(value))]
    return pairs


def filter_summary(f: Filters, options: dict[str, Any]) -> str:
    """The filters in words: "jaar 2020–2022; wet: Participatiewet"."""
    knel = {o["value"]: o["label"] for o in options.get("knelpunt", [])}
    parts = []
    if f.jaar_van or f.jaar_tot:
        parts.append(f"jaar {f.jaar_van or '…'}–{f.jaar_tot or '…'}")
    for name in ("wet", "organisatie", "leefgebied", "knelpunt"):
        values = getattr(f, name)
        if values:
            parts.append(f"{FILTER_LABELS[name]}: " + ", ".join(knel.get(v, v) if name == "knelpunt" else v
                                                               for v in values))
    for name in ("indiener_type", "uitkomst"):
        if getattr(f, name):
            parts.append(f"{FILTER_LABELS[name]}: {getattr(f, name)}")
    return "; ".join(parts)


def _form_filters(jaar_van: str, jaar_tot: str, wet: str, organisatie: str, leefgebied: str, knelpunt: str,
                  indiener_type: str, uitkomst: str) -> tuple[Filters, list[str]]:
    """Filters from the fields of the search form; an empty field is "not set". Problems in Dutch."""
    problems: list[str] = []

    def year(value: str, label: str) -> int | None:
        value = value.strip()
        if not value:
            return None
        if not value.isdigit() or not 1900 <= int(value) <= 2100:
            problems.append(f"{label}: vul een jaartal in (bijvoorbeeld 2021), of laat het veld leeg.")
            return None
        return int(value)

    def one(value: str) -> list[str]:
        return [value.strip()] if value.strip() else []

    f = Filters(jaar_van=year(jaar_van, "Jaar van"), jaar_tot=year(jaar_tot, "Jaar tot"), wet=one(wet),
                organisatie=one(organisatie), leefgebied=one(leefgebied), knelpunt=one(knelpunt),
                indiener_type=indiener_type.strip() or None, uitkomst=uitkomst.strip() or None)
    return f, problems + _range_problem(f)


def _range_problem(f: Filters) -> list[str]:
    if f.jaar_van and f.jaar_tot and f.jaar_van > f.jaar_tot:
        return [f"Jaar van ({f.jaar_van}) ligt na jaar tot ({f.jaar_tot}): draai ze om of laat er één leeg."]
    return []


def _no_match(f: Filters, engine: SearchEngine, options: dict[str, Any], results: list) -> str | None:
    """The Dutch line for a filtered list that came back empty: no case passes the filters."""
    if results or not f.active():
        return None
    mask = engine.allowed_mask(f)
    n = int(mask.sum()) if mask is not None else 0
    what = filter_summary(f, options)
    if n == 0:
        return f"Geen enkele casus voldoet aan deze filters ({what}). Haal een filter weg of verruim de jaren."
    return f"Behalve deze casus zelf voldoet geen casus aan deze filters ({what}). Haal een filter weg."


def _linkable(engine: SearchEngine) -> set[tuple[str, str]]:
    """(kind, name) of the laws, organisations and leefgebieden that have an entity page: registered in at least
    one case (the entity pages count registered facts only)."""
    out = set()
    for (rel, key), (_pos, weights) in engine.state.structure.postings.items():
        kind = REL_KIND.get(rel)
        if kind in ENTITY_PAGES and bool((weights >= 1.0).any()):
            out.add((kind, key))
    return out


def entity_href(kind: str, naam: str, linkable: set[tuple[str, str]]) -> str | None:
    if (kind, naam) not in linkable:
        return None
    return f"/{ENTITY_PAGES[kind]}/{quote(naam, safe='')}"


def _link_results(results: list[dict], linkable: set[tuple[str, str]]) -> None:
    """Page-only: each shared-entity chip links to its entity page."""
    for r in results:
        for g in r.get("gedeeld", []):
            g["href"] = entity_href(g["soort"], g["naam"], linkable)


@router.get("/", response_class=HTMLResponse, dependencies=[requires("regievoerder", "analist", "beheerder")])
def home(request: Request, store: GraphDep, user: CurrentUser, jaar: int | None = None, page: int = Query(1, ge=1)):
    data = list_cases(store, jaar, page, 50, user)
    return templates.TemplateResponse(request, "index.html", {
        "data": data, "jaar": jaar, "json_url": f"/api/cases?page={page}&per_page=50" + (f"&jaar={jaar}" if jaar else "")})


@router.get("/casussen/{case_id}", response_class=HTMLResponse,
            dependencies=[requires("regievoerder", "analist", "beheerder")])
def case_page(request: Request, case_id: str, store: GraphDep, engine: EngineDep, settings: SettingsDep,
              user: CurrentUser, audit: AuditDep, filters: FiltersDep):
    case = case_detail(store, case_id, user)  # NotFound: the Dutch 404 page (api/html.py); no text for analysts
    ctx: dict[str, Any] = {"filters": filters, "problems": [], "no_match": None, "options": None,
                           "link_query": "", "similar_json_url": None}
    sim: list = []
    linkable = _linkable(engine)
    if user.sees_text:
        ctx["options"] = options = filter_options(engine.snapshot())
        ctx["problems"] = _range_problem(filters)
        if not ctx["problems"]:
            sim = run_similar(store, settings, SimilarQuery(case_ids=[case_id], k=8, filters=filters), engine,
                              user)["results"]
            _link_results(sim, linkable)
            ctx["no_match"] = _no_match(filters, engine, options, sim)
        pairs = filter_pairs(filters)
        # the filter state travels in the URL (never the case text): the JSON twin and the links to the results
        ctx["similar_json_url"] = f"/api/cases/{quote(case_id, safe='')}/similar?" + urlencode([("k", "8"), *pairs])
        ctx["link_query"] = ("?" + urlencode(pairs)) if pairs else ""
        ctx["filter_text"] = filter_summary(filters, options)
    for e in case["entiteiten"]:
        kind = REL_KIND.get(e["rel"])
        e["href"] = entity_href(kind, str(e["naam"]), linkable) if kind else None
    audit("casus_bekijken", {"casus": case_id, "tekst": user.sees_text}, [case_id])
    return templates.TemplateResponse(request, "case.html", {
        "case": case, "tekst": highlight(case.get("tekst") or "", case["entiteiten"]), "similar": sim,
        "labels": REL_LABELS, "json_url": f"/api/cases/{case_id}", **ctx})


@router.get("/zoeken", response_class=HTMLResponse, dependencies=[requires("regievoerder", "beheerder")])
def search_form(request: Request, engine: EngineDep):
    return templates.TemplateResponse(request, "search.html", {
        "results": None, "json_url": "/docs#/zoeken", "filters": Filters(),
        "options": filter_options(engine.snapshot())})


@router.post("/zoeken", response_class=HTMLResponse,
             dependencies=[requires("regievoerder", "beheerder"), limited("similar")])
def search_page(request: Request, store: GraphDep, engine: EngineDep, settings: SettingsDep, user: CurrentUser,
                audit: AuditDep, tekst: str = Form(""), k: int = Form(10, ge=1, le=100),
                jaar_van: str = Form(""), jaar_tot: str = Form(""), wet: str = Form(""), organisatie: str = Form(""),
                leefgebied: str = Form(""), knelpunt: str = Form(""), indiener_type: str = Form(""),
                uitkomst: str = Form("")):
    error, found, no_match = None, None, None
    results: list = []
    filters, problems = _form_filters(jaar_van, jaar_tot, wet, organisatie, leefgebied, knelpunt, indiener_type,
                                      uitkomst)
    if not tekst.strip():
        error = "Vul eerst een beschrijving van de casus in: het tekstveld is leeg (of bevat alleen spaties)."
    elif problems:
        error = "Een filter klopt niet: " + " ".join(problems)
    else:
        try:
            results = run_similar(store, settings, SimilarQuery(text=tekst, k=k, filters=filters), engine,
                                  user)["results"]
            audit("zoeken", {"tekst_hash": audit.text_hash(tekst), "k": k,
                             "filters": filters.model_dump(exclude_defaults=True)}, [r["case_id"] for r in results])
            _link_results(results, _linkable(engine))
        except SearchRefused:
            # The text stays in the form (only this user sees it: a POST body, never a URL or a log line);
            # the message quotes the sentences with every value masked.
            found = refusal(tekst, redact=settings.privacy_hard == "redact")
            error = found["message"]
        except BadInput as exc:
            error = str(exc)
    options = filter_options(engine.state)  # after the search: the state it brought up to date
    if not error:
        no_match = _no_match(filters, engine, options, results)
    return templates.TemplateResponse(request, "search.html", {
        "results": results, "error": error, "refusal": found, "tekst": tekst, "k": k, "json_url": "/docs#/zoeken",
        "filters": filters, "options": options, "no_match": no_match, "filter_text": filter_summary(filters, options),
        "link_query": ""}, status_code=422 if error else 200)


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
