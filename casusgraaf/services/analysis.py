"""Analyst use cases: read-only Cypher through the guarded door, on the text-free projection, with the
engine-side time limit and row limit (docs/SECURITY.md, "Analisten-Cypher")."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from casusgraaf.accounts import User
from casusgraaf.config import Settings
from casusgraaf.graph import GraphStore
from casusgraaf.graph.guard import Rows, check_expressions, check_readonly, run_readonly, tokens
from casusgraaf.graph.projection import Projection

# Functions whose result is a count of cases or entities (or can be one: sum(1), size(collect(x))).
AGGREGATES = frozenset({"count", "sum", "size", "collect"})


def run_cypher(store: GraphStore, settings: Settings, query: str, params: Mapping[str, Any] | None = None,
               limit: int = 1000, viewer: User | None = None) -> Rows:
    """Rows of a read-only query on the text-free projection of the graph behind ``store`` (brought up to
    date first), stopped by the engine after ``settings.cypher_timeout`` seconds (QueryTimeout). A write
    raises ReadOnlyError (403 / exit 2) before anything is sent. There is no door to the full graph here.

    For a ``viewer`` without the beheerder role (an analyst), an aggregating query has its small cells
    suppressed (:func:`suppress_small`); the CLI (``viewer`` None) is the beheerder on this machine."""
    check_readonly(query)
    check_expressions(query)
    with Projection(store, settings) as projection:
        projection.ensure_current()
        rows = run_readonly(projection.store, query, params, limit=limit, timeout=settings.cypher_timeout)
    if viewer is not None and "beheerder" not in viewer.rollen and aggregates(query):
        return suppress_small(rows, settings.small_cell_threshold)
    return rows


def aggregates(query: str) -> bool:
    """Whether the query calls a counting function anywhere (``count(``, ``sum(``, ``size(``, ``collect(``)."""
    toks = tokens(query)
    return any(kind == "word" and text.lower() in AGGREGATES and nxt == "("
               for (kind, text), (_k, nxt) in zip(toks, toks[1:], strict=False))


def suppress_small(rows: Rows, drempel: int) -> Rows:
    """Every whole number from 1 to ``drempel - 1`` in the rows (also inside lists and maps) becomes
    ``"<drempel>"``, as in the patterns: in an aggregating query any such number may be a small cell, and
    which column holds one cannot be told reliably (``WITH count(*) AS n ... RETURN n``). Zero, larger
    numbers, floats, strings and booleans stay. docs/SECURITY.md says what this does not stop."""
    label = f"<{drempel}"

    def hide(value: Any) -> Any:
        if isinstance(value, bool):
            return value
        if isinstance(value, int):
            return label if 0 < value < drempel else value
        if isinstance(value, list):
            return [hide(v) for v in value]
        if isinstance(value, dict):
            return {k: hide(v) for k, v in value.items()}
        return value

    out = Rows(hide(dict(r)) for r in rows)
    out.truncated = rows.truncated
    return out
