"""The ontology (``models/schema.yaml``) and the DDL each engine needs for it.

Only DDL differs between engines; application queries are shared Cypher (see ``graph/queries/``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from casusgraaf.models.vocabulary import SCHEMA_PATH

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class DDL:
    """One schema statement: Cypher text, or a raw engine command (FalkorDB ``GRAPH.CONSTRAINT``)."""

    kind: str  # "index" | "unique"
    label: str
    prop: str
    statement: str | tuple[str, ...]


@lru_cache(maxsize=1)
def load_schema(path: Path | None = None) -> dict[str, Any]:
    """The ontology as a dict: ``nodes`` {label: {key, properties, ...}}, ``relationships`` {type: ...}."""
    with open(path or SCHEMA_PATH, encoding="utf-8") as fh:
        schema = yaml.safe_load(fh)
    for label, node in schema["nodes"].items():
        if not _NAME.match(label) or node["key"] not in node["properties"]:
            raise ValueError(f"schema.yaml: label {label!r} needs a valid name and a key among its properties")
    for rel, spec in schema["relationships"].items():
        for end in ("from", "to"):
            if spec[end] not in schema["nodes"]:
                raise ValueError(f"schema.yaml: {rel}.{end} names unknown label {spec[end]!r}")
    return schema


def keys(schema: dict[str, Any] | None = None) -> dict[str, str]:
    """{label: key property}."""
    schema = schema or load_schema()
    return {label: node["key"] for label, node in schema["nodes"].items()}


def indexed(schema: dict[str, Any] | None = None) -> list[tuple[str, str]]:
    """(label, property) pairs with ``index: true`` (keys are indexed through their constraint)."""
    schema = schema or load_schema()
    return [(label, prop) for label, node in schema["nodes"].items()
            for prop, spec in node["properties"].items()
            if isinstance(spec, dict) and spec.get("index") and prop != node["key"]]


def neo4j_ddl(schema: dict[str, Any] | None = None) -> list[DDL]:
    out = [DDL("unique", label, key,
               f"CREATE CONSTRAINT {label.lower()}_{key}_uniek IF NOT EXISTS "
               f"FOR (n:{label}) REQUIRE n.{key} IS UNIQUE")
           for label, key in keys(schema).items()]
    out += [DDL("index", label, prop,
                f"CREATE INDEX {label.lower()}_{prop} IF NOT EXISTS FOR (n:{label}) ON (n.{prop})")
            for label, prop in indexed(schema)]
    return out


def falkordb_ddl(graph_name: str, schema: dict[str, Any] | None = None) -> list[DDL]:
    """FalkorDB: a range index per key (a unique constraint requires one), then the constraint command."""
    out: list[DDL] = []
    for label, key in keys(schema).items():
        out.append(DDL("index", label, key, f"CREATE INDEX FOR (n:{label}) ON (n.{key})"))
        out.append(DDL("unique", label, key, ("GRAPH.CONSTRAINT", "CREATE", graph_name, "UNIQUE", "NODE",
                                               label, "PROPERTIES", "1", key)))
    out += [DDL("index", label, prop, f"CREATE INDEX FOR (n:{label}) ON (n.{prop})")
            for label, prop in indexed(schema)]
    return out
