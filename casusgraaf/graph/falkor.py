"""FalkorStore: the embedded graph, FalkorDB over a unix socket in the data dir (see server.py)."""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Mapping
from typing import Any

import redis
from falkordb import Edge, Node, Path
from falkordb.exceptions import SchemaVersionMismatchException
from falkordb.graph import Graph
from falkordb.query_result import QueryResult

from casusgraaf.config import Settings
from casusgraaf.graph import server
from casusgraaf.graph.base import (
    ConstraintError,
    GraphError,
    GraphStore,
    GraphUnavailable,
    QuerySyntaxError,
    QueryTimeout,
    ReadOnlyError,
    Row,
    redact,
    strip_embedding,
)
from casusgraaf.graph.schema import falkordb_ddl

# A client never waits forever: FalkorDB has an open upstream deadlock under write load
# (FalkorDB/FalkorDB#2129) in which the server stops answering; then this turns into a GraphError.
QUERY_TIMEOUT = 600.0
# Analyst reads with a timeout (``read(..., timeout=)``, GRAPH.RO_QUERY ... timeout <ms>): the engine stops a
# query at its limit between records, but not while it evaluates one expression (``range(1, 100000000)``,
# ``reduce`` or a list comprehension over a big list). The client then stops waiting this long after the
# limit and reports the same QueryTimeout; the server finishes that expression on its own (or stops with
# the last user, see server.py).
TIMEOUT_GRACE = 2.0
# Unique constraints are built asynchronously; ensure_schema waits this long for them to be OPERATIONAL.
CONSTRAINT_WAIT = 30.0
_SYNTAX = ("errMsg:", "Invalid input", "not defined", "Unknown function", "is not registered",
           "currently only supports", "Encountered", "already declared", "Unknown ", "syntax")
_CONTEXT = re.compile(r"\s*errCtx:.*$", re.S)
_POSITION = re.compile(r"\s*line: (\d+), column: (\d+), offset: \d+")
_UNREACHABLE = (redis.ConnectionError, redis.TimeoutError, OSError)


