"""The HTML side of the app: Dutch error pages (JSON stays JSON under /api), empty form fields read as "not
set", /docs and /redoc from local assets, and the privacy gate's refusal in words a regievoerder can act on."""

from __future__ import annotations

import logging
import re
from http import HTTPStatus
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler, request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from casusgraaf.errors import CasusgraafError

log = logging.getLogger(__name__)
WEB = Path(__file__).parent / "web"
templates = Jinja2Templates(directory=WEB / "templates")

TITLES = {400: "Ongeldig verzoek", 401: "Niet ingelogd", 403: "Geen toegang", 404: "Niet gevonden",
          405: "Niet toegestaan", 422: "Invoer niet bruikbaar", 500: "Er ging iets mis", 503: "Tijdelijk niet beschikbaar"}
GENERIC = {404: "Deze pagina bestaat niet. Controleer het adres of ga naar de lijst met casussen.",
           405: "Deze pagina kan zo niet worden opgevraagd.",
           500: "Er ging iets mis aan onze kant. Er is niets opgeslagen of half weggeschreven; probeer het opnieuw "
                "of meld het aan de beheerder (het tijdstip helpt).",
           503: "Een onderdeel (de graaf of het model) is niet bereikbaar; probeer het over een minuut opnieuw."}
FIELDS = {"jaar": "Jaar", "jaar_van": "Jaar van", "jaar_tot": "Jaar tot", "page": "Pagina", "k": "Aantal",
          "q": "Trefwoorden", "tekst": "Beschrijving", "limit": "Aantal", "offset": "Begin"}


def wants_html(request: Request) -> bool:
    """Pages answer HTML, /api and the schema answer JSON; a page request that asks for JSON only gets JSON."""
    path = request.url.path
    if path.startswith("/api") or path == "/openapi.json":
        return False
    accept = request.headers.get("accept", "")
    return not ("application/json" in accept and "text/html" not in accept)


def error_page(request: Request, status: int, message: str | None = None, details: list[str] | None = None
               ) -> HTMLResponse:
    """The Dutch error page: a title, what happened, what to do. Never a stack trace, never case text."""
    return templates.TemplateResponse(request, "error.html", {
        "status": status, "title": TITLES.get(status, "Fout"), "message": message or GENERIC.get(status, ""),
        "details": details or []}, status_code=status)


def _field_problem(err: dict) -> str:
    loc = [str(p) for p in err.get("loc", ()) if p not in ("query", "path", "body", "form")]
    name = FIELDS.get(loc[-1], loc[-1]) if loc else "Invoer"
    kind = err.get("type", "")
    if kind.startswith("int"):
        return f"{name}: vul een geheel getal in (bijvoorbeeld 2023), of laat het veld leeg."
    if kind == "missing":
        return f"{name}: dit veld is verplicht."
    if kind in ("greater_than_equal", "greater_than"):
        return f"{name}: de waarde is te klein (minimaal {err.get('ctx', {}).get('ge', err.get('ctx', {}).get('gt'))})."
    if kind in ("less_than_equal", "less_than"):
        return f"{name}: de waarde is te groot (maximaal {err.get('ctx', {}).get('le', err.get('ctx', {}).get('lt'))})."
    if kind.startswith("string_too_short"):
        return f"{name}: te kort."
    return f"{name}: deze waarde wordt niet begrepen."


def install(app: FastAPI) -> None:
    """Error handlers per status (HTML on pages, JSON under /api), the empty-field filter, offline docs."""

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if not wants_html(request):
            return await http_exception_handler(request, exc)
        # Starlette's own details are English status phrases ("Not Found"): show the Dutch text instead.
        ours = isinstance(exc.detail, str) and exc.detail != HTTPStatus(exc.status_code).phrase
        return error_page(request, exc.status_code, exc.detail if ours else None)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        if not wants_html(request):
            return await request_validation_exception_handler(request, exc)
        return error_page(request, 422, "Een of meer velden kloppen niet:",
                          [_field_problem(e) for e in exc.errors()])

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> Response:
        # Raised outside ServerErrors (in an outer middleware). The type only: a message may quote case text.
        log.error("interne fout bij %s %s (%s)", request.method, request.url.path, type(exc).__name__)
        return _crash_response(request)

    app.add_middleware(EmptyFieldsAreUnset)
    app.add_middleware(ServerErrors)
    install_docs(app)


def _crash_response(request: Request) -> Response:
    if not wants_html(request):
        return JSONResponse({"detail": "interne fout; er is niets half weggeschreven. Probeer het opnieuw of "
                                       "meld het (met het tijdstip)."}, status_code=500)
    return error_page(request, 500)


