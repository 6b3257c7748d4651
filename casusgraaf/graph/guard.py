"""The read-only door for analyst Cypher (``casusgraaf cypher``, the API's query page).

Two layers: a tokenizer refuses a query with write clauses before anything is sent (string literals,
backtick names and comments are skipped, so ``RETURN "CREATE"`` passes), and the query then runs in the
engine's read-only mode (FalkorDB ``GRAPH.RO_QUERY``, Neo4j read transactions): that is the real
guarantee, the tokenizer only gives a clear early message.

Limits are enforced by the engine where that is safe:
- time: ``timeout`` (``CASUSGRAAF_CYPHER_TIMEOUT``) goes with the query (FalkorDB ``GRAPH.RO_QUERY ...
  timeout <ms>``, Neo4j transaction timeout), so the engine stops it, not just the client;
- rows: when the query ends in a ``RETURN`` without a ``LIMIT`` of its own (and has no ``UNION`` and no
  ``;``), ``LIMIT <limit + 1>`` is appended, so the engine stops producing rows after one more than we
  show (that one row tells us the answer was cut). Any other query is sent as written and cut here: a
  ``LIMIT`` after a ``UNION`` would limit only its last part, and wrapping a query in ``CALL { ... }``
  changes how its columns and errors come back. If the engine refuses the appended form, the query runs
  as written.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from casusgraaf.errors import BadInput
from casusgraaf.graph.base import GraphError, GraphStore, QuerySyntaxError, ReadOnlyError, Row

WRITE_KEYWORDS = frozenset({"CREATE", "MERGE", "SET", "DELETE", "DETACH", "REMOVE", "DROP", "FOREACH",
                            "ALTER", "RENAME", "GRANT", "DENY", "REVOKE"})
# Procedures that only read. Any other CALL is refused (fulltext/vector index creation, dbms.*, apoc.* ...).
READ_PROCEDURES = frozenset(p.lower() for p in {
    "db.labels", "db.relationshipTypes", "db.propertyKeys", "db.indexes", "db.constraints",
    "db.schema.visualization", "db.schema.nodeTypeProperties", "db.schema.relTypeProperties",
    "db.idx.fulltext.queryNodes", "db.idx.fulltext.queryRelationships",
    "db.idx.vector.queryNodes", "db.idx.vector.queryRelationships",
    "db.index.fulltext.queryNodes", "db.index.fulltext.queryRelationships",
    "db.index.vector.queryNodes", "db.index.vector.queryRelationships",
    "dbms.procedures", "dbms.components",
    "algo.pageRank", "algo.BFS", "algo.SPpaths", "algo.SSpaths", "algo.WCC", "algo.betweenness",
    "algo.labelPropagation",
})
_HINT = "Gebruik `casusgraaf ingest` of `casusgraaf delete` om te wijzigen."
_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<comment>//[^\n]*|/\*.*?(?:\*/|\Z))
  | (?P<string>'(?:[^'\\]|\\.)*(?:'|\Z)|"(?:[^"\\]|\\.)*(?:"|\Z))
  | (?P<quoted>`[^`]*(?:`|\Z))
  | (?P<param>\$\s*[A-Za-z_0-9]+|\$`[^`]*`)
  | (?P<word>[A-Za-z_][A-Za-z_0-9]*)
  | (?P<other>.)
""", re.S | re.X)


class QueryMemoryError(BadInput, GraphError):
    """The engine stopped a query at its memory limit (CASUSGRAAF_CYPHER_MEMORY_MB); nothing was changed."""


class Rows(list):
    """The result rows, plus ``truncated`` when the limit cut the answer short."""

    truncated: bool = False


def tokens(query: str) -> list[tuple[str, str]]:
    """(kind, text) pairs of the significant tokens: words, quoted names and punctuation."""
    out = []
    for match in _TOKEN.finditer(query):
        kind = match.lastgroup or "other"
        if kind not in ("ws", "comment", "string", "param"):
            out.append((kind, match.group()))
    return out


