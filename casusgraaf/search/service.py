"""The similar-case use case shared by CLI and API: privacy gate first, then the engine."""

from __future__ import annotations

from casusgraaf.config import Settings
from casusgraaf.graph import GraphStore
from casusgraaf.search.similar import Query, SearchEngine


class SearchRefused(Exception):
    """The privacy gate refused the query text; the message names what was found, never the values."""


def gate_text(text: str) -> str:
    """Run free text through the privacy gate: refuse hard identifiers, keep redactions."""
    from casusgraaf.ingest.privacy import get_gate

    result = get_gate().check(text)
    if result.action == "quarantine":
        raise SearchRefused("de tekst bevat persoonsgegevens (" + result.summary() + "); haal ze weg en "
                            "probeer opnieuw. De tekst is niet opgeslagen of gelogd.")
    return result.text


def run_similar(store: GraphStore, query: Query, settings: Settings, engine: SearchEngine | None = None) -> dict:
    if query.text is not None:
        query.text = gate_text(query.text)
    engine = engine or SearchEngine(store, settings)
    results = engine.similar(query)
    return {
        "query": {"case_ids": query.case_ids, "text": bool(query.text), "k": query.k,
                  "filters": query.filters.model_dump(exclude_defaults=True)},
        "results": results,
    }