class ServerErrors:
    """An unexpected exception becomes the 500 page (or JSON) here, with one log line naming its type only:
    past this point Starlette would log the whole traceback, and an exception's message may quote case text."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracked(message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracked)
        except Exception as exc:  # noqa: BLE001 - the last line before a user sees a 500
            log.error("interne fout bij %s %s (%s)", scope.get("method"), scope.get("path"), type(exc).__name__)
            if not started:
                await _crash_response(Request(scope))(scope, receive, send)


def user_error(request: Request, exc: CasusgraafError) -> Response:
    """A :class:`CasusgraafError` as its status: an error page on pages, ``{"detail"}`` under /api."""
    if wants_html(request):
        return error_page(request, exc.status, str(exc))
    return JSONResponse({"detail": str(exc)}, status_code=exc.status)


class EmptyFieldsAreUnset:
    """Drop empty query parameters on page requests: a submitted form sends ``jaar_van=`` for an empty year
    field, which means "not set", not "the empty string as a number" (a 422). The JSON API is left as is."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not scope["path"].startswith("/api") and scope.get("query_string"):
            parts = [p for p in scope["query_string"].split(b"&") if p and not p.endswith(b"=")]
            scope = dict(scope, query_string=b"&".join(parts))
        await self.app(scope, receive, send)


# --- /docs and /redoc without a CDN -------------------------------------------------------------------

def _docs_assets() -> Path:
    import fastapi_offline

    return Path(fastapi_offline.__file__).parent / "static"


_SWAGGER = """<!doctype html>
<html lang="nl"><head><meta charset="utf-8"><title>casusgraaf API · Swagger UI</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/docs-assets/swagger-ui.css"><link rel="icon" href="/docs-assets/favicon.png"></head>
<body><div id="swagger-ui"></div>
<script src="/docs-assets/swagger-ui-bundle.js"></script><script src="/static/docs.js"></script></body></html>"""

_REDOC = """<!doctype html>
<html lang="nl"><head><meta charset="utf-8"><title>casusgraaf API · ReDoc</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="/docs-assets/favicon.png">
</head><body><redoc spec-url="/openapi.json"></redoc><script src="/docs-assets/redoc.standalone.js"></script></body></html>"""


def install_docs(app: FastAPI) -> None:
    """Swagger UI on /docs and ReDoc on /redoc from the assets the pinned ``fastapi-offline`` ships (no inline
    script: the start-up call is /static/docs.js). Create the app with ``docs_url=None, redoc_url=None``."""
    app.mount("/docs-assets", StaticFiles(directory=_docs_assets()), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    def _swagger() -> HTMLResponse:
        return HTMLResponse(_SWAGGER)

    @app.get("/redoc", include_in_schema=False)
    def _redoc() -> HTMLResponse:
        return HTMLResponse(_REDOC)


# --- the privacy gate's refusal, for a person ---------------------------------------------------------

_SENTENCE = re.compile(r"[^.!?\n]*(?:[.!?]+|\n|$)")
_QUOTE_MAX = 160


def refusal(text: str, redact: bool = False) -> dict:
    """Why the gate refused ``text``: per sentence with a finding the types found, the sentence with every
    blocking value masked by its placeholder ("[BSN]", "[PERSOON]"), and what to change. No offsets, no values.

    Returns ``{"message": str, "items": [{"types": [str], "zin": str, "advies": [str]}]}``."""
    from casusgraaf.privacy import advies, get_gate, load_policy

    gate = get_gate(redact=redact)
    result = gate.check(text)
    blocking = sorted(result.blocking, key=lambda f: f.start)
    placeholders = load_policy().placeholders
    items: list[dict] = []
    for m in _SENTENCE.finditer(text):
        s, e = m.start(), m.end()
        inside = [f for f in blocking if f.start < e and f.end > s]
        if not inside:
            continue
        parts, pos = [], s
        for f in inside:
            a, b = max(f.start, s), min(f.end, e)
            if a < pos:
                continue
            parts.append(text[pos:a])
            parts.append(placeholders.get(f.type, f"[{f.type}]").replace("-{n}", "").replace("{n}", ""))
            pos = b
        parts.append(text[pos:e])
        zin = " ".join("".join(parts).split())
        if len(zin) > _QUOTE_MAX:  # keep the part around the first placeholder
            first = zin.find("[")
            lo = max(0, first - _QUOTE_MAX // 2)
            zin = ("…" if lo else "") + zin[lo:lo + _QUOTE_MAX] + "…"
        kinds = list(dict.fromkeys(f.type for f in inside))
        items.append({"types": kinds, "zin": zin, "advies": [advies(t) for t in kinds]})
    types = ", ".join(dict.fromkeys(t for i in items for t in i["types"])) or "persoonsgegevens"
    return {"message": f"De tekst bevat persoonsgegevens ({types}) en is daarom niet gebruikt. Haal ze weg of "
                       "vervang ze en probeer het opnieuw; de tekst is niet opgeslagen of gelogd.",
            "items": items}
