"""The beheerder's audit page /beheer/audit and its JSON twin /api/audit (plus CSV): who searched, viewed,
queried, exported or changed what, newest first, with the state of the hash chain. Beheerder only; reading the
audit is itself recorded (``audit_bekijken``)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from casusgraaf.api.deps import AuditDep, SettingsDep, requires
from casusgraaf.services.beheer import audit_csv, audit_overview

router = APIRouter(tags=["beheer"], dependencies=[requires("beheerder")])
pages = APIRouter(include_in_schema=False, dependencies=[requires("beheerder")])
templates = Jinja2Templates(directory=Path(__file__).parent.parent / "web" / "templates")

Gebruiker = Query(None, max_length=100, description="Alleen records van deze gebruiker (bv. bea, cli:root).")
Sinds = Query(None, max_length=40, description="Vanaf deze datum (JJJJ-MM-DD) of ISO-tijd.")
Actie = Query(None, max_length=40, description="Alleen deze actie (zoeken, casus_bekijken, cypher, ...).")


def _blank(value: str | None) -> str | None:
    """An empty form field means "not set"."""
    return value.strip() or None if value else None


def _read(settings, audit, gebruiker, sinds, actie, page, per_page) -> dict:
    out = audit_overview(settings, _blank(gebruiker), _blank(sinds), _blank(actie), page, per_page)
    # Filter values are typed by the beheerder: the audit keeps their hash only (like every free text).
    audit("audit_bekijken", {"filters_hash": audit.text_hash(urlencode(
        {k: v for k, v in out["filters"].items() if v}))}, [])
    return out


@router.get("/audit", summary="Het auditlog, nieuwste eerst, met de controle van de hashketen (alleen beheerder)")
def api_audit(settings: SettingsDep, audit: AuditDep, gebruiker: str | None = Gebruiker, sinds: str | None = Sinds,
              actie: str | None = Actie, page: int = Query(1, ge=1),
              per_page: int = Query(50, ge=1, le=1000)) -> dict:
    return _read(settings, audit, gebruiker, sinds, actie, page, per_page)


@router.get("/audit/csv", summary="De gefilterde auditrecords als CSV (de kolommen van 'casusgraaf audit --csv')",
            response_class=Response)
def api_audit_csv(settings: SettingsDep, audit: AuditDep, gebruiker: str | None = Gebruiker,
                  sinds: str | None = Sinds, actie: str | None = Actie) -> Response:
    out = _read(settings, audit, gebruiker, sinds, actie, 1, 10**9)
    return Response(audit_csv(out["records"]), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="audit.csv"'})


@pages.get("/beheer/audit", response_class=HTMLResponse)
def audit_page(request: Request, settings: SettingsDep, audit: AuditDep, gebruiker: str | None = Gebruiker,
               sinds: str | None = Sinds, actie: str | None = Actie, page: int = Query(1, ge=1)):
    out = _read(settings, audit, gebruiker, sinds, actie, page, 100)
    query = urlencode({k: v for k, v in out["filters"].items() if v})
    pages_total = max(1, -(-out["totaal"] // out["per_page"]))
    return templates.TemplateResponse(request, "audit.html", {
        "a": out, "query": query, "pages_total": pages_total,
        "json_url": "/api/audit" + (f"?{query}" if query else "")})