class FalkorStore(GraphStore):
    backend = "falkordb"

    def __init__(self, settings: Settings, socket: str | None = None) -> None:
        self._settings = settings
        self._leased = socket is None
        self._socket = socket or server.ensure_server(settings)
        self._conn = self._connect(QUERY_TIMEOUT)
        self._timed: dict[float, redis.Redis] = {}  # analyst-read connections, by client-side deadline
        self._graph = Graph(self._conn, settings.graph_name)
        self._closed = False

    def _connect(self, socket_timeout: float) -> redis.Redis:
        return redis.Redis(unix_socket_path=self._socket, decode_responses=True, socket_connect_timeout=5,
                           socket_timeout=socket_timeout, retry=server.no_retry())

    def _unavailable(self, exc: BaseException) -> GraphUnavailable:
        return GraphUnavailable(f"De FalkorDB-server is niet bereikbaar via {self._socket} "
                                f"({type(exc).__name__}); `casusgraaf status` laat zien of hij draait.")

    # -- queries -----------------------------------------------------------------------------------

    def run(self, query: str, params: Mapping[str, Any] | None = None, *,
            include_embedding: bool = False) -> list[Row]:
        return self._query("GRAPH.QUERY", query, params, include_embedding)

    def read(self, query: str, params: Mapping[str, Any] | None = None, *,
             include_embedding: bool = False, timeout: float | None = None) -> list[Row]:
        return self._query("GRAPH.RO_QUERY", query, params, include_embedding, timeout)

    def _query(self, cmd: str, query: str, params: Mapping[str, Any] | None,
               include_embedding: bool, timeout: float | None = None) -> list[Row]:
        if self._closed:
            raise GraphUnavailable("De graafverbinding is al gesloten (store closed); open de graaf opnieuw.")
        text = self._graph._build_params_header(dict(params)) + query if params else query
        conn = self._conn
        extra: tuple[Any, ...] = ()
        if timeout:
            extra = ("timeout", max(1, int(timeout * 1000)))
            conn = self._timed_conn(timeout)
        try:
            result = self._execute(conn, cmd, text, extra, params)
            header = [col[1] if isinstance(col, list | tuple) else col for col in result.header]
            return [{name: _plain(value, include_embedding) for name, value in zip(header, row, strict=True)}
                    for row in result.result_set]
        except redis.TimeoutError as exc:
            if timeout:  # the engine did not stop it in time (one long expression): the client stops waiting
                raise _timeout_error(timeout) from None
            raise self._unavailable(exc) from None
        except _UNREACHABLE as exc:
            raise self._unavailable(exc) from None

    def _timed_conn(self, timeout: float) -> redis.Redis:
        deadline = timeout + TIMEOUT_GRACE
        conn = self._timed.get(deadline)
        if conn is None:
            conn = self._timed[deadline] = self._connect(deadline)
        return conn

    def _execute(self, conn: redis.Redis, cmd: str, text: str, extra: tuple[Any, ...],
                 params: Mapping[str, Any] | None) -> QueryResult:
        schema = self._graph.schema
        for attempt in range(3):
            # Send our schema version: if another process changed labels/properties (or cleared the
            # graph) the server answers "version mismatch" *without running the query*; we refresh the
            # client's id->name cache and retry, so node labels can never be decoded with stale ids.
            try:
                response = conn.execute_command(cmd, self._graph.name, text, "--compact",
                                                "version", schema.version, *extra)
                return QueryResult(self._graph, response)
            except SchemaVersionMismatchException as exc:
                if attempt == 2:
                    raise GraphError("Het graafschema veranderde tijdens de query; probeer opnieuw.") from None
                schema.refresh(exc.version)
            except redis.ResponseError as exc:
                if "empty key" in str(exc) and attempt < 2:
                    # GRAPH.RO_QUERY on a graph that does not exist yet fails with "Invalid graph operation
                    # on empty key"; a no-op GRAPH.QUERY creates the (empty) graph, then read again.
                    self._conn.execute_command("GRAPH.QUERY", self._graph.name, "RETURN 1")
                    continue
                raise _translate(str(exc), params, extra[1] / 1000 if extra else None) from None
        raise GraphError("Het graafschema veranderde tijdens de query; probeer opnieuw.")  # pragma: no cover

    def _command(self, *args: Any) -> Any:
        """A raw server command (GRAPH.CONSTRAINT, GRAPH.DELETE); connection trouble is GraphUnavailable."""
        if self._closed:
            raise GraphUnavailable("De graafverbinding is al gesloten (store closed); open de graaf opnieuw.")
        try:
            return self._conn.execute_command(*args)
        except _UNREACHABLE as exc:
            raise self._unavailable(exc) from None

    # -- schema and lifecycle ----------------------------------------------------------------------

    def ensure_schema(self) -> None:
        pending: list[tuple[str, str]] = []
        for ddl in falkordb_ddl(self._graph.name):
            try:
                if isinstance(ddl.statement, tuple):
                    self._command(*ddl.statement)
                    pending.append((ddl.label, ddl.prop))
                else:
                    self.run(ddl.statement)
            except GraphUnavailable:
                raise
            except (redis.ResponseError, GraphError) as exc:
                if "already" not in str(exc):  # "Attribute 'id' is already indexed", "Constraint already exists"
                    raise GraphError(f"Schema aanmaken mislukt voor {ddl.label}.{ddl.prop}: {exc}") from None
                if isinstance(ddl.statement, tuple):
                    pending.append((ddl.label, ddl.prop))
        self._wait_constraints(pending)

    def _wait_constraints(self, wanted: list[tuple[str, str]], timeout: float | None = None) -> None:
        """Unique constraints are built asynchronously (PENDING -> OPERATIONAL | FAILED). Returns only when
        every wanted one is OPERATIONAL; raises ConstraintError when one FAILED or is not ready in time."""
        timeout = CONSTRAINT_WAIT if timeout is None else timeout
        deadline = time.monotonic() + timeout
        while True:
            status = {(row["label"], tuple(row["properties"])): row["status"]
                      for row in self.read("CALL db.constraints()")}
            state = {f"{label}.{prop}": status.get((label, (prop,)), "MISSING") for label, prop in wanted}
            failed = [name for name, s in state.items() if s == "FAILED"]
            if failed:
                raise ConstraintError(f"Uniciteit kon niet worden afgedwongen op {', '.join(failed)}: "
                                      "de graaf bevat al dubbele sleutels.")
            waiting = [f"{name} ({s})" for name, s in state.items() if s != "OPERATIONAL"]
            if not waiting:
                return
            if time.monotonic() >= deadline:
                raise ConstraintError(
                    f"Uniciteitsregel(s) na {timeout:g} s nog niet actief: {', '.join(waiting)}. Er is niets "
                    "ingelezen of gewijzigd; voer dezelfde opdracht over een minuut opnieuw uit. Blijft dit zo, "
                    f"kijk dan in {server.graph_dir(self._settings) / server.LOGFILE}.")
            time.sleep(0.05)

    def clear(self) -> None:
        try:
            self._command("GRAPH.DELETE", self._graph.name)
        except redis.ResponseError as exc:
            if "empty key" not in str(exc) and "Invalid graph operation" not in str(exc):
                raise GraphError(f"Leegmaken mislukt: {exc}") from None
        self._graph.schema.clear()

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        for conn in (self._conn, *self._timed.values()):
            conn.close()
        self._timed.clear()
        if self._leased:
            server.release(self._settings)


