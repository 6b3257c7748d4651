"""Vergelijkbare casussen: dense (e5 in FAISS) + lexical (char n-grams) + shared graph structure, fused.

Each result says why it matched: each signal's score and contribution, the shared entities with where
they occur in both texts, the best-matching sentence pair, and what came of the earlier case (uitkomst,
leerpunten). Earlier solutions are inspiration, not precedent.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from pydantic import BaseModel, Field

from casusgraaf.config import Settings
from casusgraaf.errors import BadInput, NotFound, Unavailable
from casusgraaf.graph import GraphStore, load_query
from casusgraaf.models import vocabulary
from casusgraaf.models.resolve import ENTITY_KINDS, get_resolver
from casusgraaf.search.fusion import fuse
from casusgraaf.search.indexes import Indexes
from casusgraaf.search.lexical import LexicalIndex
from casusgraaf.search.structure import StructureIndex
from casusgraaf.search.vectors import OverlayIndex, VectorIndex

log = logging.getLogger(__name__)

SIGNALS = ("dense", "lexical", "structural")
DENSE_DEPTH = 200  # FAISS hits per query (more on large corpora: n // 50)
BROAD_FILTER = 0.2  # a filter keeping at least this share of cases is applied after the FAISS search
LEXICAL_FULL_MAX = 20_000  # up to this many cases the lexical signal scores every case
LEXICAL_CANDIDATES = 2_000  # above it: this many dense and this many structural candidates
OVERLAY_MAX = 5_000  # changed cases a running engine keeps as deltas before it reloads the compacted files
SYNC_RELOAD_MAX = 2_000  # up to this many cases a full reload (well under a second) is done in the query itself
STALE_GRACE = 30.0  # seconds the graph may be ahead of the indexes before the engine rebuilds them
_SENT = re.compile(r"(?<=[.!?])\s+|\n+")


class UnknownCase(NotFound):
    """A query names a case id that is not in the graph."""


class EmptyQuery(BadInput):
    """A query with neither a case id nor a text."""


class IndexMismatch(Unavailable):
    """The configured embedding model does not match the one the index was built with."""


SearchError = (UnknownCase, EmptyQuery)  # what a caller of :meth:`SearchEngine.similar` may catch


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


@dataclass(frozen=True)
class EngineState:
    """Everything one query reads, built at once and swapped in whole: a query that took a state never
    sees half of the next one (a reload after a write replaces ``SearchEngine.state`` in one assignment)."""

    generation: int
    ids: list[str]
    pos: dict[str, int]
    cases: dict[str, dict]
    jaar: np.ndarray
    indiener_type: np.ndarray
    uitkomst: np.ndarray
    dense: VectorIndex | OverlayIndex | None
    lexical: LexicalIndex | None
    lex_pos: np.ndarray  # lexical row -> engine position (-1: not in the engine)
    engine_to_lex: np.ndarray  # engine position -> lexical row (-1: not indexed)
    structure: StructureIndex
    seq: int = -1  # the index change-log entry this state includes (search/indexes.py)
    model: str | None = None  # embedding model and dimension of the dense index
    dim: int | None = None
    fit: str | None = None  # the lexical fit (vocabulary/IDF) the rows belong to


def _freeze_heap() -> None:
    """Move what a full load allocated (millions of small objects at 100k cases) out of the cyclic garbage
    collector's reach: otherwise the allocations of the next delta trigger a full collection that walks all of
    them (tens to hundreds of ms in the first query after a write). Reference counting still frees them."""
    import gc

    gc.collect()
    gc.freeze()


class SearchEngine:
    """In-memory view over the derived indexes. After a write it applies the index change log to a copy of its
    state and swaps it in (one assignment); a gap in the log, a refit or another model makes it reload in full,
    in the background, while queries keep using the state they have. Loading never holds the lock queries
    take, so a query waits at most for a small change set, never for a reload."""

    def __init__(self, store: GraphStore, settings: Settings) -> None:
        self.store = store
        self.settings = settings
        self.indexes = Indexes(settings)
        self._lock = threading.RLock()  # swaps of ``state``
        self._loading = threading.Lock()  # one loader at a time
        self._text_probes: dict[tuple[str, int | None], dict] = {}  # (text, jaar_tot) → vector, facts
        self.loads = {"full": 0, "delta": 0}  # how each new state was made (tests, benchmarks)
        self._stale_since: float | None = None
        self._background: threading.Thread | None = None
        self.state = self._full_state()
        self.loads["full"] = 1
        _freeze_heap()

    # -- loading ---------------------------------------------------------------------------------
    def _graph_generation(self) -> int:
        return int(self.store.run(load_query("state_get"))[0]["generation"])

    def snapshot(self, wait: bool = False) -> EngineState:
        """The current state, brought up to date first when the indexes moved on: by their change log when it
        covers the step (a copy-on-write update, done here), else by a full reload in the background (the old
        state is returned meanwhile; ``wait=True`` waits for it). Read everything of one query from it."""
        st = self.state
        m = self.indexes.manifest()
        gen = self._graph_generation()
        if m is not None and int(m["seq"]) == st.seq and gen == st.generation:
            return st
        if not self._loading.acquire(blocking=wait):
            return self.state  # another thread is loading: use the state we have
        background = False
        try:
            st = self.state
            m = self.indexes.manifest()
            if m is not None and int(m["seq"]) != st.seq:
                new = self._delta_state(st, m)
                if new is not None:
                    self._swap(new, "delta")
                    return new
            elif m is not None and gen != int(m["generation"]) and not self._lagging(wait):
                return st  # a writer is between its graph write and its index update
            elif m is not None and gen == st.generation:
                return st
            if wait or len(st.ids) <= SYNC_RELOAD_MAX:
                self._swap(self._full_state(), "full")
                return self.state
            background = True
            self._background = threading.Thread(target=self._reload_in_background, name="engine-reload",
                                                 daemon=True)
            self._background.start()  # it releases the loading lock when done
            return self.state
        finally:
            if not background:
                self._loading.release()

    refresh = snapshot

    def _lagging(self, wait: bool) -> bool:
        """The graph moved but the indexes did not: a writer is mid-way, or died there. After STALE_GRACE s (or
        when asked to wait) the indexes are rebuilt from the graph."""
        now = time.monotonic()
        self._stale_since = self._stale_since or now
        if wait:
            return True
        if now - self._stale_since <= STALE_GRACE:
            return False
        with self.indexes.no_writer() as free:  # a writer at work updates the indexes itself when done
            return free

    def _reload_in_background(self) -> None:
        try:
            self._swap(self._full_state(), "full")
        except Exception:  # noqa: BLE001 - the old state keeps serving; the next query tries again
            log.exception("zoekindex: herladen op de achtergrond mislukt")
        finally:
            self._loading.release()

    def _swap(self, new: EngineState, how: str) -> None:
        with self._lock:
            self.state = new
            self.loads[how] += 1
            self._stale_since = None
        if how == "full":
            _freeze_heap()

    def _full_state(self) -> EngineState:
        from casusgraaf.models import taxonomy

        gen = self._graph_generation()
        self.indexes.ensure_current(self.store)  # re-checked under the lock: of two hosts, one rebuilds
        m = self.indexes.manifest() or {}
        lexical = self.indexes.load_lexical()
        cases = self.store.run(load_query("search_load_cases"))
        ids = [c["id"] for c in cases]
        pos = {cid: i for i, cid in enumerate(ids)}
        lex_pos = np.array([pos.get(cid, -1) if cid is not None else -1 for cid in (lexical.ids if lexical else [])],
                           dtype=np.int64)
        engine_to_lex = np.full(len(ids), -1, dtype=np.int64)
        valid = lex_pos >= 0
        engine_to_lex[lex_pos[valid]] = np.flatnonzero(valid)
        return EngineState(
            generation=int(m.get("generation", gen)), ids=ids, pos=pos, cases={c["id"]: c for c in cases},
            jaar=np.array([c.get("jaar") or 0 for c in cases], dtype=np.int32),
            indiener_type=np.array([c.get("indiener_type") or "" for c in cases], dtype=object),
            uitkomst=np.array([c.get("uitkomst") or "" for c in cases], dtype=object),
            dense=self.indexes.load_dense(), lexical=lexical, lex_pos=lex_pos, engine_to_lex=engine_to_lex,
            structure=StructureIndex.build(ids, self.store.run(load_query("search_load_facets")),
                                           taxonomy.crosswalk()),
            seq=int(m.get("seq", -1)), model=m.get("model"), dim=m.get("dim"), fit=m.get("fit"))

    def _delta_file(self, name: str) -> dict:
        try:
            data = self.indexes.lexical_store.delta_rows(name)
        except OSError:
            return {}
        facts: dict[str, list[dict]] = {}
        for f in data.get("facets", []):
            facts.setdefault(f["id"], []).append(f)
        return {**data, "pos": {c: i for i, c in enumerate(data["ids"])},
                "rows": {c["id"]: c for c in data.get("cases", [])}, "facts": facts}

    def _delta_state(self, st: EngineState, m: dict) -> EngineState | None:
        """``st`` with the change-log entries after ``st.seq`` applied, or None when they do not cover the step
        (a gap, a refit, another model, a large change): then a full reload is needed."""
        if (m.get("model"), m.get("dim"), m.get("fit")) != (st.model, st.dim, st.fit) or st.lexical is None:
            return None
        log_ = self.indexes.changes()
        found = [log_.get(seq) for seq in range(st.seq + 1, int(m["seq"]) + 1)]
        entries = [e for e in found if e is not None and not e.get("large") and e.get("fit") == st.fit]
        if not entries or len(entries) != len(found):
            return None
        net: dict[str, tuple[dict, str | None] | None] = {}  # id -> (entry, ref) when upserted, None: removed
        for e in entries:
            for cid in e["removed"]:
                net[cid] = None
            for cid in e["upserted"]:
                net[cid] = (e, e["refs"].get(cid))
        if sum(1 for v in net.values() if v) + (st.dense.changed if isinstance(st.dense, OverlayIndex) else 0) \
                > OVERLAY_MAX:
            return None  # the overlay would grow too large: load the compacted files instead
        # the new and changed cases: their rows, facts and lexical rows, from the change-log files
        files: dict[str, dict] = {}
        for e in entries:
            name = e["lexical"]
            if e["upserted"] and (name is None or "cases" not in files.setdefault(name, self._delta_file(name))):
                return None
        rows: dict[str, dict] = {}
        facts_of: dict[str, list[dict]] = {}
        picks: dict[str, list[int]] = {}  # file -> its rows, in the order of ``rows``
        for cid, v in net.items():
            if not v:
                continue
            data = files[v[0]["lexical"]]
            i = data["pos"].get(cid)
            if i is None or cid not in data["rows"]:
                continue  # erased again since: gone
            rows[cid] = data["rows"][cid]
            facts_of[cid] = data["facts"].get(cid, [])
            picks.setdefault(v[0]["lexical"], []).append(i)
        ups = [cid for name in picks for cid in rows if net[cid][0]["lexical"] == name]  # type: ignore[index]
        lex_rows = [files[name]["matrix"] if idx == list(range(files[name]["matrix"].shape[0]))
                    else files[name]["matrix"][idx] for name, idx in picks.items()]
        dropped = {cid for cid in net if cid in st.pos}  # removed or changed: leave their old position
        # vectors: sidecar rows named in the log, else the nodes' own copies
        from casusgraaf.graph.vectors import load_vectors

        vec_ids, vecs = load_vectors(self.store, self.settings, ups,
                                     refs={cid: net[cid][1] for cid in ups})  # type: ignore[index]
        if len(vec_ids) and vecs.shape[1] != st.dim:
            return None
        # the new order: old cases that stay, in their order, then the new and changed ones
        if dropped:
            keep = np.array([i for i, cid in enumerate(st.ids) if cid not in dropped], dtype=np.int64)
            remap = np.full(len(st.ids), -1, dtype=np.int64)
            remap[keep] = np.arange(len(keep))
            ids = [st.ids[i] for i in keep] + ups
            pos = {cid: i for i, cid in enumerate(ids)}
        else:
            keep, remap = None, None
            ids = st.ids + ups
            pos = dict(st.pos)
            pos.update((cid, len(st.ids) + j) for j, cid in enumerate(ups))
        cases = {cid: c for cid, c in st.cases.items() if cid not in dropped} if dropped else dict(st.cases)
        cases.update((cid, rows[cid]) for cid in ups)

        def col(old: np.ndarray, values: list, dtype) -> np.ndarray:
            base = old if keep is None else old[keep]
            return np.concatenate([base, np.array(values, dtype=dtype)]) if values else base.copy()

        lexical = st.lexical.with_rows(ups, _vstack(lex_rows), removed=[c for c in net if c not in ups])
        lex_pos = np.full(len(lexical.ids), -1, dtype=np.int64)
        old_rows = np.flatnonzero(st.lex_pos >= 0)
        moved = st.lex_pos[old_rows] if remap is None else remap[st.lex_pos[old_rows]]
        lex_pos[old_rows] = moved
        for cid in dropped:  # their old rows are dead in the new lexical index
            i = st.lexical._pos.get(cid)
            if i is not None:
                lex_pos[i] = -1
        first_new = len(st.lexical.ids)
        lex_pos[first_new:first_new + len(ups)] = [pos[cid] for cid in ups]
        engine_to_lex = np.full(len(ids), -1, dtype=np.int64)
        valid = lex_pos >= 0
        engine_to_lex[lex_pos[valid]] = np.flatnonzero(valid)
        assert st.dense is not None
        dense = st.dense.with_changes(vec_ids, vecs, removed=[c for c in net if c not in vec_ids])
        facets = [f for cid in ups for f in facts_of[cid]]
        structure = st.structure.with_changes(ids, remap, dropped, {cid: pos[cid] for cid in ups}, facets)
        return EngineState(
            generation=int(m["generation"]), ids=ids, pos=pos, cases=cases,
            jaar=col(st.jaar, [rows[c].get("jaar") or 0 for c in ups], np.int32),
            indiener_type=col(st.indiener_type, [rows[c].get("indiener_type") or "" for c in ups], object),
            uitkomst=col(st.uitkomst, [rows[c].get("uitkomst") or "" for c in ups], object),
            dense=dense, lexical=lexical, lex_pos=lex_pos, engine_to_lex=engine_to_lex, structure=structure,
            seq=int(m["seq"]), model=st.model, dim=st.dim, fit=st.fit)

    # Read-only views of the current state (tests, benchmarks, notebooks).
    @property
    def ids(self) -> list[str]:
        return self.state.ids

    @property
    def pos(self) -> dict[str, int]:
        return self.state.pos

    @property
    def cases(self) -> dict[str, dict]:
        return self.state.cases

    @property
    def structure(self) -> StructureIndex:
        return self.state.structure

    @property
    def dense(self) -> VectorIndex | OverlayIndex | None:
        return self.state.dense

    @property
    def lexical(self) -> LexicalIndex | None:
        return self.state.lexical

    # -- filters ---------------------------------------------------------------------------------
    def allowed_mask(self, f: Filters, st: EngineState | None = None) -> np.ndarray | None:
        """Boolean mask over the state's ids of the cases the filters keep (None: no filter)."""
        if not f.active():
            return None
        st = st or self.state
        keep = np.ones(len(st.ids), dtype=bool)
        if f.jaar_van or f.jaar_tot:
            keep &= (st.jaar >= (f.jaar_van or 1)) & (st.jaar <= (f.jaar_tot or 9999))
        if f.indiener_type:
            keep &= st.indiener_type == f.indiener_type
        if f.uitkomst:
            keep &= st.uitkomst == f.uitkomst
        for kind, values in (("wet", f.wet), ("organisatie", f.organisatie), ("leefgebied", f.leefgebied),
                             ("knelpunt", f.knelpunt)):
            for value in values:
                keep &= self._cases_with(st, kind, value)
        return keep

    @staticmethod
    def _cases_with(st: EngineState, kind: str, value: str) -> np.ndarray:
        """Mask of cases having a fact of ``kind`` matching ``value`` (aliases resolved)."""
        rel = vocabulary.fact_kinds()[kind].fact
        want = value.strip().lower()
        wanted = {want, get_resolver().key(kind, value).lower()}
        out = np.zeros(len(st.ids), dtype=bool)
        for (frel, key), (positions, _w) in st.structure.postings.items():  # distinct facts, not cases
            if frel != rel:
                continue
            k = key.lower()
            if k in wanted or (kind == "knelpunt" and (k.endswith(":" + want) or
                                                       want in k.split(":", 1)[-1].replace("-", " "))):
                out[positions] = True
        return out

    # -- the query ---------------------------------------------------------------------------------
    def similar(self, q: Query) -> list[dict]:
        st = self.snapshot()  # one state for the whole query; loading never holds a lock queries wait on
        if not st.ids:
            return []
        missing = [c for c in q.case_ids if c not in st.pos]
        if missing:
            raise UnknownCase(f"onbekende casus: {', '.join(missing)}; controleer het id "
                              "(`casusgraaf cypher \"MATCH (c:Casus) RETURN c.id\"`)")
        if not q.case_ids and not (q.text and q.text.strip()):
            raise EmptyQuery("geef een casus-id (--case) of een tekst (--text/--file)")
        allowed = self.allowed_mask(q.filters, st)
        mask = np.ones(len(st.ids), dtype=bool) if allowed is None else allowed.copy()
        for cid in q.case_ids:
            mask[st.pos[cid]] = False
        probe = self._probe(st, q)
        raw: dict[str, np.ndarray] = {}
        for name in ("dense", "structural", "lexical"):  # lexical last: it may use the others' candidates
            if name in q.signals:
                raw[name] = self._signal(st, name, probe, allowed, raw)
        fused, contributions = fuse(raw, mask, self.settings)
        fused = np.where(mask, fused, -np.inf)
        k = min(q.k, int(mask.sum()))
        top = np.argpartition(-fused, k - 1)[:k] if k else np.array([], dtype=np.int64)
        order = top[np.argsort(-fused[top], kind="stable")]
        results = []
        for i in order:
            cid = st.ids[i]
            results.append({
                "case_id": cid,
                "score": round(float(fused[i]), 4),
                "signals": {name: round(float(raw[name][i]), 4) for name in raw},
                "bijdrage": {name: round(float(contributions[name][i]), 4) for name in contributions},
                "titel": st.cases[cid].get("titel"),
                "jaar": st.cases[cid].get("jaar"),
                "uitkomst": st.cases[cid].get("uitkomst"),
            })
        if q.explain and results:
            self._explain(st, probe, results)
        return results

    def _probe(self, st: EngineState, q: Query) -> dict:
        """What the query looks like to each signal: a vector, a text, a set of facts."""
        probe: dict = {"case_ids": q.case_ids, "text": None, "facts": {}, "entities": []}
        if q.case_ids:
            vecs = [st.dense.vector(c) for c in q.case_ids if st.dense is not None and c in st.dense]
            if len(vecs) < len(q.case_ids):  # not in the index (yet): read the vectors from the graph
                rows = self.store.run(load_query("search_load_embeddings"), {"ids": q.case_ids})
                vecs = [np.asarray(r["embedding"], dtype=np.float32) for r in rows if r.get("embedding")]
            probe["vector"] = _normalise(np.mean(vecs, axis=0)) if vecs else None
            probe["text"] = "\n".join(st.cases[c].get("tekst") or "" for c in q.case_ids)
            for cid in q.case_ids:
                for fact, w in st.structure.facts.get(cid, {}).items():
                    probe["facts"][fact] = max(w, probe["facts"].get(fact, 0.0))
        else:
            text = q.text or ""
            key = (text, q.filters.jaar_tot)  # jaar_tot picks the knelpunt taxonomy of the query's facts
            cached = self._text_probes.get(key)
            if cached is None:
                from casusgraaf.embedding import get_embedder

                embedder = get_embedder(self.settings)
                vector = embedder.embed_query(text)
                other_model = bool(st.model and embedder.model_id and st.model != embedder.model_id)
                if (st.dim is not None and len(vector) != st.dim) or other_model:
                    # Same dimension is not enough: fp32 and int8 vectors of one model are both 384-dim.
                    raise IndexMismatch(
                        f"de zoekindex hoort bij model {st.model} (dimensie {st.dim}), het ingestelde model "
                        f"{embedder.model_id} geeft dimensie {len(vector)}. Lees de casussen opnieuw in met dit "
                        "model, of zet CASUSGRAAF_MODEL / "
                        "CASUSGRAAF_EMBEDDING_BACKEND terug.")
                facts, entities = text_facts(text, q.filters.jaar_tot, vector, embedder)
                cached = {"vector": vector, "facts": facts, "entities": entities}
                if len(self._text_probes) > 256:
                    self._text_probes.clear()
                self._text_probes[key] = cached
            probe.update(cached, text=text)
        return probe

    def _signal(self, st: EngineState, name: str, probe: dict, allowed: np.ndarray | None,
                done: dict) -> np.ndarray:
        out = np.zeros(len(st.ids), dtype=np.float32)
        if name == "dense":
            if st.dense is None or probe.get("vector") is None:
                return out
            for cid, score in self._dense_hits(st, probe["vector"], allowed):
                if cid in st.pos:
                    out[st.pos[cid]] = max(0.0, float(score))
            return out
        if name == "lexical":
            if st.lexical is None or not len(st.lexical):
                return out
            rows = None
            if len(st.ids) > LEXICAL_FULL_MAX:
                rows = self._lexical_candidates(st, done, allowed)
            if probe["case_ids"]:
                from sklearn.preprocessing import normalize

                vecs = [r for r in (st.lexical.row(c) for c in probe["case_ids"]) if r is not None]
                return self._lexical_scores(st, normalize(sum(vecs[1:], vecs[0])) if vecs else None, rows)
            return self._lexical_scores(st, st.lexical.vector(probe["text"] or ""), rows)
        if name == "structural":
            return st.structure.scores(probe["facts"])
        raise ValueError(f"unknown signal {name}")

    @staticmethod
    def _dense_hits(st: EngineState, vector: np.ndarray, allowed: np.ndarray | None) -> list[tuple[str, float]]:
        """FAISS top hits; a narrow filter goes into FAISS (ID selector), a broad one is applied after a
        deeper search (turning 100k allowed ids into a selector costs more than searching deeper)."""
        assert st.dense is not None
        n = len(st.ids)
        k = min(n, max(DENSE_DEPTH, n // 50))
        if allowed is None:
            return st.dense.search(vector, k)
        frac = float(allowed.mean()) if n else 0.0
        if frac >= BROAD_FILTER:
            return st.dense.search(vector, min(n, int(k / frac) + k))
        return st.dense.search(vector, k, allowed={st.ids[i] for i in np.flatnonzero(allowed)})

    @staticmethod
    def _lexical_candidates(st: EngineState, done: dict, allowed: np.ndarray | None) -> np.ndarray:
        """Above LEXICAL_FULL_MAX cases the char n-gram cosine is computed only for the strongest dense
        and structural candidates: scoring every case costs O(corpus) sparse work per query."""
        picks = []
        for name in ("dense", "structural"):
            scores = done.get(name)
            if scores is not None and len(scores):
                masked = scores if allowed is None else np.where(allowed, scores, -1.0)
                depth = min(LEXICAL_CANDIDATES, len(masked))
                picks.append(np.argpartition(-masked, depth - 1)[:depth])
        return np.unique(np.concatenate(picks)) if picks else np.arange(min(len(st.ids), LEXICAL_CANDIDATES))

    def lexical_text_scores(self, text: str, st: EngineState | None = None,
                            rows: np.ndarray | None = None) -> np.ndarray:
        st = st or self.state
        if st.lexical is None or not len(st.lexical):
            return np.zeros(len(st.ids), dtype=np.float32)
        return self._lexical_scores(st, st.lexical.vector(text), rows)

    @staticmethod
    def _lexical_scores(st: EngineState, query_vec, rows: np.ndarray | None = None) -> np.ndarray:
        """Cosine per case in engine order; ``rows`` (engine positions) limits the work to candidates."""
        out = np.zeros(len(st.ids), dtype=np.float32)
        if query_vec is None or st.lexical is None:
            return out
        if rows is None:
            scores = st.lexical.scores(query_vec)
            valid = st.lex_pos >= 0
            out[st.lex_pos[valid]] = scores[valid]
            return out
        lex_rows = st.engine_to_lex[rows]
        ok = lex_rows >= 0
        out[rows[ok]] = st.lexical.scores(query_vec, lex_rows[ok])
        return out

    # -- explanations ----------------------------------------------------------------------------
    def _explain(self, st: EngineState, probe: dict, results: list[dict]) -> None:
        """Why each result matched, in words and in figures: ``uitleg`` (one Dutch sentence from the shared
        facts, most specific first, near-universal ones left out), ``gedeeld`` (the shared facts with their spans
        in both texts), ``zinnen`` (the best sentence pair), what came of the earlier case (``uitkomst``,
        ``kon_verder``, ``wat_werkte``: its solution section) and its ``leerpunten`` with their follow-up."""
        ids = [r["case_id"] for r in results]
        ents = self.store.run(load_query("case_entities"), {"ids": ids + list(probe["case_ids"])})
        spans: dict[tuple[str, str, str], list[dict]] = {}
        by_rel = vocabulary.by_relationship()
        for e in ents:
            rel = by_rel[e["rel"]].fact
            spans[(e["case_id"], rel, str(e["naam"]))] = [
                {"tekst": s, "start": a, "end": b}
                for s, a, b in zip(e.get("surfaces") or [], e.get("starts") or [], e.get("ends") or [], strict=False)]
        for ent in probe["entities"]:
            spans.setdefault(("__query__", ent["rel"], ent["key"]), []).append(
                {"tekst": ent["surface"], "start": ent["start"], "end": ent["end"]})
        leerpunten: dict[str, list[dict]] = {cid: [] for cid in ids}
        for lp in self.store.run(load_query("case_leerpunten"), {"ids": ids}):
            leerpunten[lp["case_id"]].append({k: lp.get(k) for k in ("id", "tekst", "belegd_bij", "status",
                                                                      "status_code", "bron", "laatste")})
        # kon_verder is not among the rows the engine keeps in memory: one small read per result
        afloop = {cid: (self.store.run(load_query("case_detail"), {"id": cid}) or [{}])[0] for cid in ids}
        qkey = probe["case_ids"][0] if len(probe["case_ids"]) == 1 else "__query__"
        query_sentences = _vectorised_sentences(st, probe["text"] or "")  # once per query, not per result
        case_sentences = _vectorised_many(st, [st.cases[cid].get("tekst") or "" for cid in ids])  # one transform
        query_jaar = _query_year(st, probe["case_ids"])
        kinds = vocabulary.by_fact()
        n = len(st.ids)
        for r, sentences in zip(results, case_sentences, strict=True):
            cid = r["case_id"]
            gedeeld = []
            for qfact, cfact, weight in st.structure.shared(probe["facts"], cid)[:12]:
                gedeeld.append({
                    "soort": kinds[cfact[0]].kind,
                    "naam": display(cfact),
                    "label": label(cfact),
                    "gewicht": round(weight, 3),
                    "bron": "registratie" if st.structure.facts[cid][cfact] == 1.0 else "extractie",
                    "algemeen": _near_universal(st.structure, cfact, n),
                    "in_zoekvraag": spans.get((qkey, qfact[0], qfact[1]), []),
                    "in_casus": spans.get((cid, cfact[0], cfact[1]), []),
                })
            r["gedeeld"] = gedeeld
            tekst = st.cases[cid].get("tekst") or ""
            r["zinnen"] = _best_sentences(query_sentences, sentences)
            r["leerpunten"] = leerpunten.get(cid, [])
            r["kon_verder"] = afloop[cid].get("kon_verder")
            r["uitkomst"] = r.get("uitkomst") or afloop[cid].get("uitkomst")
            r["wat_werkte"] = solution_section(tekst)
            knelpunten = [label(f) for f in st.structure.facts.get(cid, {}) if f[0] == "KNELPUNT"]
            r["uitleg"] = uitleg(gedeeld, knelpunten, r.get("jaar"), query_jaar, r.get("bijdrage") or {})


# Explanations in words -------------------------------------------------------------------------------

NEAR_UNIVERSAL = 0.5  # a fact in at least this share of the cases says little ("organisatie: gemeente")
NEAR_UNIVERSAL_MIN_CASES = 10  # below this many cases every share is noise: nothing counts as near-universal
UITLEG_KINDS = (("wet", "wet", "wetten"), ("organisatie", "organisatie", "organisaties"),
                ("leefgebied", "leefgebied", "leefgebieden"), ("beleidsterrein", "beleidsterrein", "beleidsterreinen"))
UITLEG_NAMES = 3  # names per kind in the sentence
UITLEG_GROUPS = 3  # kinds in the sentence
WAT_WERKTE_MAX = 700  # characters of the solution section shown with a result

# Headings of the solution section, and of any section (where the solution section ends). The sample texts
# follow the AC2023 template ("Hoe is deze casus opgelost?"); registrations also use "Oplossing", "Wat hielp?".
_SOLUTION = r"hoe is (?:deze|de) casus opgelost|hoe (?:is|werd) het opgelost|wat (?:hielp|werkte|heeft geholpen)" \
            r"|wat heeft het loket gedaan|oplossing|aanpak"
_OTHER = r"wat speelt er|wat is (?:het|de) probleem|wat (?:was|is) (?:de|het) (?:hulp)?vraag" \
         r"|wat betekent dit[^?\n]{0,80}|wat leren we[^?\n]{0,80}|leerpunt(?:en)?|resultaat|uitkomst|achtergrond|signaal"
# a heading on its own line ("## Oplossing", "**Wat hielp?**", "Oplossing:") or a question heading inside a
# paragraph, after the end of a sentence ("... afgerond. Wat is het probleem? De ...")
_HEADING = re.compile(
    rf"(?:^|(?<=\n))[ \t]*(?:#{{1,6}}[ \t]*)?(?:\*\*)?(?P<a>{_SOLUTION}|{_OTHER})[ \t]*[?:]?(?:\*\*)?[ \t]*(?:\n|$)"
    rf"|(?<=[.!?])[ \t]+(?P<b>{_SOLUTION}|{_OTHER})\?[ \t]+"
    rf"|(?:^|(?<=\n))[ \t]*(?P<c>{_SOLUTION}|{_OTHER}):[ \t]+",
    re.IGNORECASE)
_IS_SOLUTION = re.compile(rf"^(?:{_SOLUTION})$", re.IGNORECASE)
_LOKET_DID = re.compile(r"(?:het|via het) loket\b", re.IGNORECASE)


def solution_section(text: str) -> str | None:
    """The text under the solution heading ("Hoe is deze casus opgelost?", "Oplossing", "Wat hielp?") up to the
    next heading, whitespace collapsed and cut at a sentence end after WAT_WERKTE_MAX characters. A text
    without headings: a later paragraph that starts with "Het Loket ..." (what the Loket did). Else None."""
    heads = list(_HEADING.finditer(text or ""))
    for i, m in enumerate(heads):
        name = (m.group("a") or m.group("b") or m.group("c") or "").strip()
        if not _IS_SOLUTION.match(name):
            continue
        end = heads[i + 1].start() if i + 1 < len(heads) else len(text)
        body = " ".join(text[m.end():end].split())
        if not body:
            continue
        return _cut(body)
    # no headings: a later paragraph that starts with what the Loket did ("Het Loket heeft ...")
    paragraphs = [p.strip() for p in (text or "").split("\n") if p.strip()]
    for p in paragraphs[1:]:
        if _LOKET_DID.match(p) and not _HEADING.match(p):
            return _cut(" ".join(p.split()))
    return None


def _cut(body: str) -> str:
    if len(body) <= WAT_WERKTE_MAX:
        return body
    cut = max(body.rfind(". ", 0, WAT_WERKTE_MAX), body.rfind("; ", 0, WAT_WERKTE_MAX))
    return body[:cut + 1] + " …" if cut > 0 else body[:WAT_WERKTE_MAX].rstrip() + " …"


def _near_universal(structure: StructureIndex, fact: tuple[str, str], n: int) -> bool:
    """True for a fact most cases have (by document frequency in the structure index): the Loket itself,
    "gemeente", "financiën". It stays in ``gedeeld`` (with ``algemeen: true``) but not in the sentence."""
    posting = structure.postings.get(fact)
    return n >= NEAR_UNIVERSAL_MIN_CASES and posting is not None and len(posting[0]) >= NEAR_UNIVERSAL * n


def _query_year(st: EngineState, case_ids: list[str]) -> int | None:
    years = [st.cases[c].get("jaar") for c in case_ids if c in st.cases]
    return years[0] if len(years) == 1 and years[0] else None


def _names(items: list[str]) -> str:
    """"a", "a en b", "a, b en c"."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " en " + items[-1]


def uitleg(gedeeld: list[dict], knelpunten: list[str], jaar: int | None, query_jaar: int | None,
           bijdrage: dict[str, float]) -> str:
    """One Dutch sentence saying why a case matched, e.g. "Zelfde wet (Zvw) en organisaties (CAK,
    zorgverzekeraar); beide gaan over het knelpunt Communicatie; een casus uit 2019." Shared facts are named
    most specific first (``gedeeld`` is ordered by weight: rarer facts weigh more), near-universal ones not."""
    specific = [g for g in gedeeld if not g.get("algemeen")]
    groups: list[tuple[float, int, str]] = []
    for soort, one, many in UITLEG_KINDS:
        names = list(dict.fromkeys(g["label"] for g in specific if g["soort"] == soort))
        if names:
            extra = len(names) - UITLEG_NAMES
            shown = ", ".join(names[:UITLEG_NAMES]) + (f" en {extra} andere" if extra > 0 else "")
            strength = max(g["gewicht"] for g in specific if g["soort"] == soort)
            groups.append((strength, len(groups), f"{one if len(names) == 1 else many} ({shown})"))
    # the strongest kinds, said in the fixed order wet, organisatie, leefgebied, beleidsterrein
    order = [s for _, _, s in sorted(sorted(groups, key=lambda t: -t[0])[:UITLEG_GROUPS], key=lambda t: t[1])]
    parts = []
    if order:
        parts.append("Zelfde " + _names(order))
    shared_knel = list(dict.fromkeys(g["label"] for g in gedeeld if g["soort"] == "knelpunt"))
    if shared_knel:
        parts.append(("beide gaan over het knelpunt " if len(shared_knel) == 1 else "beide gaan over de knelpunten ")
                     + _names(shared_knel))
    elif knelpunten:
        own = list(dict.fromkeys(knelpunten))[:2]
        parts.append(("knelpunt van die casus: " if len(own) == 1 else "knelpunten van die casus: ") + _names(own))
    if not order and not shared_knel:
        dense, lexical = bijdrage.get("dense", 0.0), bijdrage.get("lexical", 0.0)
        how = "in de betekenis van de beschrijving" if dense >= lexical else "in de woorden van de beschrijving"
        parts.insert(0, f"Geen bijzondere wet of organisatie gedeeld; de gelijkenis zit vooral {how}")
    if jaar:
        if query_jaar and query_jaar != jaar:
            verschil = abs(query_jaar - jaar)
            parts.append(f"een casus uit {jaar} ({verschil} jaar {'eerder' if jaar < query_jaar else 'later'})")
        else:
            parts.append(f"een casus uit {jaar}")
    sentence = "; ".join(parts) + "."
    return sentence[0].upper() + sentence[1:]


def filter_options(st: EngineState) -> dict[str, Any]:
    """The choices a filter form offers, from the vocabulary and the corpus: laws, organisations and leefgebieden
    that occur (most cases first), knelpunt categories of every taxonomy (the current one by name, so that one
    value matches the same category in JR2023 and JR2024; older ones by id), indiener types of the record
    vocabulary, the outcomes that occur and the year range."""
    from typing import get_args

    from casusgraaf.models import taxonomy
    from casusgraaf.models.records import IndienerType

    counts: dict[str, list[tuple[int, str]]] = {"RAAKT_WET": [], "BETROKKEN": [], "BETREFT_LEEFGEBIED": []}
    for (rel, key), (positions, _w) in st.structure.postings.items():
        if rel in counts:
            counts[rel].append((len(positions), key))

    def names(rel: str) -> list[str]:
        return [k for _, k in sorted(counts[rel], key=lambda t: (-t[0], t[1].casefold()))]

    taxonomies = taxonomy.load_taxonomies()
    current = taxonomy.taxonomy_for_year(None)
    knelpunt = [{"value": c.id.split(":", 1)[1], "label": c.naam, "groep": f"{taxonomies[current].naam}"}
                for c in taxonomies[current].categories]
    seen = {o["value"] for o in knelpunt}
    for tid, tax in sorted(taxonomies.items(), key=lambda t: -(t[1].jaar_van or 0)):
        if tid == current:
            continue
        for c in tax.categories:
            slug = c.id.split(":", 1)[1]
            if tid != "ac2023" and slug in seen:
                continue  # the current taxonomy's option already matches it
            knelpunt.append({"value": c.id, "label": f"{c.code} {c.naam}" if tid == "ac2023" else c.naam,
                             "groep": tax.naam})
    years = [int(j) for j in st.jaar if j]
    return {
        "wet": names("RAAKT_WET"), "organisatie": names("BETROKKEN"), "leefgebied": names("BETREFT_LEEFGEBIED"),
        "knelpunt": knelpunt,
        "indiener_type": [t for t in get_args(IndienerType) if t != "onbekend"],
        "uitkomst": sorted({str(u) for u in st.uitkomst if u}),
        "jaar": (min(years), max(years)) if years else None,
    }


def label(fact: tuple[str, str]) -> str:
    """A fact as a person reads it: a knelpunt category by its name (no taxonomy code), anything else by its key."""
    if fact[0] == "KNELPUNT":
        cat = get_resolver().category_by_id(fact[1])
        return str(cat["naam"]) if cat else fact[1]
    return fact[1]


def _vstack(rows: list):
    import scipy.sparse as sp

    return sp.vstack(rows, format="csr") if rows else None


def _vectorised_sentences(st: EngineState, text: str) -> tuple[list[tuple[str, int]], Any] | None:
    sentences = _sentences(text)
    if not sentences or st.lexical is None or st.lexical.vectorizer is None:
        return None
    return sentences, st.lexical.vectorizer.transform([s for s, _ in sentences])


def _vectorised_many(st: EngineState, texts: list[str]) -> list[tuple[list[tuple[str, int]], Any] | None]:
    """:func:`_vectorised_sentences` for several texts in one transform (per call the vectorizer costs ~6 ms)."""
    per = [_sentences(t) for t in texts]
    flat = [s for sentences in per for s, _ in sentences]
    if not flat or st.lexical is None or st.lexical.vectorizer is None:
        return [None] * len(texts)
    matrix = st.lexical.vectorizer.transform(flat).tocsr()
    out: list[tuple[list[tuple[str, int]], Any] | None] = []
    i = 0
    for sentences in per:
        out.append((sentences, matrix[i:i + len(sentences)]) if sentences else None)
        i += len(sentences)
    return out


def _best_sentences(query: tuple | None, other: tuple | None) -> dict | None:
    """The sentence pair with the highest char n-gram cosine (cheap: no model run per result)."""
    if query is None or other is None:
        return None
    (sa, va), (sb, vb) = query, other
    sims = (va @ vb.T).toarray()
    i, j = np.unravel_index(int(np.argmax(sims)), sims.shape)
    return {"zoekvraag": {"tekst": sa[i][0], "start": sa[i][1]},
            "casus": {"tekst": sb[j][0], "start": sb[j][1]}, "score": round(float(sims[i, j]), 3)}


def text_facts(text: str, jaar: int | None = None, vector: np.ndarray | None = None,
               embedder: Any = None) -> tuple[dict, list[dict]]:
    """Facts (for the structural signal) and their spans, extracted from a free-text query (with the
    embedder, the knelpunt classifier uses the query vector too, as at ingest)."""
    from casusgraaf.nlp import extract

    resolver = get_resolver()
    kinds = vocabulary.fact_kinds()
    facts: dict = {}
    spans: list[dict] = []
    for ent in extract(text, jaar=jaar, embedder=embedder, vector=vector):
        kind = ENTITY_KINDS.get(ent.type)
        if ent.negated or kind is None:
            continue
        rel = kinds[kind].fact
        if kind == "knelpunt":
            key = ent.attrs.get("category_id") or ent.canonical
        else:
            key = resolver.key(kind, ent.canonical)
        facts[(rel, key)] = max(facts.get((rel, key), 0.0), 0.6 * min(1.0, ent.confidence + 0.2))
        spans.append({"rel": rel, "key": key, "surface": ent.surface, "start": ent.start, "end": ent.end})
    return facts, spans


def display(fact: tuple[str, str]) -> str:
    """How a fact is shown: a knelpunt category with its taxonomy, anything else by its key."""
    if fact[0] == "KNELPUNT":
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
