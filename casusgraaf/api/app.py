"""FastAPI application: JSON API under /api, server-rendered pages (each with a JSON twin), OpenAPI at /docs."""

from __future__ import annotations

import threading
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles

from casusgraaf import __version__
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
        try:
            yield
        finally:
            if own:
                app.state.store.close()

    app = FastAPI(title="casusgraaf", version=__version__, lifespan=lifespan, openapi_tags=TAGS,
                  description="Kennisgraaf en vergelijkbare casussen voor de casuïstiek van het Landelijk "
                              "Maatwerkloket Multiproblematiek. Elke pagina heeft een JSON-tweeling onder /api.")
    app.state.settings = settings
    app.state.engine = None
    app.state.engine_lock = threading.Lock()

    from casusgraaf.api.routers import analysis, cases, leerpunten, pages, patterns, search, system

    for module in (system, cases, search, analysis, patterns, leerpunten):
        app.include_router(module.router, prefix="/api")
    app.include_router(pages.router)
    app.include_router(patterns.pages)
    app.include_router(leerpunten.pages)
    app.mount("/static", StaticFiles(directory=WEB / "static"), name="static")

    @app.exception_handler(CasusgraafError)
    async def _user_error(_request: Request, exc: CasusgraafError) -> JSONResponse:
        # Each subclass carries its status: 404 unknown id, 422 bad input or refused text, 403 a write
        # through the read-only door, 503 a graph or model that cannot be reached.
        return JSONResponse({"detail": str(exc)}, status_code=exc.status)

    return app
