"""Analyst use cases: read-only Cypher through the guarded door, with the engine-side time limit."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from casusgraaf.config import Settings
from casusgraaf.graph import GraphStore
from casusgraaf.graph.guard import Rows, run_readonly


def run_cypher(store: GraphStore, settings: Settings, query: str, params: Mapping[str, Any] | None = None,
               limit: int = 1000) -> Rows:
    """Rows of a read-only query (a write raises ReadOnlyError: 403 / exit 2), stopped by the engine after
    ``settings.cypher_timeout`` seconds (QueryTimeout)."""
    return run_readonly(store, query, params, limit=limit, timeout=settings.cypher_timeout)
