"""Keyword search with facets: every query word must occur (as a word or part of a compound),
ranked by the char n-gram signal, with highlighted snippets and facet counts per jaar, leefgebied,
wet, organisatie and knelpunt category."""

from __future__ import annotations

import re
from collections import Counter

from markupsafe import Markup, escape

from casusgraaf.models import vocabulary
from casusgraaf.search.similar import Filters, SearchEngine, display

FACETS = vocabulary.facets()  # {fact key: kind}, from models/schema.yaml
_WORD = re.compile(r"[\w\-]{2,}", re.UNICODE)


def terms(q: str) -> list[str]:
    return [t.lower() for t in _WORD.findall(q)]


def snippet(text: str, words: list[str], width: int = 90) -> str:
    """An HTML-safe snippet around the first hit, with every hit wrapped in <mark>."""
    low = text.lower()
    first = min((low.find(w) for w in words if low.find(w) >= 0), default=0)
    start, end = max(0, first - width), min(len(text), first + width)
    piece = text[start:end]
    pattern = re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)), re.IGNORECASE)
    out, pos = [], 0
    for m in pattern.finditer(piece):
        out.append(escape(piece[pos:m.start()]))
        out.append(Markup("<mark>{}</mark>").format(m.group(0)))
        pos = m.end()
    out.append(escape(piece[pos:]))
    return ("…" if start else "") + str(Markup("").join(out)) + ("…" if end < len(text) else "")


def keyword_search(engine: SearchEngine, q: str, filters: Filters | None = None, limit: int = 20,
                   offset: int = 0) -> dict:
    st = engine.snapshot()  # one consistent state for the whole query, even while a reload swaps it
    words = terms(q)
    allowed = engine.allowed_mask(filters or Filters(), st)
    hits = []
    for i, cid in enumerate(st.ids):
        if allowed is not None and not allowed[i]:
            continue
        text = (st.cases[cid].get("tekst") or "") + " " + (st.cases[cid].get("titel") or "")
        low = text.lower()
        if all(w in low for w in words):
            hits.append(cid)
    if words and hits:
        scores = engine.lexical_text_scores(q, st)
        hits.sort(key=lambda c: -scores[st.pos[c]])
    facets: dict[str, Counter] = {"jaar": Counter()}
    for name in FACETS.values():
        facets[name] = Counter()
    for cid in hits:
        if st.cases[cid].get("jaar"):
            facets["jaar"][str(st.cases[cid]["jaar"])] += 1
        for rel, key in st.structure.facts.get(cid, {}):
            if rel in FACETS:
                facets[FACETS[rel]][display((rel, key)) if rel == "KNELPUNT" else key] += 1
    return {
        "q": q,
        "total": len(hits),
        "hits": [{"case_id": c, "titel": st.cases[c].get("titel"), "jaar": st.cases[c].get("jaar"),
                  "snippet": snippet(_snippet_source(st.cases[c], words), words) if words else ""}
                 for c in hits[offset: offset + limit]],
        "facets": {name: (dict(sorted(counter.items())) if name == "jaar" else dict(counter.most_common(25)))
                   for name, counter in facets.items()},
    }


def _snippet_source(case: dict, words: list[str]) -> str:
    """The text when a query word occurs in it, else the titel (a hit may match only the titel)."""
    tekst = case.get("tekst") or ""
    return tekst if any(w in tekst.lower() for w in words) else (case.get("titel") or tekst)
