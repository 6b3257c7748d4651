"""The derived indexes (FAISS dense, char n-gram lexical), kept in step with the graph.

The graph is the source of truth: every vector lives on its Casus node, so :meth:`Indexes.rebuild`
recreates everything without running the model. Writers take a file lock so a CLI ingest and a
running server never write the index files at the same time; files are replaced atomically.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from casusgraaf.config import Settings
from casusgraaf.files import exclusive_lock, private_dir
from casusgraaf.graph import GraphStore, load_query
from casusgraaf.progress import Progress
from casusgraaf.search.lexical import LexicalIndex

MANIFEST = "manifest.json"


class Indexes:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.dir: Path = settings.index_dir

    @contextmanager
    def locked(self) -> Iterator[None]:
        with exclusive_lock(private_dir(self.dir) / ".lock"):
            yield

    def load_dense(self):
        from casusgraaf.search.vectors import VectorIndex

        path = self.dir / "dense"
        return VectorIndex.load(path) if path.is_dir() and any(path.iterdir()) else None

    def load_lexical(self) -> LexicalIndex | None:
        return LexicalIndex.load(self.dir)

    def generation(self) -> int:
        path = self.dir / MANIFEST
        return json.loads(path.read_text())["generation"] if path.exists() else -1

    def _write_manifest(self, store: GraphStore) -> None:
        gen = store.run(load_query("state_get"))[0]["generation"]
        tmp = self.dir / (MANIFEST + ".tmp")
        tmp.write_text(json.dumps({"generation": gen}))
        tmp.replace(self.dir / MANIFEST)

    def apply(self, store: GraphStore, upserts: dict[str, np.ndarray] | None = None,
              removed: list[str] | None = None) -> None:
        """Incremental update after an ingest or delete; falls back to a rebuild when files are missing."""
        with self.locked():
            dense = self._safe_load_dense()
            if dense is None:
                self._rebuild_unlocked(store, progress=False, known=upserts)
                return
            if upserts:
                ids = list(upserts)
                dense.upsert(ids, np.vstack([np.asarray(upserts[i], dtype=np.float32) for i in ids]))
            if removed:
                dense.remove(list(removed))
            dense.save(self.dir / "dense")
            self._rebuild_lexical(store)
            self._write_manifest(store)

    def _safe_load_dense(self):
        try:
            return self.load_dense()
        except (OSError, ValueError, RuntimeError):
            return None

    def rebuild(self, store: GraphStore, progress: bool = False) -> dict:
        with self.locked():
            return self._rebuild_unlocked(store, progress)

    def _rebuild_unlocked(self, store: GraphStore, progress: bool,
                          known: dict[str, np.ndarray] | None = None) -> dict:
        """``known``: vectors the caller already has (a first ingest), so only the rest is read back."""
        from casusgraaf.search.vectors import VectorIndex

        cases = store.run(load_query("search_load_cases"))
        known = known or {}
        kept = [c["id"] for c in cases if c["id"] in known]
        vectors = [np.asarray(known[cid], dtype=np.float32) for cid in kept]
        ids = [c["id"] for c in cases if c["id"] not in known]
        query = load_query("search_load_embeddings")
        with Progress(enabled=progress) as bar:
            task = bar.add("Vectoren uit de graaf laden", total=len(ids))
            for i in range(0, len(ids), 500):
                for row in store.run(query, {"ids": ids[i:i + 500]}):
                    if row.get("embedding"):
                        kept.append(row["id"])
                        vectors.append(np.asarray(row["embedding"], dtype=np.float32))
                bar.advance(task, len(ids[i:i + 500]))
        dim = vectors[0].shape[0] if vectors else _model_dim(self.settings)
        dense = VectorIndex(dim)
        if kept:
            dense.upsert(kept, np.vstack(vectors))
        dense.save(self.dir / "dense")
        lex = self._rebuild_lexical(store, cases)
        self._write_manifest(store)
        return {"cases": len(cases), "vectors": len(kept), "lexical": len(lex), "dim": dim}

    def _rebuild_lexical(self, store: GraphStore, cases: list[dict] | None = None) -> LexicalIndex:
        cases = cases if cases is not None else store.run(load_query("search_load_cases"))
        lex = LexicalIndex().build([c["id"] for c in cases], [c["tekst"] or "" for c in cases],
                                   {c["id"]: c["hash"] for c in cases})
        lex.save(self.dir)
        return lex


def _model_dim(settings: Settings) -> int:
    from casusgraaf.embedding import get_embedder

    return get_embedder(settings).dim
