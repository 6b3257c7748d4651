"""The graph: one narrow interface (:class:`GraphStore`), two engines, one factory.

``open_store()`` picks the engine from settings: ``CASUSGRAAF_GRAPH_URI`` unset = the embedded FalkorDB
server in the data dir (started or shared on first use), ``bolt://`` / ``neo4j://`` = Neo4j.
"""

from __future__ import annotations

from casusgraaf.config import Settings, get_settings
from casusgraaf.graph.base import (
    ConstraintError,
    GraphError,
    GraphStore,
    QuerySyntaxError,
    ReadOnlyError,
    Row,
)
from casusgraaf.graph.queries import example_params, list_queries, load_query

_NEO4J_SCHEMES = ("bolt://", "bolt+s://", "bolt+ssc://", "neo4j://", "neo4j+s://", "neo4j+ssc://")


def open_store(settings: Settings | None = None) -> GraphStore:
    """The configured graph store. Close it (or use ``with``) so the embedded server can stop."""
    settings = settings or get_settings()
    if settings.embedded:
        from casusgraaf.graph.falkor import FalkorStore

        return FalkorStore(settings)
    uri = settings.graph_uri or ""
    if uri.lower().startswith(_NEO4J_SCHEMES):
        from casusgraaf.graph.neo4j import Neo4jStore

        return Neo4jStore(settings)
    raise GraphError(f"CASUSGRAAF_GRAPH_URI {uri.split('://')[0]}://... wordt niet ondersteund: laat hem leeg "
                     "(ingebouwde FalkorDB) of gebruik bolt:// of neo4j:// (Neo4j).")


__all__ = ["ConstraintError", "GraphError", "GraphStore", "QuerySyntaxError", "ReadOnlyError", "Row",
           "example_params", "list_queries", "load_query", "open_store"]
