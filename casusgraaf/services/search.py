"""Search use cases: every free text passes the privacy gate first, then the engine or the NLP."""

from __future__ import annotations

import logging
from typing import Any

from casusgraaf.accounts import User
from casusgraaf.config import Settings
from casusgraaf.embedding import ModelMissingError, get_embedder
from casusgraaf.errors import BadInput, Refused
from casusgraaf.graph import GraphStore
from casusgraaf.privacy import get_gate
from casusgraaf.search.keyword import keyword_search
from casusgraaf.search.similar import Filters, Query, SearchEngine
from casusgraaf.services.views import require_text

log = logging.getLogger(__name__)


class SearchRefused(Refused):
    """The privacy gate refused the query text; the message names what was found, never the values."""


def gate_text(text: str, settings: Settings) -> str:
    """Run free text through the privacy gate: refuse hard identifiers, return the (possibly redacted) text."""
    result = get_gate(redact=settings.privacy_hard == "redact").check(text)
    if result.action == "quarantine":
        raise SearchRefused("de tekst bevat persoonsgegevens (" + result.summary() + "); haal ze weg en "
                            "probeer opnieuw. De tekst is niet opgeslagen of gelogd.")
    return result.text


def run_similar(store: GraphStore, settings: Settings, query: Query, engine: SearchEngine | None = None,
                viewer: User | None = None) -> dict:
    """Similar cases for case ids or a (gated) text, with explanations (sentences: text roles only)."""
    require_text(viewer, "zoeken naar vergelijkbare casussen")
    if query.text is not None:
        query.text = gate_text(query.text, settings)
    engine = engine or SearchEngine(store, settings)
    results = engine.similar(query)
    return {
        "query": {"case_ids": query.case_ids, "text": bool(query.text), "k": query.k,
                  "filters": query.filters.model_dump(exclude_defaults=True)},
        "results": results,
    }


def run_keyword(engine: SearchEngine, settings: Settings, q: str, filters: Filters | None = None,
                limit: int = 20, offset: int = 0, viewer: User | None = None) -> dict:
    """Keyword search; the words pass the privacy gate like any other free text. Text roles only: snippets
    are text, and even bare counts per word would let one probe the texts word by word."""
    require_text(viewer, "zoeken op trefwoorden")
    if len(q.strip()) < 2:
        raise BadInput("geef minstens één trefwoord van twee tekens")
    return keyword_search(engine, gate_text(q, settings), filters, limit=limit, offset=offset)


def run_extract(settings: Settings, text: str, jaar: int | None = None) -> dict[str, Any]:
    """Entities in a (gated) text. When the gate redacted the text, offsets refer to ``tekst`` in the result.

    The knelpunt classifier uses the e5 model as at ingest; when the model is missing the rules decide alone,
    with a warning in the log and ``embeddings: false`` in the result (the next call tries the model again)."""
    from casusgraaf.nlp import extract

    if not text.strip():
        raise BadInput("lege tekst")
    used = gate_text(text, settings)
    try:
        embedder = get_embedder(settings)
    except ModelMissingError as exc:
        log.warning("extract: embeddingmodel niet beschikbaar, alleen regels: %s", exc)
        embedder = None
    ents = extract(used, jaar=jaar, embedder=embedder)
    out: dict[str, Any] = {"entities": [e.to_dict() for e in ents], "redacted": used != text,
                           "embeddings": embedder is not None}
    if used != text:
        out["tekst"] = used
    return out


__all__ = ["Filters", "Query", "SearchEngine", "SearchRefused", "gate_text", "run_extract", "run_keyword",
           "run_similar"]
