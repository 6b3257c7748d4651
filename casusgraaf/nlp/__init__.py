"""Dutch entity extraction with provenance: wetten, regelingen, organisaties, leefgebieden, knelpunten, leerpunten.

    from casusgraaf.nlp import extract
    for ent in extract(text, jaar=2024):
        print(ent.type, ent.canonical, text[ent.start:ent.end])

Design choices (see docs/QUALITY.md, "extraction"):
* A benefit ("bijzondere bijstand") is one ``regeling`` entity with ``attrs["implies"]`` = its law. The implied
  law is *not* emitted as a separate ``wet`` entity (it has no text of its own); ``implied_wetten()`` recovers it.
* Negated organisations and leefgebied problem words are kept with ``negated=True``; laws and benefits are not
  negated (a refused benefit is usually the knelpunt).
* ``gemeente Eikendam`` (an unknown name) -> canonical ``gemeente`` with the surface kept; never resolved to a
  real gemeente.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from casusgraaf.models.taxonomy import leefgebied_in_lijst, taxonomy_for_year
from casusgraaf.nlp.articles import article_for
from casusgraaf.nlp.knelpunt import KnelpuntClassifier
from casusgraaf.nlp.leerpunt import OWNER_ORDER, is_leerpunt, strip_prefix
from casusgraaf.nlp.negation import is_negated
from casusgraaf.nlp.pipeline import get_pipeline

log = logging.getLogger(__name__)

ENTITY_TYPES = ("wet", "regeling", "organisatie", "leefgebied", "knelpunt", "leerpunt")


@dataclass
class Entity:
    type: str  # "wet" | "regeling" | "organisatie" | "leefgebied" | "knelpunt" | "leerpunt"
    canonical: str
    surface: str
    start: int
    end: int
    method: str  # "gazetteer" | "rule" | "model"
    confidence: float
    artikel: str | None = None
    bwb_id: str | None = None
    negated: bool = False
    attrs: dict = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"type": self.type, "canonical": self.canonical, "surface": self.surface,
                             "start": self.start, "end": self.end, "method": self.method,
                             "confidence": round(self.confidence, 3)}
        if self.artikel:
            d["artikel"] = self.artikel
        if self.bwb_id:
            d["bwb_id"] = self.bwb_id
        d["negated"] = self.negated
        d["attrs"] = dict(self.attrs)
        return d


@lru_cache(maxsize=8)
def _classifier(taxonomie: str) -> KnelpuntClassifier:
    return KnelpuntClassifier(get_pipeline(), taxonomie)


def _gaz_entities(doc, text: str) -> list[Entity]:
    out: list[Entity] = []
    for m in doc.user_data.get("casusgraaf_matches", []):
        span = doc[m.start:m.end]
        start, end = span.start_char, span.end_char
        surface = text[start:end]
        if m.kind == "leefgebied":
            sig = m.signaal
            neg = sig.probleem and is_negated(doc, m.start, m.end, max_free=1)
            lg_attrs = {"signaal": sig.term, "soort_signaal": "probleem" if sig.probleem else "domein"}
            ac = leefgebied_in_lijst(sig.leefgebied, "ac2023")
            if ac and ac != sig.leefgebied:
                lg_attrs["ac2023"] = ac
            conf = (0.8 if sig.probleem else 0.65) * (0.9 if m.method == "compound" else 1.0)
            out.append(Entity("leefgebied", sig.leefgebied, surface, start, end, "rule", conf, negated=neg, attrs=lg_attrs))
            continue
        e = m.entry
        method = "rule" if m.method in ("gemeente-type", "compound") else "gazetteer"
        attrs: dict[str, Any] = {"match": m.method}
        if e.type in ("wet", "regeling"):
            if e.implies:
                attrs["implies"] = e.implies
            if e.uitvoerder:
                attrs["uitvoerder"] = e.uitvoerder
            if e.soort:
                attrs["soort"] = e.soort
            artikel = article_for(text, start, end, e) if e.type == "wet" else None
            out.append(Entity(e.type, e.canonical, surface, start, end, method, m.confidence, artikel=artikel,
                              bwb_id=e.bwb_id, attrs=attrs))
        else:
            attrs["soort"] = e.soort
            if e.soort == "gemeente":
                attrs["gemeente"] = e.extra.get("gemeente")
            if m.method == "gemeente-type":
                attrs["soort"] = "gemeente"
                attrs["bekend"] = False
            elif e.canonical == "gemeente":
                attrs["soort"] = "gemeente"
            if e.ministerie:
                attrs["ministerie"] = e.ministerie
            if e.rapport_rollup:
                attrs["rapport_rollup"] = e.rapport_rollup
            neg = is_negated(doc, m.start, m.end, max_free=1)
            out.append(Entity("organisatie", e.canonical, surface, start, end, method, m.confidence, negated=neg,
                              attrs=attrs))
    return out


def _leerpunten(doc, text: str, ents: list[Entity]) -> list[Entity]:
    out = []
    orgs = [e for e in ents if e.type == "organisatie" and not e.negated]
    for sent in doc.sents:
        s_text = sent.text.strip()
        ok, conf = is_leerpunt(s_text)
        if not ok:
            continue
        start = sent.start_char + (len(sent.text) - len(sent.text.lstrip()))
        end = start + len(s_text)
        attrs: dict[str, Any] = {}
        owners = [o for o in orgs if o.start >= start and o.end <= end]
        if owners:
            owner = min(owners, key=lambda o: (OWNER_ORDER.get(o.attrs.get("soort") or "", 9), o.start))
            attrs["belegd_bij"] = owner.canonical
        out.append(Entity("leerpunt", strip_prefix(s_text), text[start:end], start, end, "rule", conf, attrs=attrs))
    return out


def extract(text: str, jaar: int | None = None, embedder: Any = None, vector: Any = None) -> list[Entity]:
    """Entities in ``text`` with offsets, method and confidence, sorted by position.

    ``jaar`` chooses the knelpunt taxonomy (<=2022 ac2023, 2023 jr2023, else jr2024). ``embedder``
    (:class:`casusgraaf.embedding.Embedder`) adds embedding similarity to the knelpunt rules; without one the
    rules decide alone. The caller chooses: there is no hidden process-wide fallback. ``vector`` is the text's
    embedding when the caller already computed it (ingest does), so the model runs once per case.
    """
    if not text or not text.strip():
        return []
    nlp = get_pipeline()
    doc = nlp(text)
    ents = _gaz_entities(doc, text)
    ents.extend(_leerpunten(doc, text, ents))
    emb = embedder
    taxonomie = taxonomy_for_year(jaar)
    features = {"artikel": float(sum(1 for e in ents if e.artikel)),
                "wet": float(len({e.canonical for e in ents if e.type == "wet"}))}
    for hit in _classifier(taxonomie).classify(doc, embedder=emb, features=features, vector=vector):
        c = hit.category
        ents.append(Entity("knelpunt", c.naam, text[hit.start:hit.end], hit.start, hit.end, hit.method, hit.confidence,
                           attrs={"taxonomie": taxonomie, "category_id": c.id, "code": c.code, "niveau": c.niveau,
                                  "scores": hit.scores}))
    type_order = {t: i for i, t in enumerate(ENTITY_TYPES)}
    return sorted(ents, key=lambda e: (e.start, type_order.get(e.type, 9), -e.end))


def implied_wetten(entities: list[Entity]) -> list[str]:
    """Laws named or implied by non-negated wet/regeling entities, in order of first mention."""
    seen: dict[str, None] = {}
    for e in entities:
        if e.negated:
            continue
        if e.type == "wet":
            seen.setdefault(e.canonical)
        elif e.type == "regeling" and e.attrs.get("implies"):
            seen.setdefault(e.attrs["implies"])
    return list(seen)


__all__ = ["ENTITY_TYPES", "Entity", "extract", "get_pipeline", "implied_wetten"]