def _unterminated(query: str) -> bool:
    """True when the query ends inside a block comment, a string or a backtick name."""
    last = None
    for match in _TOKEN.finditer(query):
        if match.lastgroup != "ws":
            last = match
    if last is None:
        return False
    text = last.group()
    if last.lastgroup == "comment":
        return text.startswith("/*") and (len(text) < 4 or not text.endswith("*/"))
    if last.lastgroup in ("string", "quoted"):
        return len(text) < 2 or text[-1] != text[0] or text.endswith("\\" + text[0])
    return False


def with_row_limit(query: str, limit: int) -> str | None:
    """The query with ``LIMIT <limit + 1>`` appended, or None when appending could change what it means
    (no final top-level RETURN, a LIMIT of its own, a UNION, a ``;``, an unterminated comment or string)."""
    if limit < 1 or _unterminated(query):
        return None
    toks = tokens(query)
    depth = 0
    last_return = None
    after: list[str] = []
    for i, (kind, text) in enumerate(toks):
        if text in "([{" and kind == "other":
            depth += 1
        elif text in ")]}" and kind == "other":
            depth -= 1
        elif text == ";":
            return None
        elif kind == "word" and depth == 0:
            prev = toks[i - 1][1] if i else ""
            nxt = toks[i + 1][1] if i + 1 < len(toks) else ""
            if prev in (".", ":") or nxt == ":":
                continue
            word = text.upper()
            if word == "UNION":
                return None
            if word == "RETURN":
                last_return, after = i, []
            elif last_return is not None:
                after.append(word)
    if last_return is None or depth != 0 or "LIMIT" in after:
        return None
    return f"{query.rstrip()}\nLIMIT {limit + 1}"


def write_reason(query: str) -> str | None:
    """The write clause a query contains (e.g. ``"CREATE"``), or None when it only reads."""
    toks = tokens(query)
    for i, (kind, text) in enumerate(toks):
        if kind != "word":
            continue
        prev = toks[i - 1][1] if i else ""
        nxt = toks[i + 1][1] if i + 1 < len(toks) else ""
        if prev in (".", ":") or nxt == ":":  # property access n.set, label :Create, map key {set: 1}
            continue
        word = text.upper()
        if word == "GRAPH" and nxt == ".":
            return "GRAPH." + (toks[i + 2][1].upper() if i + 2 < len(toks) else "")
        if word == "LOAD" and nxt.upper() == "CSV":
            return "LOAD CSV"
        if word in WRITE_KEYWORDS:
            return word
        if word == "CALL" and nxt != "{":
            name = _dotted_name(toks, i + 1)
            if name.lower() not in READ_PROCEDURES:
                return f"CALL {name}"
    return None


def _dotted_name(toks: list[tuple[str, str]], start: int) -> str:
    parts: list[str] = []
    i = start
    while i < len(toks) and toks[i][0] in ("word", "quoted"):
        parts.append(toks[i][1].strip("`"))
        if i + 1 < len(toks) and toks[i + 1][1] == ".":
            i += 2
        else:
            break
    return ".".join(parts) or "?"


# Lists built inside one expression are not bounded by the engine's time limit (checked between records) and
# only late by its memory cap: ``RETURN size(range(1, 1000000000))`` took 7.6 GB before the kernel killed the
# server (attack suite). So analyst Cypher may build ranges only from integer literals, each at most
# MAX_RANGE long and all together (their product: nested comprehensions multiply) at most MAX_RANGE_PRODUCT,
# and may not use reduce() (``reduce(l = [1], x IN range(1, 40) | l + l)`` doubles a list 40 times).
MAX_RANGE = 100_000_000
MAX_RANGE_PRODUCT = 10_000_000_000
_INT = re.compile(r"^[+-]?\d+$")


