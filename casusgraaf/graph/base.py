"""The graph store interface: one narrow base class, one module per engine (falkor.py, neo4j.py).

Rows come back as lists of plain dicts holding JSON-able values: a node becomes
``{"_labels": [...], **properties}``, a relationship ``{"_type": ..., **properties}``, a path a list
of alternating nodes and relationships. The ``embedding`` property of nodes is left out unless a
caller asks for it (``include_embedding=True``): analysts do not want 384 floats in their answers.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from casusgraaf.errors import BadInput, CasusgraafError, Forbidden, Unavailable

Row = dict[str, Any]
Progress = Callable[[int, int], None]  # (rows done, rows total)

EMBEDDING_PROPERTY = "embedding"
_UNWIND_ROWS = re.compile(r"^\s*(?://[^\n]*\n\s*|/\*.*?\*/\s*)*UNWIND\s+\$rows\s+AS\s+row\b", re.I | re.S)


class GraphError(CasusgraafError):
    """Anything that went wrong talking to the graph. Messages never contain parameter values."""

    status = 500


class GraphUnavailable(Unavailable, GraphError):
    """The graph server cannot be reached (not started, down, or timed out on connect)."""


class ReadOnlyError(Forbidden, GraphError):
    """A write was sent through a read-only door; nothing was changed."""


class QuerySyntaxError(BadInput, GraphError):
    """The engine could not parse or plan the query."""


class QueryTimeout(BadInput, GraphError):
    """The engine stopped a query at its time limit (analyst Cypher); nothing was changed."""


class ConstraintError(GraphError):
    """A uniqueness constraint was violated, or could not be built; the query changed nothing."""


class GraphStore(ABC):
    """What the rest of casusgraaf needs from a graph database, and nothing more."""

    backend: str = ""

    @abstractmethod
    def run(self, query: str, params: Mapping[str, Any] | None = None, *,
            include_embedding: bool = False) -> list[Row]:
        """Run a read-write query and return its rows as plain dicts."""

    @abstractmethod
    def read(self, query: str, params: Mapping[str, Any] | None = None, *,
             include_embedding: bool = False, timeout: float | None = None) -> list[Row]:
        """Run a query in the engine's read-only mode; a write raises :class:`ReadOnlyError`. With
        ``timeout`` (seconds) the engine itself stops the query then and :class:`QueryTimeout` is raised."""

    @abstractmethod
    def ensure_schema(self) -> None:
        """Create the constraints and indexes of ``models/schema.yaml``; safe to call again."""

    @abstractmethod
    def clear(self) -> None:
        """Delete every node, relationship, index and constraint of this graph."""

    @abstractmethod
    def close(self) -> None:
        """Release connections (and, for the embedded engine, this process's server lease)."""

    def write(self, query: str, rows: Iterable[Mapping[str, Any]], batch_size: int = 500,
              progress: Progress | None = None, params: Mapping[str, Any] | None = None) -> int:
        """Run ``UNWIND $rows AS row ...`` over ``rows`` in batches; returns the number of rows sent."""
        if not _UNWIND_ROWS.match(query):
            raise GraphError("write() verwacht een query die begint met 'UNWIND $rows AS row' "
                             "(write() expects a query starting with 'UNWIND $rows AS row').")
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        batch_list = [dict(row) for row in rows]
        total = len(batch_list)
        done = 0
        for start in range(0, total, batch_size):
            chunk = batch_list[start:start + batch_size]
            self._write_batch(query, {**(params or {}), "rows": chunk})
            done += len(chunk)
            if progress is not None:
                progress(done, total)
        return done

    def _write_batch(self, query: str, params: dict[str, Any]) -> None:
        """One batch of :meth:`write`, in one transaction. Engines may override."""
        self.run(query, params)

    def __enter__(self) -> GraphStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def strip_embedding(props: Mapping[str, Any], include_embedding: bool) -> dict[str, Any]:
    if include_embedding:
        return dict(props)
    return {k: v for k, v in props.items() if k != EMBEDDING_PROPERTY}


def redact(message: str, params: Mapping[str, Any] | None) -> str:
    """Remove any string parameter value (and the query context) from an engine error message."""
    values: list[str] = []

    def collect(value: Any) -> None:
        if isinstance(value, str) and len(value) >= 3:
            values.append(value)
        elif isinstance(value, Mapping):
            for v in value.values():
                collect(v)
        elif isinstance(value, list | tuple):
            for v in value:
                collect(v)

    collect(dict(params or {}))
    for value in sorted(values, key=len, reverse=True):
        message = message.replace(value, "…")
    return message
