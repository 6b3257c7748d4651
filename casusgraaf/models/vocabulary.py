"""The fact vocabulary (``schema.yaml``, section ``facts``): one definition of each kind of case fact,
read by ingest (which named query writes it), search (structural weight, filters, facets) and pages."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

SCHEMA_PATH = Path(__file__).resolve().parent / "schema.yaml"


@dataclass(frozen=True)
class FactKind:
    kind: str  # "wet", "organisatie", ...: the Dutch word users and filters use
    fact: str  # the key of the structural signal: the relationship type, or KNELPUNT
    relationship: str  # graph relationship type from Casus
    label: str  # node label of the entity
    nl: str  # label on pages and in explanations
    weight: float | None  # weight in the structural signal; None: not a structural fact
    facet: bool  # a keyword-search facet and filter
    css: str  # class of the highlight on case pages
    query: str  # named query that writes this kind's links


@cache
def schema() -> dict:
    """The whole ontology (``models/schema.yaml``) as a dict."""
    with open(SCHEMA_PATH, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@cache
def fact_kinds() -> dict[str, FactKind]:
    """{kind: FactKind}, in the order of ``schema.yaml``."""
    return {kind: FactKind(kind=kind, **spec) for kind, spec in schema()["facts"].items()}


@cache
def by_fact() -> dict[str, FactKind]:
    """{fact key (RAAKT_WET, KNELPUNT, ...): FactKind}."""
    return {fk.fact: fk for fk in fact_kinds().values()}


@cache
def by_relationship() -> dict[str, FactKind]:
    """{relationship type (RAAKT_WET, HEEFT_KNELPUNT, ...): FactKind}."""
    return {fk.relationship: fk for fk in fact_kinds().values()}


def structural_weights() -> dict[str, float]:
    """{fact key: weight} of the facts the structural signal uses."""
    return {fk.fact: fk.weight for fk in fact_kinds().values() if fk.weight is not None}


def facets() -> dict[str, str]:
    """{fact key: kind} of the keyword-search facets."""
    return {fk.fact: fk.kind for fk in fact_kinds().values() if fk.facet}


__all__ = ["FactKind", "by_fact", "by_relationship", "fact_kinds", "facets", "schema", "structural_weights"]
