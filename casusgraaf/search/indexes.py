"""The derived indexes (FAISS dense, char n-gram lexical), kept in step with the graph by change sets.

The graph is the source of truth: every vector is on its Casus node (and, for speed, in the sidecar file of
``graph/vectors.py``), so :meth:`Indexes.rebuild` recreates everything without running the model. Writers take a
file lock so a CLI ingest and a running server never write the index files at the same time; files are
replaced atomically and ``manifest.json`` is written last.

Every applied change set gets the next sequence number (``seq``) and an entry in the change log
(``changes.pkl``: seq → ids upserted / removed, their sidecar refs and the file with their lexical rows; the
last :data:`KEEP_CHANGES` entries). A running :class:`~casusgraaf.search.similar.SearchEngine` applies those
entries to its state instead of reloading; a gap (an entry it cannot find, a refit, another model) makes it
reload in full. The manifest also records the embedding model and dimension of the vectors: a change set
of another model or dimension forces a full rebuild, with a warning naming both.

One indexer at a time: a process that writes the graph holds a shared *writer lease* (``.writers``, ``fcntl``
``LOCK_SH``) from its first graph write until its index update is done, and it is that process that updates the
indexes. Readers (API hosts) never write them, except :meth:`Indexes.repair` at start and the engine's stale
rebuild, which run only when no writer holds a lease (``LOCK_EX`` without waiting) and re-check under the
writers' lock, so of two hosts starting together one rebuilds and the other loads its result. A ``kill -9``
releases the lease with the process.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import pickle
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from casusgraaf.config import Settings
from casusgraaf.files import exclusive_lock, private_dir, write_private
from casusgraaf.graph import GraphStore, load_query
from casusgraaf.graph.vectors import load_vectors
from casusgraaf.progress import Progress
from casusgraaf.search.lexical import LexicalIndex, LexicalStore

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
CHANGES = "changes.pkl"
WRITERS = ".writers"  # the writer lease (see the module docstring)
FORMAT = 2
KEEP_CHANGES = 64  # change-log entries kept for running engines
DELTA_MAX = 20_000  # a change set larger than this is logged without ids: engines reload it in full
_held = threading.local()


class Indexes:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.dir: Path = settings.index_dir
        self.lexical_store = LexicalStore(self.dir)

    @contextmanager
    def locked(self) -> Iterator[None]:
        """The writers' lock (re-entrant within a thread)."""
        if getattr(_held, "depth", 0):
            _held.depth += 1
            try:
                yield
            finally:
                _held.depth -= 1
            return
        with exclusive_lock(private_dir(self.dir) / ".lock"):
            _held.depth = 1
            try:
                yield
            finally:
                _held.depth = 0

    @contextmanager
    def writing(self) -> Iterator[None]:
        """A writer's lease for the block (shared: several writers may hold it; blocks while a repair runs)."""
        fd = os.open(private_dir(self.dir) / WRITERS, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_SH)
            yield
        finally:
            os.close(fd)  # closing releases the lock

    @contextmanager
    def no_writer(self) -> Iterator[bool]:
        """Yields True while holding the writer lease exclusively (no writer is mid-way), False at once when a
        writer holds it; then the block must not rebuild."""
        fd = os.open(private_dir(self.dir) / WRITERS, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            yield True
        finally:
            os.close(fd)

    def disagreement(self, store: GraphStore) -> str | None:
        """Why the indexes do not match the graph (counts only, never ids or text), or None when they match:
        the generation, every Casus in the lexical index, every case with a vector of the index's model in
        the dense index, and no index entry without a case. Costs one graph query and reading the index files."""
        rows = store.run(load_query("search_load_vector_refs"))
        m = self.manifest()
        if m is None:
            return "geen bruikbare index" if rows else None
        gen = int(store.run(load_query("state_get"))[0]["generation"])
        if gen != int(m["generation"]):
            return f"de graaf is bij generatie {gen}, de indexen bij {m['generation']}"
        graph_ids = {r["id"] for r in rows}
        lex = self.lexical_store.state()
        if lex is None:
            return "de lexicale index ontbreekt of is onleesbaar"
        live = set(lex["live"])
        if live != graph_ids:
            return (f"lexicale index: {len(graph_ids - live)} casussen ontbreken, {len(live - graph_ids)} "
                    "vermeldingen zonder casus")
        dense = self._safe_load_dense()
        if dense is None:
            return "de dense index ontbreekt of is onleesbaar"
        dense_ids = set(dense.ids())
        wanted = {r["id"] for r in rows if r["model"] is not None and r["model"] == m.get("model")}
        if dense_ids - graph_ids or wanted - dense_ids:
            return (f"dense index: {len(wanted - dense_ids)} casussen ontbreken, {len(dense_ids - graph_ids)} "
                    "vermeldingen zonder casus")
        return None

    def repair(self, store: GraphStore) -> dict:
        """The repair step at start: when no writer is mid-way and the indexes disagree with the graph, rebuild
        them from it (one step; afterwards they agree)."""
        with self.no_writer() as free:
            if not free:
                return {"herstel": "overgeslagen", "reden": "een schrijver werkt de indexen bij"}
            reason = self.disagreement(store)
            if reason is None:
                return {"herstel": "niet nodig"}
            with self.locked():
                reason = self.disagreement(store)  # another host may have repaired meanwhile
                if reason is None:
                    return {"herstel": "niet nodig"}
                log.warning("index: herstel bij start: %s; de indexen worden uit de graaf opgebouwd", reason)
                info = self._rebuild_unlocked(store, progress=False)
            return {"herstel": "herbouwd", "reden": reason, **info}

    def ensure_current(self, store: GraphStore) -> None:
        """Rebuild when the indexes are behind the graph, re-checked under the writers' lock, so that of two
        processes noticing it at once only the first rebuilds."""
        def behind() -> bool:
            return self.generation() != int(store.run(load_query("state_get"))[0]["generation"])

        if behind():
            with self.locked():
                if behind():
                    self._rebuild_unlocked(store, progress=False)

    # -- reads ---------------------------------------------------------------------------------------
    def manifest(self) -> dict | None:
        try:
            data = json.loads((self.dir / MANIFEST).read_text())
        except (OSError, ValueError):
            return None
        return data if data.get("format") == FORMAT else None

    def generation(self) -> int:
        """The graph generation the indexes were last brought to (-1: no usable index)."""
        m = self.manifest()
        return int(m["generation"]) if m else -1

    def changes(self) -> dict[int, dict]:
        try:
            with (self.dir / CHANGES).open("rb") as fh:
                return pickle.load(fh)  # noqa: S301 - our own derived file in the private data dir
        except (OSError, EOFError, pickle.UnpicklingError):
            return {}

    def load_dense(self):
        from casusgraaf.search.vectors import VectorIndex

        path = self.dir / "dense"
        return VectorIndex.load(path) if path.is_dir() and any(path.iterdir()) else None

    def load_lexical(self) -> LexicalIndex | None:
        return self.lexical_store.load()

    # -- writes --------------------------------------------------------------------------------------
    def apply(self, store: GraphStore, upserts: dict[str, np.ndarray] | None = None,
              removed: list[str] | None = None, refs: dict[str, str] | None = None,
              model: str | None = None) -> dict:
        """Apply one change set (after an ingest or delete): FAISS upsert/remove, lexical rows transformed with the
        fixed vocabulary, a change-log entry. Falls back to a full rebuild when there is no usable index, the
        model or dimension differs, or the corpus outgrew its lexical fit."""
        upserts, removed = upserts or {}, list(removed or [])
        with self.locked():
            m = self.manifest()
            dense = self._safe_load_dense() if m else None
            dim = next(iter(upserts.values())).shape[0] if upserts else None
            reason = None
            if m is None or dense is None or self.lexical_store.state() is None:
                reason = "geen bruikbare index"
            elif (model and m.get("model") and model != m["model"]) or (dim and dim != m.get("dim")):
                reason = (f"de index is gebouwd met model {m.get('model')} (dimensie {m.get('dim')}), deze casussen "
                          f"met {model} (dimensie {dim}); alles wordt opnieuw opgebouwd. Lees alle casussen opnieuw "
                          "in met hetzelfde model (of zet CASUSGRAAF_MODEL / CASUSGRAAF_EMBEDDING_BACKEND terug), anders ontbreken casussen "
                          "met een vector van het oude model in de dense zoekindex.")
                log.warning("index: %s", reason)
            if reason:
                info = self._rebuild_unlocked(store, progress=False, known=upserts, model=model)
                return {**info, "pad": "rebuild", "reden": reason}
            assert m is not None and dense is not None
            if upserts:
                ids = list(upserts)
                dense.upsert(ids, np.vstack([np.asarray(upserts[i], dtype=np.float32) for i in ids]))
            if removed:
                dense.remove(removed)
            dense.save(self.dir / "dense")
            seq = int(m["seq"]) + 1
            lex_state = self.lexical_store.state()
            assert lex_state is not None
            corpus_n = len(set(lex_state["live"]) | set(upserts)) - len(set(removed) & set(lex_state["live"]))
            refit = self.lexical_store.needs_refit(corpus_n)
            if refit:
                lex_state = self._refit_lexical(store)
            else:  # what a running engine needs of these cases goes into the change log, read once here
                ups = list(upserts)
                cases = [r for i in range(0, len(ups), 1000)
                         for r in store.run(load_query("search_load_cases_by_id"), {"ids": ups[i:i + 1000]})]
                facets = [r for i in range(0, len(ups), 1000)
                          for r in store.run(load_query("search_load_facets_by_id"), {"ids": ups[i:i + 1000]})]
                texts = {c["id"]: c["tekst"] or "" for c in cases}
                lex_state = self.lexical_store.apply(seq, ups, removed, lambda ids: texts, KEEP_CHANGES,
                                                     {"cases": cases, "facets": facets})
            log_entry = {"seq": seq, "upserted": list(upserts), "removed": removed, "refs": dict(refs or {}),
                         "lexical": None if refit else lex_state["deltas"].get(seq), "fit": lex_state["fit"]}
            if len(upserts) + len(removed) > DELTA_MAX:
                log_entry = {"seq": seq, "large": True}
            self._finish(store, seq, m.get("model") or model, m.get("dim") or dim, lex_state["fit"], log_entry)
            return {"pad": "refit" if refit else "delta", "seq": seq}

    def _safe_load_dense(self):
        try:
            return self.load_dense()
        except (OSError, ValueError, RuntimeError):
            return None

    def rebuild(self, store: GraphStore, progress: bool = False) -> dict:
        with self.locked():
            return self._rebuild_unlocked(store, progress)

    def _rebuild_unlocked(self, store: GraphStore, progress: bool, known: dict[str, np.ndarray] | None = None,
                          model: str | None = None) -> dict:
        """Everything from the graph. ``known``: vectors the caller already has (a first ingest), so only the rest
        is read back (from the sidecar, or the nodes' own copies)."""
        from casusgraaf.search.vectors import VectorIndex

        known = known or {}
        with Progress(enabled=progress) as bar:
            task = bar.add("Vectoren laden", total=1)
            rows = store.run(load_query("search_load_vector_refs"))  # one query: ids, sidecar refs, models
            models = {r["id"]: r["model"] for r in rows}
            model = model or _majority(models) or _model_id(self.settings)
            refs = {r["id"]: r["ref"] for r in rows if r["id"] not in known and r["model"] in (model, None)}
            del rows
            ids, matrix = load_vectors(store, self.settings, refs=refs)
            mine = [cid for cid in known if cid in models]
            kept = mine + ids
            parts = ([np.vstack([np.asarray(known[c], np.float32) for c in mine])] if mine else []) + \
                ([matrix] if len(ids) else [])
            vectors = np.vstack(parts) if parts else np.zeros((0, 0), np.float32)
            bar.advance(task)
            dim = int(vectors.shape[1]) if len(kept) else _model_dim(self.settings)
            dense = VectorIndex(dim)
            if kept:
                dense.upsert(kept, vectors)
            dense.save(self.dir / "dense")
            other = sum(1 for mod in models.values() if mod not in (model, None))
            if other:
                log.warning("index: %d casussen hebben een vector van een ander model dan %s en staan niet in de "
                            "dense zoekindex; lees ze opnieuw in", other, model)
            task = bar.add("Lexicale index opbouwen", total=1)
            lex_state = self._refit_lexical(store)
            bar.advance(task)
        m = self.manifest()
        seq = int(m["seq"]) + 1 if m else 1
        self._finish(store, seq, model, dim, lex_state["fit"], {"seq": seq, "large": True})
        return {"cases": len(models), "vectors": len(kept), "lexical": len(lex_state["live"]), "dim": dim,
                "model": model, "other_model": other}

    def _refit_lexical(self, store: GraphStore) -> dict:
        ids = [r["id"] for r in store.run(load_query("search_load_ids"))]
        return self.lexical_store.refit(ids, self._texts_of(store))

    @staticmethod
    def _texts_of(store: GraphStore):
        query = load_query("search_load_texts")

        def texts_of(ids: list[str]) -> dict[str, str]:
            out: dict[str, str] = {}
            for i in range(0, len(ids), 1000):
                for row in store.run(query, {"ids": ids[i:i + 1000]}):
                    out[row["id"]] = row["tekst"] or ""
            return out
        return texts_of

    def _finish(self, store: GraphStore, seq: int, model: str | None, dim: int | None, fit: str,
                entry: dict) -> None:
        """Change log first, manifest last (what a reader trusts)."""
        log_ = {k: v for k, v in self.changes().items() if k > seq - KEEP_CHANGES}
        log_[seq] = entry
        tmp = self.dir / (CHANGES + ".tmp")
        with tmp.open("wb") as fh:
            pickle.dump(log_, fh, protocol=5)
        tmp.replace(self.dir / CHANGES)
        gen = int(store.run(load_query("state_get"))[0]["generation"])
        write_private(self.dir / MANIFEST, json.dumps({"format": FORMAT, "seq": seq, "generation": gen,
                                                       "model": model, "dim": dim, "fit": fit}))


def _majority(models: dict[str, str | None]) -> str | None:
    counts: dict[str, int] = {}
    for mod in models.values():
        if mod:
            counts[mod] = counts.get(mod, 0) + 1
    return max(counts, key=lambda k: counts[k]) if counts else None


def _model_id(settings: Settings) -> str | None:
    try:
        from casusgraaf.embedding import get_embedder

        return get_embedder(settings).model_id
    except Exception:  # noqa: BLE001 - no model built: the index simply records none
        return None


def _model_dim(settings: Settings) -> int:
    from casusgraaf.embedding import get_embedder

    return get_embedder(settings).dim
