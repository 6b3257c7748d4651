"""Dependencies as typed aliases: routers read like their docs."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request

from casusgraaf.config import Settings
from casusgraaf.graph import GraphStore
from casusgraaf.services.search import Filters, SearchEngine


def get_settings_dep(request: Request) -> Settings:
    return request.app.state.settings


def get_graph(request: Request) -> GraphStore:
    return request.app.state.store


def get_engine(request: Request) -> SearchEngine:
    state = request.app.state
    with state.engine_lock:
        if state.engine is None:
            state.engine = SearchEngine(state.store, state.settings)
    return state.engine


def filters_from_query(jaar_van: int | None = None, jaar_tot: int | None = None, wet: list[str] = Query([]),
                       organisatie: list[str] = Query([]), leefgebied: list[str] = Query([]),
                       knelpunt: list[str] = Query([]), indiener_type: str | None = None,
                       uitkomst: str | None = None) -> Filters:
    """Search filters from query parameters (list parameters repeat: ``?wet=Wmo 2015&wet=Jeugdwet``)."""
    return Filters(jaar_van=jaar_van, jaar_tot=jaar_tot, wet=wet, organisatie=organisatie, leefgebied=leefgebied,
                   knelpunt=knelpunt, indiener_type=indiener_type, uitkomst=uitkomst)


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
GraphDep = Annotated[GraphStore, Depends(get_graph)]
EngineDep = Annotated[SearchEngine, Depends(get_engine)]
FiltersDep = Annotated[Filters, Depends(filters_from_query)]
