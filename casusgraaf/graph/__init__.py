"""The graph: one narrow interface (:class:`GraphStore`), two engines, one factory.

``open_store()`` picks the engine from settings: ``CASUSGRAAF_GRAPH_URI`` unset = the embedded FalkorDB
server in the data dir (started or shared on first use), ``bolt://`` / ``neo4j://`` = Neo4j.
"""

from __future__ import annotations

from casusgraaf.config import Settings
from casusgraaf.graph.base import (
    ConstraintError,
    GraphError,
    GraphStore,
    GraphUnavailable,
    QuerySyntaxError,
    QueryTimeout,
    ReadOnlyError,
    Row,
)
from casusgraaf.graph.queries import example_params, list_queries, load_query


def open_store(settings: Settings) -> GraphStore:
    """The configured graph store (the URI scheme is validated by :class:`Settings`). Close it (or use
    ``with``) so the embedded server can stop."""
    if settings.embedded:
        from casusgraaf.graph.falkor import FalkorStore

        return FalkorStore(settings)
    from casusgraaf.graph.neo4j import Neo4jStore

    return Neo4jStore(settings)


__all__ = ["ConstraintError", "GraphError", "GraphStore", "GraphUnavailable", "QuerySyntaxError", "QueryTimeout",
           "ReadOnlyError", "Row",
           "example_params", "list_queries", "load_query", "open_store"]