def expression_reason(query: str) -> str | None:
    """Why a query could build an unbounded list in one expression, or None."""
    toks = tokens(query)
    product = 1
    for i, (kind, text) in enumerate(toks):
        if kind != "word" or i + 1 >= len(toks) or toks[i + 1][1] != "(" or (i and toks[i - 1][1] == "."):
            continue
        name = text.lower()
        if name == "reduce":
            return "reduce() is niet toegestaan; gebruik sum(), collect() of count()"
        if name != "range":
            continue
        args, depth, j, current = [], 0, i + 2, ""
        while j < len(toks):
            tk = toks[j][1]
            if tk in "([{":
                depth += 1
            elif tk in ")]}":
                if depth == 0:
                    break
                depth -= 1
            if tk == "," and depth == 0:
                args.append(current)
                current = ""
            else:
                current += tk
            j += 1
        args.append(current)
        if not all(_INT.match(a) for a in args) or not 2 <= len(args) <= 3:
            return "range() mag alleen gehele getallen als argumenten hebben (geen parameters of berekeningen)"
        start, end = int(args[0]), int(args[1])
        step = int(args[2]) if len(args) == 3 else 1
        size = max(0, (end - start) // step + 1) if step else MAX_RANGE + 1
        if size > MAX_RANGE:
            return f"range() van {size} waarden; hoogstens {MAX_RANGE}"
        product *= max(size, 1)
        if product > MAX_RANGE_PRODUCT:
            return f"range()-aanroepen samen (genest) te groot; hoogstens {MAX_RANGE_PRODUCT} combinaties"
    return None


def check_readonly(query: str) -> None:
    """Raise :class:`ReadOnlyError` (with a Dutch/English message) when the query writes."""
    reason = write_reason(query)
    if reason:
        raise ReadOnlyError(f"Alleen lezen: deze Cypher-query schrijft ({reason}). {_HINT} "
                            f"(Read-only: this query writes; it was not run.)")


def check_expressions(query: str) -> None:
    """Raise :class:`QueryMemoryError` when the query could build an unbounded list in one expression."""
    reason = expression_reason(query)
    if reason:
        raise QueryMemoryError(f"Deze query is niet uitgevoerd: {reason} (een lijst in één expressie wordt niet "
                               "door de tijdlimiet gestopt en kan de server al het geheugen kosten).")


def run_readonly(store: GraphStore, query: str, params: Mapping[str, Any] | None = None,
                 limit: int = 1000, timeout: float | None = None) -> Rows:
    """Run analyst Cypher read-only; at most ``limit`` rows (``rows.truncated`` says if more existed).
    ``timeout`` (seconds, ``settings.cypher_timeout``) is enforced by the engine, not by the client."""
    check_readonly(query)
    check_expressions(query)
    limited = with_row_limit(query, limit) if limit and limit > 0 else None
    try:
        try:
            result = store.read(limited or query, params, timeout=timeout)
        except QuerySyntaxError:
            if limited is None:
                raise
            result = store.read(query, params, timeout=timeout)  # the engine refused our LIMIT, not the query
    except ReadOnlyError:
        raise ReadOnlyError(f"Alleen lezen: de database weigerde deze query omdat die schrijft. {_HINT} "
                            "(Read-only: the engine refused a write.)") from None
    except GraphError as exc:
        if "mem consumption exceeded" not in str(exc):
            raise
        raise QueryMemoryError("De query vroeg meer geheugen dan de ingestelde limiet en is door de database "
                               "gestopt (CASUSGRAAF_CYPHER_MEMORY_MB); maak hem beperkter, bv. met LIMIT of een "
                               "kleinere range().") from None
    rows = Rows(result[:limit] if limit and limit > 0 else result)
    rows.truncated = bool(limit and limit > 0 and len(result) > limit)
    return rows


__all__ = ["QueryMemoryError", "Rows", "check_expressions", "check_readonly", "expression_reason", "run_readonly", "with_row_limit", "write_reason", "Row"]
