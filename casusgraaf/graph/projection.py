"""The text-free projection: a second graph in the same engine that analyst Cypher runs against.

It holds the nodes, relationships and the properties that ``models/schema.yaml`` marks ``analyse: true``
(codes, entities, dates, counts); properties marked ``analyse: false`` (case text, titles, free text, spans
and fragments into a text, embeddings, content hashes) are never copied, and ``analyse: hmac`` ones (keys
derived from a hash of a text: leerpunt and opvolging ids) are copied as an HMAC under the install key, so
they still join but cannot be checked against a guessed text. A property without a classification is an
error (default deny). Labels outside the schema are not copied at all.

Where it lives: FalkorDB, the graph key ``<graph_name>_analyse`` on the same embedded server; Neo4j, the
database ``<graph_name>-analyse`` (a second database needs Enterprise edition; create it once with
``CREATE DATABASE``; without it analyst Cypher is refused with that instruction).

Kept in step: after every ingest and delete (:meth:`Projection.sync` with the case ids of the change set),
rebuilt by ``casusgraaf reindex`` (:meth:`Projection.rebuild`), and before every analyst query
(:meth:`Projection.ensure_current`): the projection's ``Meta {key: 'projectie'}`` node records the source
graph's generation and node and relationship counts when it was made; any difference means a rebuild.
A FalkorDB rebuild is built aside and swapped in with one ``RENAME``, so a query never sees half a copy.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from typing import Any, cast

from casusgraaf.audit.keys import install_key, keyed_hash
from casusgraaf.config import Settings
from casusgraaf.errors import Unavailable
from casusgraaf.files import exclusive_lock, private_dir
from casusgraaf.graph.base import GraphStore, GraphUnavailable
from casusgraaf.graph.queries import load_query
from casusgraaf.graph.schema import load_schema

FALKOR_SUFFIX, NEO4J_SUFFIX = "_analyse", "-analyse"
STATE_KEY = "projectie"
SKIP_LABELS = frozenset({"Meta"})  # bookkeeping of the source graph: the projection keeps its own
MODES = (True, False, "hmac")
BATCH = 1000


class ProjectionUnavailable(Unavailable):
    """The projection cannot be made on this engine (Neo4j without a second database)."""


@dataclass(frozen=True)
class NodeSpec:
    label: str
    key: str
    props: dict[str, Any]  # copied property -> True | "hmac"


@dataclass(frozen=True)
class RelSpec:
    type: str
    start: str
    end: str
    props: dict[str, Any]


def unclassified(schema: Mapping[str, Any] | None = None) -> list[str]:
    """``Label.property`` / ``TYPE.property`` entries of schema.yaml without a valid ``analyse`` value."""
    schema = schema or load_schema()
    bad = []
    for kind in ("nodes", "relationships"):
        for name, spec in schema[kind].items():
            for prop, p in (spec.get("properties") or {}).items():
                if not isinstance(p, dict) or p.get("analyse", None) not in MODES or "analyse" not in p:
                    bad.append(f"{name}.{prop}")
    return bad


@cache
def specs() -> tuple[tuple[NodeSpec, ...], tuple[RelSpec, ...]]:
    """What the projection copies, from schema.yaml; refuses to run when a property is unclassified."""
    schema = load_schema()
    bad = unclassified(schema)
    if bad:
        raise ValueError(f"schema.yaml: geen 'analyse: true|false|hmac' bij {', '.join(bad)} (default deny: "
                         "classificeer elke eigenschap, zie docs/SECURITY.md)")

    def allowed(props: Mapping[str, Any]) -> dict[str, Any]:
        return {k: v["analyse"] for k, v in props.items() if v["analyse"]}

    nodes = []
    for label, n in schema["nodes"].items():
        if label in SKIP_LABELS:
            continue
        props = allowed(n["properties"])
        if n["key"] not in props:
            raise ValueError(f"schema.yaml: {label}.{n['key']} is de sleutel en moet in de projectie "
                             "(analyse: true of hmac)")
        nodes.append(NodeSpec(label, n["key"], props))
    rels = [RelSpec(t, r["from"], r["to"], allowed(r.get("properties") or {}))
            for t, r in schema["relationships"].items() if r["from"] not in SKIP_LABELS and r["to"] not in SKIP_LABELS]
    return tuple(nodes), tuple(rels)


def projection_name(settings: Settings) -> str:
    return settings.graph_name + (FALKOR_SUFFIX if settings.embedded else NEO4J_SUFFIX)


def open_projection(settings: Settings, name: str | None = None) -> GraphStore:
    """A store on the projection graph (or on ``name``, for a rebuild aside). Close it after use."""
    own = settings.model_copy(update={"graph_name": name or projection_name(settings)})
    if settings.embedded:
        from casusgraaf.graph import server
        from casusgraaf.graph.falkor import FalkorStore

        # the caller holds the lease on the server (its own store is open): no second lease
        store = FalkorStore(own, socket=str(server.socket_path(settings)))
        _cap_query_memory(store, settings.cypher_memory_mb)
        return store
    from casusgraaf.graph.neo4j import Neo4jStore

    return Neo4jStore(own)


def _cap_query_memory(store: GraphStore, mb: int) -> None:
    """FalkorDB stops a query that allocates more than QUERY_MEM_CAPACITY (0 = unlimited, the default): without
    it ``UNWIND range(1, 1000000000)`` takes the machine's memory before the time limit is even checked. The
    setting is server-wide; every casusgraaf query stays far below it."""
    from casusgraaf.graph.falkor import FalkorStore

    falkor = cast(FalkorStore, store)
    want = mb * 1024 * 1024
    _name, current = falkor._command("GRAPH.CONFIG", "GET", "QUERY_MEM_CAPACITY")
    if int(current) != want:
        falkor._command("GRAPH.CONFIG", "SET", "QUERY_MEM_CAPACITY", str(want))


def _props_map(var: str, props: Iterable[str]) -> str:
    names = list(props)
    return f"{var} {{{', '.join('.' + p for p in names)}}}" if names else "{}"


class Projection:
    """The projection of the graph behind ``store`` (the full graph). Use as a context manager."""

    def __init__(self, store: GraphStore, settings: Settings) -> None:
        self.full = store
        self.settings = settings
        self._store: GraphStore | None = None
        self._key: bytes | None = None

    # -- plumbing --

    @property
    def store(self) -> GraphStore:
        if self._store is None:
            self._store = open_projection(self.settings)
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None

    def __enter__(self) -> Projection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _locked(self) -> Iterator[None]:
        with exclusive_lock(private_dir(self.settings.graph_dir) / "projectie.lock"):
            yield

    def _hmac(self, owner: str, prop: str, value: Any) -> str:
        if self._key is None:
            self._key = install_key(self.settings)
        return keyed_hash(self._key, f"projectie:{owner}.{prop}", str(value))[:32]

    def _pkey(self, spec: NodeSpec, value: Any) -> Any:
        """The projection's value of a key (an ``analyse: hmac`` key becomes its keyed hash)."""
        if spec.props[spec.key] != "hmac" or value is None:
            return value
        return self._hmac(spec.label, spec.key, value)

    def _clean(self, owner: str, modes: Mapping[str, Any], props: Mapping[str, Any]) -> dict[str, Any]:
        """The copied properties: no nulls, ``hmac`` ones hashed."""
        return {k: self._hmac(owner, k, v) if modes.get(k) == "hmac" else v
                for k, v in props.items() if v is not None}

    def _guard(self, action: Any) -> Any:
        try:
            return action()
        except GraphUnavailable as exc:
            if self.settings.embedded:
                raise
            raise ProjectionUnavailable(
                f"De tekstvrije projectie voor analisten-Cypher staat in de Neo4j-database "
                f"'{projection_name(self.settings)}' en die is er niet of niet bereikbaar ({exc}). Maak hem één "
                f"keer aan (Enterprise: CREATE DATABASE `{projection_name(self.settings)}`) en draai "
                "`casusgraaf reindex`; Neo4j Community heeft maar één database, dan is analisten-Cypher niet "
                "beschikbaar (zie docs/SECURITY.md).") from None

    # -- state --

    def source_state(self) -> dict[str, int]:
        """Generation and node/relationship counts of the full graph."""
        gen = int(self.full.read(load_query("state_get"))[0]["generation"])
        nodes = int(self.full.read(load_query("projection_count_nodes"))[0]["n"])
        rels = int(self.full.read(load_query("projection_count_relationships"))[0]["n"])
        return {"generation": gen, "knopen": nodes, "relaties": rels}

    def recorded_state(self) -> dict[str, int] | None:
        rows = self._guard(lambda: self.store.read(load_query("projection_state_get")))
        if not rows or rows[0].get("generation") is None:
            return None
        return {k: int(rows[0][k]) for k in ("generation", "knopen", "relaties")}

    def current(self) -> bool:
        return self.recorded_state() == self.source_state()

    def ensure_current(self) -> bool:
        """Rebuild when the projection is missing or behind the full graph; True when it rebuilt."""
        if self.current():
            return False
        with self._locked():
            if self.current():  # another process rebuilt it while we waited
                return False
            self._rebuild_unlocked()
            return True

    # -- rebuild --

    def rebuild(self) -> dict[str, int]:
        """Copy the allowed part of the whole graph; returns the counts copied."""
        with self._locked():
            return self._rebuild_unlocked()

    def _rebuild_unlocked(self) -> dict[str, int]:
        state = self.source_state()
        if self.settings.embedded:
            aside = projection_name(self.settings) + "_bouw"
            target = open_projection(self.settings, aside)
            try:
                target.clear()
                stats = self._copy_all(target, state)
                from casusgraaf.graph.falkor import FalkorStore

                cast(FalkorStore, target)._command("RENAME", aside, projection_name(self.settings))
            finally:
                target.close()
            self.close()  # the next use reads the swapped-in graph with a fresh schema cache
        else:
            def build() -> dict[str, int]:
                self.store.clear()
                return self._copy_all(self.store, state)

            stats = self._guard(build)
        return stats

    def _copy_all(self, target: GraphStore, state: Mapping[str, int]) -> dict[str, int]:
        target.ensure_schema()
        nodes, rels = specs()
        stats = {"knopen": 0, "relaties": 0}
        for spec in nodes:
            stats["knopen"] += self._copy_nodes(target, spec, None)
        for rel in rels:
            stats["relaties"] += self._copy_rels(target, rel, None, None)
        target.run(load_query("projection_state_set"), dict(state))
        return stats

    def _copy_nodes(self, target: GraphStore, spec: NodeSpec, keys: list[Any] | None) -> int:
        where = f" WHERE n.{spec.key} IN $keys" if keys is not None else ""
        query = f"MATCH (n:{spec.label}){where} RETURN {_props_map('n', spec.props)} AS p"
        write = (f"UNWIND $rows AS row MERGE (n:{spec.label} {{{spec.key}: row.k}}) SET n = row.p")
        done = 0
        for chunk in _chunks(keys):
            rows = self.full.read(query, {"keys": chunk} if chunk is not None else None)
            out = [{"k": self._pkey(spec, r["p"][spec.key]), "p": self._clean(spec.label, spec.props, r["p"])}
                   for r in rows]
            done += target.write(write, out, batch_size=BATCH)
        return done

    def _copy_rels(self, target: GraphStore, rel: RelSpec, start_keys: list[Any] | None,
                   end_keys: list[Any] | None) -> int:
        nodes = {n.label: n for n in specs()[0]}
        a, b = nodes[rel.start], nodes[rel.end]
        where = ""
        params: dict[str, Any] = {}
        if start_keys is not None or end_keys is not None:
            where = f" WHERE a.{a.key} IN $a OR b.{b.key} IN $b"
            params = {"a": start_keys or [], "b": end_keys or []}
        query = (f"MATCH (a:{rel.start})-[r:{rel.type}]->(b:{rel.end}){where} "
                 f"RETURN a.{a.key} AS a, b.{b.key} AS b, {_props_map('r', rel.props)} AS p")
        rows = self.full.read(query, params)
        if start_keys is not None or end_keys is not None:  # endpoints outside the synced set: upsert them
            self._copy_nodes(target, a, sorted({r["a"] for r in rows} - set(start_keys or [])))
            self._copy_nodes(target, b, sorted({r["b"] for r in rows} - set(end_keys or [])))
        write = (f"UNWIND $rows AS row MATCH (a:{rel.start} {{{a.key}: row.a}}) "
                 f"MATCH (b:{rel.end} {{{b.key}: row.b}}) CREATE (a)-[r:{rel.type}]->(b) SET r = row.p")
        out = [{"a": self._pkey(a, r["a"]), "b": self._pkey(b, r["b"]),
                "p": self._clean(rel.type, rel.props, r["p"])} for r in rows]
        return target.write(write, out, batch_size=BATCH)

    # -- incremental --

    def sync(self, case_ids: Iterable[str]) -> str:
        """Bring the projection in step after a write that touched ``case_ids`` (new, changed or removed
        cases). Incremental when the projection was current just before that write (its generation is one
        behind); otherwise, or when the counts do not match afterwards, a rebuild. Returns what it did."""
        ids = sorted(set(case_ids))
        with self._locked():
            state = self.source_state()
            recorded = self._guard(self.recorded_state)
            if recorded is None or recorded["generation"] != state["generation"] - 1 or not ids:
                if recorded == state:
                    return "actueel"
                self._rebuild_unlocked()
                return "herbouwd"
            self._sync_cases(ids)
            if not self._counts_match():
                self._rebuild_unlocked()
                return "herbouwd"
            self.store.run(load_query("projection_state_set"), state)
            return "bijgewerkt"

    def _sync_cases(self, ids: list[str]) -> None:
        nodes = {n.label: n for n in specs()[0]}
        have: dict[str, list[Any]] = {}
        for row in self.full.read(load_query("projection_owned"), {"ids": ids}):
            have.setdefault(row["label"], []).append(row["id"])
        proj = self.store
        # 1. what the cases were in the projection: gone (the same rule as graph/queries/delete_case.cypher)
        proj.write(load_query("projection_delete_cases"), [{"id": i} for i in ids])
        # 2. the leerpunten they have now (shared ones too) and their follow-up entries: copied afresh
        lp_keys = [self._pkey(nodes["Leerpunt"], k) for k in have.get("Leerpunt", [])]
        if lp_keys:
            proj.write(load_query("projection_delete_leerpunten"), [{"id": k} for k in lp_keys])
        for label, keys in have.items():
            if keys:
                self._copy_nodes(proj, nodes[label], keys)
        # 3. every relationship touching them, with its other end
        for rel in specs()[1]:
            a, b = have.get(rel.start), have.get(rel.end)
            if a or b:
                self._copy_rels(proj, rel, a or [], b or [])

    def _counts_match(self) -> bool:
        nodes, rels = specs()
        for spec in nodes:
            q = f"MATCH (n:{spec.label}) RETURN count(n) AS n"
            if self.full.read(q) != self.store.read(q):
                return False
        for rel in rels:
            q = f"MATCH (:{rel.start})-[r:{rel.type}]->(:{rel.end}) RETURN count(r) AS n"
            if self.full.read(q) != self.store.read(q):
                return False
        return True

    def counts(self, store: GraphStore | None = None) -> dict[str, int]:
        """{label or type: count} of the allowed part, in ``store`` (default: the projection)."""
        store = store or self.store
        nodes, rels = specs()
        out = {s.label: int(store.read(f"MATCH (n:{s.label}) RETURN count(n) AS n")[0]["n"]) for s in nodes}
        out.update({r.type: int(store.read(f"MATCH (:{r.start})-[x:{r.type}]->(:{r.end}) RETURN count(x) AS n")[0]["n"])
                    for r in rels})
        return out


def _chunks(keys: list[Any] | None) -> Iterator[list[Any] | None]:
    if keys is None:
        yield None
        return
    for i in range(0, len(keys), BATCH):
        yield keys[i:i + BATCH]


__all__ = ["Projection", "ProjectionUnavailable", "open_projection", "projection_name", "specs", "unclassified"]
