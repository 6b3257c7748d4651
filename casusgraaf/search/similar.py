"""Vergelijkbare casussen: dense (e5 in FAISS) + lexical (char n-grams) + shared graph structure, fused.

Each result says why it matched: each signal's score and contribution, the shared entities with where
they occur in both texts, the best-matching sentence pair, and what came of the earlier case (uitkomst,
leerpunten). Earlier solutions are inspiration, not precedent.
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass, field

import numpy as np
from pydantic import BaseModel, Field

from casusgraaf.config import Settings, get_settings
from casusgraaf.graph import GraphStore, load_query
from casusgraaf.search.fusion import fuse
from casusgraaf.search.indexes import Indexes
from casusgraaf.search.structure import KIND_LABELS, StructureIndex

log = logging.getLogger(__name__)

SIGNALS = ("dense", "lexical", "structural")
DENSE_DEPTH = 200  # FAISS hits per query (more on large corpora: n // 50)
BROAD_FILTER = 0.2  # a filter keeping at least this share of cases is applied after the FAISS search
LEXICAL_FULL_MAX = 20_000  # up to this many cases the lexical signal scores every case
LEXICAL_CANDIDATES = 2_000  # above it: this many dense and this many structural candidates
_SENT = re.compile(r"(?<=[.!?])\s+|\n+")


class SearchError(Exception):
    """A query the user can fix (unknown case id, empty text, refused by the privacy gate)."""


class Filters(BaseModel):
    """Applied before ranking. List fields: a case must have every value given."""

    jaar_van: int | None = None
    jaar_tot: int | None = None
    indiener_type: str | None = None
    organisatie: list[str] = Field(default_factory=list)
    wet: list[str] = Field(default_factory=list)
    leefgebied: list[str] = Field(default_factory=list)
    knelpunt: list[str] = Field(default_factory=list, description="category name or id, e.g. jr2024:samenwerking")
    uitkomst: str | None = None

    def active(self) -> bool:
        return any([self.jaar_van, self.jaar_tot, self.indiener_type, self.organisatie, self.wet,
                    self.leefgebied, self.knelpunt, self.uitkomst])


@dataclass
class Query:
    case_ids: list[str] = field(default_factory=list)
    text: str | None = None
    k: int = 10
    filters: Filters = field(default_factory=Filters)
    signals: tuple[str, ...] = SIGNALS  # evaluation runs single signals too
    explain: bool = True


class SearchEngine:
    """In-memory view over the derived indexes; reloads when the graph's generation changes."""

    def __init__(self, store: GraphStore, settings: Settings | None = None) -> None:
        self.store = store
        self.settings = settings or get_settings()
        self.indexes = Indexes(self.settings)
        self._lock = threading.RLock()
        self.generation = None
        self._text_probes: dict[str, dict] = {}  # query text → vector and facts (in memory only)
        self._load()

    # -- loading ---------------------------------------------------------------------------------
    def _graph_generation(self) -> int:
        return int(self.store.run(load_query("state_get"))[0]["generation"])

    def refresh(self) -> None:
        if self._graph_generation() != self.generation:
            self._load()

    def _load(self) -> None:
        from casusgraaf.models import taxonomy

        with self._lock:
            gen = self._graph_generation()
            if self.indexes.generation() != gen:
                self.indexes.rebuild(self.store)
            self.dense = self.indexes.load_dense()
            self.lexical = self.indexes.load_lexical()
            cases = self.store.run(load_query("search_load_cases"))
            self.cases = {c["id"]: c for c in cases}
            self.ids = [c["id"] for c in cases]
            self.pos = {cid: i for i, cid in enumerate(self.ids)}
            self.lex_pos = np.array([self.pos.get(cid, -1) for cid in (self.lexical.ids if self.lexical else [])],
                                    dtype=np.int64)
            self.engine_to_lex = np.full(len(self.ids), -1, dtype=np.int64)
            valid = self.lex_pos >= 0
            self.engine_to_lex[self.lex_pos[valid]] = np.flatnonzero(valid)
            self.jaar = np.array([c.get("jaar") or 0 for c in cases], dtype=np.int32)
            self.indiener_type = np.array([c.get("indiener_type") or "" for c in cases], dtype=object)
            self.uitkomst = np.array([c.get("uitkomst") or "" for c in cases], dtype=object)
            rows = self.store.run(load_query("search_load_facets"))
            self.structure = StructureIndex.build(self.ids, rows, taxonomy.crosswalk())
            self.generation = gen

    # -- filters ---------------------------------------------------------------------------------
    def allowed_mask(self, f: Filters) -> np.ndarray | None:
        """Boolean mask over ``self.ids`` of the cases the filters keep (None: no filter)."""
        if not f.active():
            return None
        keep = np.ones(len(self.ids), dtype=bool)
        if f.jaar_van or f.jaar_tot:
            keep &= (self.jaar >= (f.jaar_van or 1)) & (self.jaar <= (f.jaar_tot or 9999))
        if f.indiener_type:
            keep &= self.indiener_type == f.indiener_type
        if f.uitkomst:
            keep &= self.uitkomst == f.uitkomst
        for rel, values in (("RAAKT_WET", f.wet), ("BETROKKEN", f.organisatie),
                            ("BETREFT_LEEFGEBIED", f.leefgebied), ("KNELPUNT", f.knelpunt)):
            for value in values:
                keep &= self._cases_with(rel, value)
        return keep

    def allowed(self, f: Filters) -> set[str] | None:
        mask = self.allowed_mask(f)
        return None if mask is None else {self.ids[i] for i in np.flatnonzero(mask)}

    def _cases_with(self, rel: str, value: str) -> np.ndarray:
        """Mask of cases having a fact of kind ``rel`` matching ``value`` (aliases resolved)."""
        from casusgraaf.ingest.resolve import get_resolver

        resolver = get_resolver()
        want = value.strip().lower()
        wanted = {want}
        if rel == "RAAKT_WET":
            wanted.add(resolver.wet(value)["naam"].lower())
        elif rel == "BETROKKEN":
            wanted.add(resolver.organisatie(value)["naam"].lower())
        elif rel == "BETREFT_LEEFGEBIED":
            wanted.add(resolver.leefgebied(value).lower())
        out = np.zeros(len(self.ids), dtype=bool)
        for (frel, key), (positions, _w) in self.structure.postings.items():  # distinct facts, not cases
            if frel != rel:
                continue
            k = key.lower()
            if k in wanted or (rel == "KNELPUNT" and (k.endswith(":" + want) or
                                                      want in k.split(":", 1)[-1].replace("-", " "))):
                out[positions] = True
        return out

    # -- the query ---------------------------------------------------------------------------------
    def similar(self, q: Query) -> list[dict]:
        with self._lock:
            self.refresh()
            if not self.ids:
                return []
            missing = [c for c in q.case_ids if c not in self.pos]
            if missing:
                raise SearchError(f"onbekende casus: {', '.join(missing)}; controleer het id "
                                  "(`casusgraaf cypher \"MATCH (c:Casus) RETURN c.id\"`)")
            if not q.case_ids and not (q.text and q.text.strip()):
                raise SearchError("geef een casus-id (--case) of een tekst (--text/--file)")
            allowed = self.allowed_mask(q.filters)
            mask = np.ones(len(self.ids), dtype=bool) if allowed is None else allowed.copy()
            for cid in q.case_ids:
                mask[self.pos[cid]] = False
            probe = self._probe(q)
            raw: dict[str, np.ndarray] = {}
            for name in ("dense", "structural", "lexical"):  # lexical last: it may use the others' candidates
                if name in q.signals:
                    raw[name] = self._signal(name, probe, allowed, raw)
            fused, contributions = fuse(raw, mask, self.settings)
            fused = np.where(mask, fused, -np.inf)
            k = min(q.k, int(mask.sum()))
            top = np.argpartition(-fused, k - 1)[:k] if k else np.array([], dtype=np.int64)
            order = top[np.argsort(-fused[top], kind="stable")]
            results = []
            for i in order:
                cid = self.ids[i]
                results.append({
                    "case_id": cid,
                    "score": round(float(fused[i]), 4),
                    "signals": {name: round(float(raw[name][i]), 4) for name in raw},
                    "bijdrage": {name: round(float(contributions[name][i]), 4) for name in contributions},
                    "titel": self.cases[cid].get("titel"),
                    "jaar": self.cases[cid].get("jaar"),
                    "uitkomst": self.cases[cid].get("uitkomst"),
                })
            if q.explain and results:
                self._explain(probe, results)
            return results

    def _probe(self, q: Query) -> dict:
        """What the query looks like to each signal: a vector, a text, a set of facts."""
        probe: dict = {"case_ids": q.case_ids, "text": None, "facts": {}, "entities": []}
        if q.case_ids:
            vecs = [self.dense.vector(c) for c in q.case_ids if self.dense is not None and c in self.dense]
            if len(vecs) < len(q.case_ids):  # not in the index (yet): read the vectors from the graph
                rows = self.store.run(load_query("search_load_embeddings"), {"ids": q.case_ids})
                vecs = [np.asarray(r["embedding"], dtype=np.float32) for r in rows if r.get("embedding")]
            probe["vector"] = _normalise(np.mean(vecs, axis=0)) if vecs else None
            probe["text"] = "\n".join(self.cases[c].get("tekst") or "" for c in q.case_ids)
            for cid in q.case_ids:
                for fact, w in self.structure.facts.get(cid, {}).items():
                    probe["facts"][fact] = max(w, probe["facts"].get(fact, 0.0))
        else:
            cached = self._text_probes.get(q.text)
            if cached is None:
                from casusgraaf.search.embed import get_embedder

                vector = get_embedder(self.settings).embed_query(q.text)
                facts, entities = text_facts(q.text, q.filters.jaar_tot, vector)
                cached = {"vector": vector, "facts": facts, "entities": entities}
                if len(self._text_probes) > 256:
                    self._text_probes.clear()
                self._text_probes[q.text] = cached
            probe.update(cached, text=q.text)
        return probe

    def _signal(self, name: str, probe: dict, allowed: np.ndarray | None, done: dict) -> np.ndarray:
        out = np.zeros(len(self.ids), dtype=np.float32)
        if name == "dense":
            if self.dense is None or probe.get("vector") is None:
                return out
            for cid, score in self._dense_hits(probe["vector"], allowed):
                if cid in self.pos:
                    out[self.pos[cid]] = max(0.0, float(score))
            return out
        if name == "lexical":
            if self.lexical is None or not len(self.lexical):
                return out
            rows = None
            if len(self.ids) > LEXICAL_FULL_MAX:
                rows = self._lexical_candidates(done, allowed)
            if probe["case_ids"]:
                from sklearn.preprocessing import normalize

                vecs = [r for r in (self.lexical.row(c) for c in probe["case_ids"]) if r is not None]
                return self._lexical_scores(normalize(sum(vecs[1:], vecs[0])) if vecs else None, rows)
            return self._lexical_scores(self.lexical.vector(probe["text"] or ""), rows)
        if name == "structural":
            return self.structure.scores(probe["facts"])
        raise ValueError(f"unknown signal {name}")

    def _dense_hits(self, vector: np.ndarray, allowed: np.ndarray | None) -> list[tuple[str, float]]:
        """FAISS top hits; a narrow filter goes into FAISS (ID selector), a broad one is applied after a
        deeper search (turning 100k allowed ids into a selector costs more than searching deeper)."""
        n = len(self.ids)
        k = min(n, max(DENSE_DEPTH, n // 50))
        if allowed is None:
            return self.dense.search(vector, k)
        frac = float(allowed.mean()) if n else 0.0
        if frac >= BROAD_FILTER:
            return self.dense.search(vector, min(n, int(k / frac) + k))
        return self.dense.search(vector, k, allowed={self.ids[i] for i in np.flatnonzero(allowed)})

    def _lexical_candidates(self, done: dict, allowed: np.ndarray | None) -> np.ndarray:
        """Above LEXICAL_FULL_MAX cases the char n-gram cosine is computed only for the strongest dense
        and structural candidates: scoring every case costs O(corpus) sparse work per query."""
        picks = []
        for name in ("dense", "structural"):
            scores = done.get(name)
            if scores is not None and len(scores):
                masked = scores if allowed is None else np.where(allowed, scores, -1.0)
                depth = min(LEXICAL_CANDIDATES, len(masked))
                picks.append(np.argpartition(-masked, depth - 1)[:depth])
        return np.unique(np.concatenate(picks)) if picks else np.arange(min(len(self.ids), LEXICAL_CANDIDATES))

    def lexical_text_scores(self, text: str, rows: np.ndarray | None = None) -> np.ndarray:
        if self.lexical is None or not len(self.lexical):
            return np.zeros(len(self.ids), dtype=np.float32)
        return self._lexical_scores(self.lexical.vector(text), rows)

    def _lexical_scores(self, query_vec, rows: np.ndarray | None = None) -> np.ndarray:
        """Cosine per case in engine order; ``rows`` (engine positions) limits the work to candidates."""
        out = np.zeros(len(self.ids), dtype=np.float32)
        if query_vec is None:
            return out
        if rows is None:
            scores = self.lexical.scores(query_vec)
            valid = self.lex_pos >= 0
            out[self.lex_pos[valid]] = scores[valid]
            return out
        lex_rows = self.engine_to_lex[rows]
        ok = lex_rows >= 0
        out[rows[ok]] = self.lexical.scores(query_vec, lex_rows[ok])
        return out

    # -- explanations ----------------------------------------------------------------------------
    def _explain(self, probe: dict, results: list[dict]) -> None:
        ids = [r["case_id"] for r in results]
        ents = self.store.run(load_query("case_entities"), {"ids": ids + list(probe["case_ids"])})
        spans: dict[tuple[str, str, str], list[dict]] = {}
        for e in ents:
            rel = "KNELPUNT" if e["rel"] == "HEEFT_KNELPUNT" else e["rel"]
            spans[(e["case_id"], rel, str(e["naam"]))] = [
                {"tekst": s, "start": a, "end": b}
                for s, a, b in zip(e.get("surfaces") or [], e.get("starts") or [], e.get("ends") or [], strict=False)]
        for ent in probe["entities"]:
            spans.setdefault(("__query__", ent["rel"], ent["key"]), []).append(
                {"tekst": ent["surface"], "start": ent["start"], "end": ent["end"]})
        leerpunten: dict[str, list[dict]] = {cid: [] for cid in ids}
        for lp in self.store.run(load_query("case_leerpunten"), {"ids": ids}):
            leerpunten[lp["case_id"]].append({k: lp[k] for k in ("tekst", "belegd_bij", "status", "status_code",
                                                                  "bron")})
        qkey = probe["case_ids"][0] if len(probe["case_ids"]) == 1 else "__query__"
        query_sentences = self._vectorised_sentences(probe["text"] or "")  # once per query, not per result
        for r in results:
            cid = r["case_id"]
            gedeeld = []
            for qfact, cfact, weight in self.structure.shared(probe["facts"], cid)[:12]:
                gedeeld.append({
                    "soort": KIND_LABELS.get(cfact[0], cfact[0].lower()),
                    "naam": _display(cfact),
                    "gewicht": round(weight, 3),
                    "bron": self.structure.facts[cid][cfact] == 1.0 and "registratie" or "extractie",
                    "in_zoekvraag": spans.get((qkey, qfact[0], qfact[1]), []),
                    "in_casus": spans.get((cid, cfact[0], cfact[1]), []),
                })
            r["gedeeld"] = gedeeld
            r["zinnen"] = self._best_sentences(query_sentences, self.cases[cid].get("tekst") or "")
            r["leerpunten"] = leerpunten.get(cid, [])

    def _vectorised_sentences(self, text: str) -> tuple[list[tuple[str, int]], object] | None:
        sentences = _sentences(text)
        if not sentences or self.lexical is None or self.lexical.vectorizer is None:
            return None
        return sentences, self.lexical.vectorizer.transform([s for s, _ in sentences])

    def _best_sentences(self, query: tuple | None, b: str) -> dict | None:
        """The sentence pair with the highest char n-gram cosine (cheap: no model run per result)."""
        other = self._vectorised_sentences(b)
        if query is None or other is None:
            return None
        (sa, va), (sb, vb) = query, other
        sims = (va @ vb.T).toarray()
        i, j = np.unravel_index(int(np.argmax(sims)), sims.shape)
        return {"zoekvraag": {"tekst": sa[i][0], "start": sa[i][1]},
                "casus": {"tekst": sb[j][0], "start": sb[j][1]}, "score": round(float(sims[i, j]), 3)}


def text_facts(text: str, jaar: int | None = None, vector: np.ndarray | None = None) -> tuple[dict, list[dict]]:
    """Facts (for the structural signal) and their spans, extracted from a free-text query."""
    from casusgraaf.ingest.nlp import extract
    from casusgraaf.ingest.resolve import get_resolver

    resolver = get_resolver()
    facts: dict = {}
    spans: list[dict] = []
    for ent in extract(text, jaar=jaar, vector=vector):
        if ent.negated:
            continue
        if ent.type in ("wet", "regeling"):
            rel, key = "RAAKT_WET", resolver.wet(ent.canonical)["naam"]
        elif ent.type == "organisatie":
            rel, key = "BETROKKEN", resolver.organisatie(ent.canonical)["naam"]
        elif ent.type == "leefgebied":
            rel, key = "BETREFT_LEEFGEBIED", resolver.leefgebied(ent.canonical)
        elif ent.type == "knelpunt":
            rel, key = "KNELPUNT", ent.attrs.get("category_id") or ent.canonical
        else:
            continue
        facts[(rel, key)] = max(facts.get((rel, key), 0.0), 0.6 * min(1.0, ent.confidence + 0.2))
        spans.append({"rel": rel, "key": key, "surface": ent.surface, "start": ent.start, "end": ent.end})
    return facts, spans


def _display(fact: tuple[str, str]) -> str:
    if fact[0] == "KNELPUNT":
        from casusgraaf.ingest.resolve import get_resolver

        cat = get_resolver().category_by_id(fact[1])
        return f"{cat['naam']} ({cat['taxonomie']})" if cat else fact[1]
    return fact[1]


def _sentences(text: str) -> list[tuple[str, int]]:
    """Sentences worth showing: at least six words, and not a template heading ("Wat speelt er?")."""
    out, pos = [], 0
    for part in _SENT.split(text):
        start = text.find(part, pos)
        pos = start + len(part)
        words = part.split()
        if len(words) >= 6 and not (part.rstrip().endswith("?") and len(words) <= 12):
            out.append((part.strip(), start))
    return out


def _normalise(v: np.ndarray) -> np.ndarray:
    n = float(np.linalg.norm(v))
    return (v / n).astype(np.float32) if n else v.astype(np.float32)
