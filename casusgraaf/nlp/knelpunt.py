"""Knelpunt categorisation against the taxonomy version of the case's year (multi-label, with confidence).

Two signals: keyword rules (``signaalwoorden`` in the taxonomy YAML, matched on lemmas) and, optionally,
embedding similarity between the text and each category's name + description. The embedder is passed in
(or looked up with ``embedder="auto"``); without one, the rules decide alone.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field

import numpy as np
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from casusgraaf.models.taxonomy import Category, load_taxonomies
from casusgraaf.nlp import lemmatizer as _lem

log = logging.getLogger(__name__)

EMBED_WEIGHT = 0.5  # share of the embedding signal when both are present
SECOND_LABEL_RATIO = 0.8  # extra labels need this share of the top score and rule evidence
MIN_RULE_HITS_EXTRA = 2
MIN_TOKENS_EMBED_ONLY = 15  # below this, no category from the embedding alone


@dataclass
class KnelpuntHit:
    category: Category
    confidence: float
    method: str  # "rule" | "model"
    start: int  # char offsets of the best evidence (a sentence) or of the whole text
    end: int
    scores: dict = field(default_factory=dict)


class KnelpuntClassifier:
    def __init__(self, nlp: Language, taxonomie: str):
        self.taxonomy = load_taxonomies()[taxonomie]
        self.nlp = nlp
        self.matcher = PhraseMatcher(nlp.vocab, attr="LEMMA")
        for cat in self.taxonomy.categories:
            if cat.signaalwoorden:
                docs = [_lem.lemmatize_doc(nlp.make_doc(w)) for w in cat.signaalwoorden]
                self.matcher.add(cat.id, docs)
        self._desc_cache: dict[int, np.ndarray] = {}

    def rule_scores(self, doc: Doc) -> tuple[dict[str, float], dict[str, tuple[int, int]]]:
        per_cat: dict[str, dict[str, int]] = {}
        per_sent: dict[str, dict[tuple[int, int], float]] = {}
        for key, s, e in self.matcher(doc):
            cid = self.nlp.vocab.strings[key]
            phrase = doc[s:e].lemma_
            per_cat.setdefault(cid, {})
            per_cat[cid][phrase] = per_cat[cid].get(phrase, 0) + 1
            sent = doc[s].sent
            span = (sent.start_char, sent.end_char)
            per_sent.setdefault(cid, {})
            per_sent[cid][span] = per_sent[cid].get(span, 0) + (e - s)
        scores = {}
        for cid, phrases in per_cat.items():
            # each distinct phrase counts, repeats saturate; multiword phrases weigh more
            scores[cid] = sum((1 + 0.5 * (len(p.split()) - 1)) * (1 - math.exp(-n)) / (1 - math.exp(-1))
                              for p, n in phrases.items())
        best = {cid: max(spans.items(), key=lambda kv: kv[1])[0] for cid, spans in per_sent.items()}
        return scores, best

    def _desc_vectors(self, embedder) -> np.ndarray:
        key = id(embedder)
        if key not in self._desc_cache:
            texts = [f"{c.naam}. {c.beschrijving} {' '.join(c.subtypes)}".strip() for c in self.taxonomy.categories]
            self._desc_cache[key] = np.asarray(embedder.embed_passages(texts), dtype=np.float32)
        return self._desc_cache[key]

    def embed_scores(self, text: str, embedder, vector: np.ndarray | None = None) -> dict[str, float]:
        """``vector``: the case's own embedding when the caller already has it (ingest), saving a model run."""
        desc = self._desc_vectors(embedder)
        q = np.asarray(vector if vector is not None else embedder.embed_query(text[:2000]),
                       dtype=np.float32).reshape(-1)
        sims = desc @ q
        return {c.id: float(s) for c, s in zip(self.taxonomy.categories, sims, strict=True)}

    def classify(self, doc: Doc, embedder=None, features: dict[str, float] | None = None,
                 vector: np.ndarray | None = None) -> list[KnelpuntHit]:
        """``features``: counts of extracted entities ({"artikel": 2, "wet": 3}) for ``entiteitsignalen``."""
        rules, best_span = self.rule_scores(doc)
        for cat in self.taxonomy.categories:
            bonus = sum(w * min(3.0, (features or {}).get(k, 0.0)) for k, w in cat.entiteitsignalen)
            if bonus:
                rules[cat.id] = rules.get(cat.id, 0.0) + bonus
        emb: dict[str, float] = {}
        if embedder is not None:
            try:
                emb = self.embed_scores(doc.text, embedder, vector)
            except Exception as exc:  # an embedder failing must not break extraction
                log.warning("knelpunt: embedding signal unavailable (%s); rules only", type(exc).__name__)
        cats = self.taxonomy.categories
        rmax = max(rules.values(), default=0.0)
        combined: dict[str, float] = {}
        if emb and not rmax and len(doc) < MIN_TOKENS_EMBED_ONLY:
            emb = {}  # a short text without any rule evidence: the embedding alone is noise
        if emb:
            vals = np.array([emb[c.id] for c in cats])
            z = np.exp((vals - vals.max()) / 0.02)
            soft = z / z.sum()
            for c, p in zip(cats, soft, strict=True):
                r = rules.get(c.id, 0.0) / rmax if rmax else 0.0
                w = EMBED_WEIGHT if rmax else 1.0
                combined[c.id] = (1 - w) * r + w * float(p) / float(soft.max())
        elif rmax:
            combined = {cid: s / rmax for cid, s in rules.items()}
        if not combined:
            return []
        ranked = sorted(combined.items(), key=lambda kv: -kv[1])
        top_id, top = ranked[0]
        out = []
        total = sum(v for _, v in ranked) or 1.0
        for rank, (cid, val) in enumerate(ranked):
            if rank > 0 and (val < SECOND_LABEL_RATIO * top or rules.get(cid, 0.0) < MIN_RULE_HITS_EXTRA):
                continue
            if rank >= 3:
                break
            cat = next(c for c in cats if c.id == cid)
            start, end = best_span.get(cid, (0, len(doc.text)))
            conf = round(min(0.95, 0.35 + 0.6 * val / total if len(ranked) > 1 else 0.6), 3)
            method = "rule" if rules.get(cid) and (not emb or rules[cid] / (rmax or 1) >= 0.5) else "model"
            out.append(KnelpuntHit(cat, conf, method, start, end,
                                   {"regels": round(rules.get(cid, 0.0), 3), "embedding": round(emb.get(cid, 0.0), 4)}))
        return out
