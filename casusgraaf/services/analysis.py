"""Analyst use cases: read-only Cypher through the guarded door, on the text-free projection, with the
engine-side time limit and row limit (docs/SECURITY.md, "Analisten-Cypher")."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from casusgraaf.config import Settings
from casusgraaf.graph import GraphStore
from casusgraaf.graph.guard import Rows, check_expressions, check_readonly, run_readonly
from casusgraaf.graph.projection import Projection


def run_cypher(store: GraphStore, settings: Settings, query: str, params: Mapping[str, Any] | None = None,
               limit: int = 1000) -> Rows:
    """Rows of a read-only query on the text-free projection of the graph behind ``store`` (brought up to
    date first), stopped by the engine after ``settings.cypher_timeout`` seconds (QueryTimeout). A write
    raises ReadOnlyError (403 / exit 2) before anything is sent. There is no door to the full graph here."""
    check_readonly(query)
    check_expressions(query)
    with Projection(store, settings) as projection:
        projection.ensure_current()
        return run_readonly(projection.store, query, params, limit=limit, timeout=settings.cypher_timeout)
