"""FastAPI application: JSON API under /api, server-rendered pages (each with a JSON twin), OpenAPI at /docs."""

from __future__ import annotations

import secrets
import threading
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from casusgraaf import __version__
from casusgraaf.accounts import AccountStore, RateLimiter, SessionStore
from casusgraaf.api import html
from casusgraaf.api.deps import LoginRequired
from casusgraaf.api.security import SecurityMiddleware
from casusgraaf.api.warm import Warmup
from casusgraaf.config import Settings
from casusgraaf.errors import CasusgraafError
from casusgraaf.graph import open_store

WEB = Path(__file__).parent / "web"

TAGS = [
    {"name": "casussen", "description": "Casussen lezen (gepagineerd, filter op jaar)."},
    {"name": "zoeken", "description": "Vergelijkbare casussen en trefwoorden met facetten."},
    {"name": "analyse", "description": "Alleen-lezen Cypher en entiteitherkenning."},
    {"name": "patronen", "description": "Systeemleren: trends, samenloop, complexiteit, terugkerende en opkomende "
                                        "combinaties, jaarrapport (kleine cellen onderdrukt)."},
    {"name": "leerpunten", "description": "Leerpunten met eigenaar, gedateerde opvolging, te laat/stil, terugkeer "
                                          "en de agenda van het ambassadeursoverleg."},
    {"name": "systeem", "description": "Gezondheid en versie."},
]


def create_app(settings: Settings, store=None) -> FastAPI:
    """The application for ``settings``; ``store`` (tests) is used instead of opening one, and not closed."""

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        own = store is None
        app.state.store = store or open_store(settings)
        app.state.store.ensure_schema()
        from casusgraaf.services.ingest import (
            repair_at_start,  # indexes agree with the graph (RELIABILITY.md)
        )
        app.state.repair = repair_at_start(app.state.store, settings)
        if settings.warm_start:
            app.state.warm.start(app.state)
        try:
            yield
        finally:
            app.state.warm.stop()
            if own:
                app.state.store.close()

    app = FastAPI(title="casusgraaf", version=__version__, lifespan=lifespan, openapi_tags=TAGS,
                  docs_url=None, redoc_url=None,  # served from local assets by html.install_docs
                  description="Kennisgraaf en vergelijkbare casussen voor de casuïstiek van het Landelijk "
                              "Maatwerkloket Multiproblematiek. Elke pagina heeft een JSON-tweeling onder /api.")
    app.state.settings = settings
    app.state.engine = None
    app.state.engine_lock = threading.Lock()
    app.state.warm = Warmup()
    # Accounts (none = lokale modus), page sessions, per-user rate limits, the audit trail (docs/SECURITY.md).
    app.state.accounts = AccountStore(settings.data_dir)
    app.state.sessions = SessionStore(settings.data_dir, idle=settings.session_idle_minutes * 60)
    app.state.limiter = RateLimiter()
    app.state.local_csrf = secrets.token_urlsafe(24)
    app.state.audit = _audit_log(settings)

    from casusgraaf.api.routers import (
        analysis,
        auth,
        beheer,
        cases,
        entities,
        leerpunten,
        pages,
        patterns,
        register,
        search,
        system,
    )

    for module in (system, cases, search, analysis, patterns, leerpunten):
        app.include_router(module.router, prefix="/api")
    app.include_router(register.router, prefix="/api")  # POST /api/cases, .../afronden, /api/vocabulaire
    app.include_router(register.pages)  # before pages: /casussen/nieuw is not a case id
    app.include_router(pages.router)
    app.include_router(patterns.pages)
    app.include_router(leerpunten.pages)
    app.include_router(entities.router, prefix="/api")
    app.include_router(entities.pages)
    app.include_router(auth.router)
    app.include_router(beheer.router, prefix="/api")
    app.include_router(beheer.pages)
    app.mount("/static", StaticFiles(directory=WEB / "static"), name="static")

    @app.exception_handler(CasusgraafError)
    async def _user_error(request: Request, exc: CasusgraafError) -> Response:
        # Each subclass carries its status: 404 unknown id, 422 bad input or refused text, 403 a write
        # through the read-only door, 503 a graph or model that cannot be reached. Pages get a Dutch page.
        return html.user_error(request, exc)

    @app.exception_handler(LoginRequired)
    async def _login_required(request: Request, exc: LoginRequired) -> Response:
        if html.wants_html(request):  # a page: log in first, then come back
            back = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(f"/login?{urlencode({'next': back})}", status_code=303)
        return JSONResponse({"detail": str(exc)}, status_code=401, headers={"WWW-Authenticate": "Bearer"})

    html.install(app)  # error pages per status, empty form fields, /docs and /redoc offline
    app.add_middleware(SecurityMiddleware)  # outermost: headers on every response, cross-site writes refused

    return app


def _audit_log(settings: Settings):
    """The audit trail of the data dir (casusgraaf.audit)."""
    from casusgraaf.audit import AuditLog

    return AuditLog(settings)
