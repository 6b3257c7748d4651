"""Dependencies as typed aliases: routers read like their docs."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from casusgraaf.config import Settings
from casusgraaf.graph import GraphStore
from casusgraaf.search.similar import SearchEngine


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


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
GraphDep = Annotated[GraphStore, Depends(get_graph)]
EngineDep = Annotated[SearchEngine, Depends(get_engine)]
