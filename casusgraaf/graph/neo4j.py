"""Neo4jStore: Neo4j 5 through the official driver, managed transactions only."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

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
    redact,
    strip_embedding,
)
from casusgraaf.graph.schema import neo4j_ddl

DEFAULT_GRAPH_NAME = "casusgraaf"


def graph_password(settings: Settings) -> str | None:
    """CASUSGRAAF_GRAPH_PASSWORD, else the first line of CASUSGRAAF_GRAPH_PASSWORD_FILE (a docker secret)."""
    if settings.graph_password or settings.graph_password_file is None:
        return settings.graph_password
    try:
        return settings.graph_password_file.read_text(encoding="utf-8").strip() or None
    except OSError as exc:
        raise GraphUnavailable(f"CASUSGRAAF_GRAPH_PASSWORD_FILE: {settings.graph_password_file} is niet te lezen "
                               f"({exc.strerror}); controleer het pad en de rechten (docker secret)") from None


class Neo4jStore(GraphStore):
    backend = "neo4j"

    def __init__(self, settings: Settings) -> None:
        try:
            import neo4j
        except ImportError as exc:  # pragma: no cover - neo4j is a core dependency
            raise GraphError("Neo4j-driver ontbreekt: pip install neo4j") from exc
        self._neo4j = neo4j
        password = graph_password(settings)
        auth = (settings.graph_user, password) if password else None
        self._driver = neo4j.GraphDatabase.driver(settings.graph_uri or "", auth=auth)
        # Community edition has one user database ("neo4j"): the default graph name means "server default".
        self._database = None if settings.graph_name == DEFAULT_GRAPH_NAME else settings.graph_name
        try:
            self._driver.verify_connectivity()
        except Exception as exc:
            self._driver.close()
            raise GraphUnavailable(f"Neo4j niet bereikbaar op {settings.graph_uri}: {type(exc).__name__}") from None

    def _session(self, read: bool):
        mode = self._neo4j.READ_ACCESS if read else self._neo4j.WRITE_ACCESS
        return self._driver.session(database=self._database, default_access_mode=mode)

    def _execute(self, read: bool, query: str, params: Mapping[str, Any] | None,
                 include_embedding: bool, timeout: float | None = None) -> list[Row]:
        @self._neo4j.unit_of_work(timeout=timeout)
        def work(tx: Any) -> list[Row]:
            result = tx.run(query, dict(params or {}))
            return [{k: _plain(v, include_embedding) for k, v in record.items()} for record in result]

        errors = self._neo4j.exceptions
        try:
            with self._session(read) as session:
                return session.execute_read(work) if read else session.execute_write(work)
        except errors.Neo4jError as exc:
            raise _translate(exc, params, timeout) from None
        except (errors.ServiceUnavailable, errors.SessionExpired, errors.ConnectionAcquisitionTimeoutError,
                OSError) as exc:
            raise GraphUnavailable(f"Neo4j niet bereikbaar ({type(exc).__name__}); controleer of de server "
                                   "draait en CASUSGRAAF_GRAPH_URI klopt.") from None

    def run(self, query: str, params: Mapping[str, Any] | None = None, *,
            include_embedding: bool = False) -> list[Row]:
        return self._execute(False, query, params, include_embedding)

    def read(self, query: str, params: Mapping[str, Any] | None = None, *,
             include_embedding: bool = False, timeout: float | None = None) -> list[Row]:
        return self._execute(True, query, params, include_embedding, timeout)

    def ensure_schema(self) -> None:
        for ddl in neo4j_ddl():
            self.run(str(ddl.statement))

    def clear(self) -> None:
        while self.run("MATCH (n) WITH n LIMIT 10000 DETACH DELETE n RETURN count(*) AS n")[0]["n"]:
            pass
        for row in self.run("SHOW CONSTRAINTS YIELD name RETURN name"):
            self.run(f"DROP CONSTRAINT `{row['name']}` IF EXISTS")
        for row in self.run("SHOW INDEXES YIELD name, type WHERE type <> 'LOOKUP' RETURN name"):
            self.run(f"DROP INDEX `{row['name']}` IF EXISTS")

    def close(self) -> None:
        self._driver.close()


# Codes that mean the database itself cannot serve us now (as opposed to a fault in the query).
_UNAVAILABLE_CODES = ("DatabaseUnavailable", "DatabaseNotFound", "Security.Unauthorized",
                      "Security.AuthenticationRateLimit", "Cluster.NotALeader")


def _translate(exc: Any, params: Mapping[str, Any] | None, limit: float | None = None) -> GraphError:
    """A Neo4j server error -> our error class, by its status code; the message never holds parameter values."""
    code = getattr(exc, "code", "") or ""
    first_line = redact(((getattr(exc, "message", None) or str(exc)).strip().splitlines() or [""])[0], params)
    if "AccessMode" in code or "ForbiddenOnReadOnlyDatabase" in code:
        return ReadOnlyError("Alleen lezen: deze query schrijft en is niet uitgevoerd "
                             "(read-only: this query writes and was not run).")
    if "TransactionTimedOut" in code:  # ...TransactionTimedOut(ClientConfiguration), 4.x and 5.x
        within = f" van {limit:g} s" if limit else ""
        return QueryTimeout(f"De query duurde langer dan de ingestelde limiet{within} en is door Neo4j gestopt "
                            "(CASUSGRAAF_CYPHER_TIMEOUT); maak hem beperkter, bv. met LIMIT of een WHERE.")
    if any(part in code for part in _UNAVAILABLE_CODES):
        return GraphUnavailable(f"Neo4j kan deze vraag nu niet beantwoorden ({code}); controleer de server, "
                                "de database (CASUSGRAAF_GRAPH_NAME) en de inloggegevens.")
    if "ConstraintValidationFailed" in code:
        return ConstraintError(f"Uniciteitsregel geschonden: {first_line}")
    if "SyntaxError" in code or "Statement.SemanticError" in code:
        return QuerySyntaxError(f"Cypher-fout: {first_line}")
    return GraphError(f"Neo4j-fout ({code}): {first_line}")


def _plain(value: Any, include_embedding: bool = False) -> Any:
    from neo4j.graph import Node, Path, Relationship

    if isinstance(value, Node):
        return {"_labels": sorted(value.labels),
                **{k: _plain(v) for k, v in strip_embedding(dict(value.items()), include_embedding).items()}}
    if isinstance(value, Relationship):
        return {"_type": value.type, **{k: _plain(v) for k, v in value.items()}}
    if isinstance(value, Path):
        out: list[Any] = [_plain(value.nodes[0], include_embedding)]
        for rel, node in zip(value.relationships, value.nodes[1:], strict=True):
            out += [_plain(rel), _plain(node, include_embedding)]
        return out
    if hasattr(value, "iso_format"):  # neo4j.time Date/DateTime/Time/Duration (a Duration is a tuple)
        return value.iso_format()
    if isinstance(value, Mapping):
        return {str(k): _plain(v, include_embedding) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v, include_embedding) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)