def _timeout_error(limit: float | None) -> QueryTimeout:
    within = f" van {limit:g} s" if limit else ""
    return QueryTimeout(f"De query duurde langer dan de ingestelde limiet{within} en is gestopt "
                        "(CASUSGRAAF_CYPHER_TIMEOUT); maak hem beperkter, bv. met LIMIT of een WHERE.")


def _translate(message: str, params: Mapping[str, Any] | None, limit: float | None = None) -> GraphError:
    clean = redact(_POSITION.sub(r" (line \1, column \2)", _CONTEXT.sub("", message)), params)
    clean = clean.removeprefix("errMsg: ").strip()
    if "timed out" in message.lower():
        return _timeout_error(limit)
    if "RO_QUERY is to be executed only on read-only queries" in message:
        return ReadOnlyError("Alleen lezen: deze query schrijft en is niet uitgevoerd "
                             "(read-only: this query writes and was not run).")
    if "constraint violation" in message:
        return ConstraintError(f"Uniciteitsregel geschonden: {clean}")
    if any(marker in message for marker in _SYNTAX):
        return QuerySyntaxError(f"Cypher-fout: {clean}")
    return GraphError(f"FalkorDB-fout: {clean}")


def _plain(value: Any, include_embedding: bool = False) -> Any:
    """FalkorDB client values -> plain JSON-able Python."""
    kind = type(value)
    if value is None or kind is str or kind is int or kind is float or kind is bool:  # most values: fast path
        return value
    if kind is list and all(type(v) is str for v in value):
        return value
    if isinstance(value, Node):
        return {"_labels": list(value.labels or []),
                **{k: _plain(v) for k, v in strip_embedding(value.properties, include_embedding).items()}}
    if isinstance(value, Edge):
        return {"_type": value.relation, **{k: _plain(v) for k, v in value.properties.items()}}
    if isinstance(value, Path):
        out: list[Any] = []
        for i, node in enumerate(value.nodes()):
            if i:
                out.append(_plain(value.get_edge(i - 1), include_embedding))
            out.append(_plain(node, include_embedding))
        return out
    if isinstance(value, Mapping):
        return {str(k): _plain(v, include_embedding) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v, include_embedding) for v in value]
    if isinstance(value, dt.date | dt.time):  # datetime is a date
        return value.isoformat()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)  # durations (relativedelta) and anything new
