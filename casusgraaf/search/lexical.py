"""Lexical signal: character n-gram TF-IDF (char_wb, 3–5).

Chosen by measurement (shared/research/embeddings.md): on Dutch paraphrases char n-grams found the
reworded twin first far more often than word TF-IDF or BM25 (P@1 0.54 vs 0.13–0.21), because they match
inflections and compound parts ("bijstandsuitkering" ~ "bijstand"). The evaluation in docs/QUALITY.md
re-measures this on our own labelled set.

Incremental: the vocabulary and IDF are fitted once (:meth:`LexicalStore.refit`, on at most
:data:`FIT_SAMPLE` texts spread over the corpus) and then kept fixed; new and changed cases are only
``transform``-ed and appended, removed ones marked dead. A refit happens in ``casusgraaf reindex``, and by itself
when the corpus has grown past :data:`REFIT_GROWTH` times its size at the last fit. On disk
(``index/lexical/``) the rows live in segments of at most :data:`SEGMENT_ROWS` rows, so neither a write nor
a refit ever holds the whole matrix; ``state.pkl`` (replaced atomically, written last) names the fit, the
segments and the live row of every case.
"""

from __future__ import annotations

import os
import pickle
import uuid
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

FORMAT = 2
FIT_SAMPLE = 20_000  # texts the vocabulary/IDF is fitted on (evenly spread over the corpus)
REFIT_GROWTH = 2.0  # refit when the corpus is this many times its size at the last fit
SEGMENT_ROWS = 2_000  # rows per segment file (the tail segment is rewritten on each change)
COMPACT_DEAD = 0.25  # rewrite the segments when this share of the rows is dead (changed or removed cases)


def new_vectorizer() -> TfidfVectorizer:
    return TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), lowercase=True, sublinear_tf=True, min_df=1,
                           max_features=400_000, dtype=np.float32)


class LexicalIndex:
    """The in-memory index of one engine state: rows in parts (a large base and a small tail) so a change set
    is applied by adding a tail, never by copying the base (:meth:`with_rows`)."""

    def __init__(self) -> None:
        self.ids: list[str | None] = []  # row -> case id (None: a dead row)
        self.hashes: dict[str, str] = {}
        self._pos: dict[str, int] = {}
        self.vectorizer: TfidfVectorizer | None = None
        self.fit_id: str | None = None
        self.parts: list[Any] = []  # CSR matrices, rows in order
        self._offsets: np.ndarray = np.zeros(1, dtype=np.int64)
        self._matrix = None

    def __len__(self) -> int:
        return len(self._pos)

    @property
    def matrix(self):
        """All rows as one CSR matrix (built on first use; the engine scores the parts directly)."""
        if self._matrix is None and self.parts:
            self._matrix = self.parts[0] if len(self.parts) == 1 else sp.vstack(self.parts, format="csr")
        return self._matrix

    def build(self, ids: list[str], texts: list[str], hashes: dict[str, str] | None = None) -> LexicalIndex:
        """Fit on ``texts`` and index them (small corpora, tests)."""
        vectorizer = new_vectorizer()
        matrix = vectorizer.fit_transform(texts) if ids else None
        return self._set(vectorizer if ids else None, uuid.uuid4().hex[:12], list(ids),
                         [matrix] if matrix is not None else [], hashes)

    def _set(self, vectorizer, fit_id, ids, parts, hashes=None, pos: dict[str, int] | None = None) -> LexicalIndex:
        self.vectorizer, self.fit_id, self.parts = vectorizer, fit_id, parts
        self.ids = ids
        self._pos = pos if pos is not None else {cid: i for i, cid in enumerate(ids) if cid is not None}
        self.hashes = dict(hashes or {})
        self._offsets = np.cumsum([0] + [p.shape[0] for p in parts]).astype(np.int64)
        self._matrix = None
        return self

    def with_rows(self, ids: list[str], rows, removed: list[str] = ()) -> LexicalIndex:  # type: ignore[assignment]
        """A new index with ``rows`` (CSR, one per id) added or replacing the old rows of those ids, and ``removed``
        dropped; this index is not changed (queries may be using it)."""
        out = LexicalIndex()
        new_ids = list(self.ids)
        pos = self._pos.copy()  # O(changes) besides this copy: no per-row Python work (measured: 130 ms at 100k)
        for cid in list(ids) + list(removed):
            i = pos.pop(cid, None)
            if i is not None:
                new_ids[i] = None
        parts = list(self.parts)
        if ids:
            first = len(new_ids)
            new_ids += list(ids)
            pos.update((cid, first + j) for j, cid in enumerate(ids))
            base_rows = int(self._offsets[1]) if len(parts) > 1 else None
            if base_rows is not None and len(parts) == 2:  # keep two parts: base + one growing tail
                parts[1] = sp.vstack([parts[1], rows], format="csr")
            else:
                parts.append(sp.csr_matrix(rows))
        gone = set(removed)
        out._set(self.vectorizer, self.fit_id, new_ids, parts, pos=pos)
        out.hashes = {k: v for k, v in self.hashes.items() if k not in gone} if gone else dict(self.hashes)
        return out

    def vector(self, text: str):
        return self.vectorizer.transform([text]) if self.vectorizer is not None else None

    def row(self, case_id: str):
        i = self._pos.get(case_id)
        if i is None or not self.parts:
            return None
        k = int(np.searchsorted(self._offsets, i, side="right")) - 1
        return self.parts[k][i - int(self._offsets[k])]

    def scores(self, query_vec, rows: np.ndarray | None = None) -> np.ndarray:
        """Cosine similarity of the query against every row, or only ``rows`` (rows are L2-normalised; dead rows
        score too, callers map rows to cases). The query is densified first: a CSR mat-vec with a dense vector
        measured 6.5x faster than sparse @ sparse at 10k cases (bench/bench_search.py)."""
        n = len(self.ids) if rows is None else len(rows)
        if query_vec is None or not self.parts:
            return np.zeros(n, dtype=np.float32)
        q = np.asarray(query_vec.toarray(), dtype=np.float32).ravel()
        if rows is None:
            return np.concatenate([np.asarray(p @ q, dtype=np.float32).ravel() for p in self.parts])
        rows = np.asarray(rows, dtype=np.int64)
        if len(self.parts) == 1:
            return np.asarray(self.parts[0][rows] @ q, dtype=np.float32).ravel()
        out = np.zeros(len(rows), dtype=np.float32)
        part_of = np.searchsorted(self._offsets, rows, side="right") - 1
        for k, part in enumerate(self.parts):
            sel = np.flatnonzero(part_of == k)
            if len(sel):
                out[sel] = np.asarray(part[rows[sel] - self._offsets[k]] @ q, dtype=np.float32).ravel()
        return out


class LexicalStore:
    """The lexical index on disk (``index/lexical/``): one fit, segments of rows, and ``state.pkl``."""

    def __init__(self, directory: Path) -> None:
        self.dir = directory / "lexical"

    # -- state ------------------------------------------------------------------------------------
    def state(self) -> dict | None:
        try:
            with (self.dir / "state.pkl").open("rb") as fh:
                data = pickle.load(fh)  # noqa: S301 - our own derived file in the private data dir
        except (OSError, EOFError, pickle.UnpicklingError):
            return None
        return data if data.get("format") == FORMAT else None

    def _write_state(self, state: dict) -> None:
        state["format"] = FORMAT
        _dump(self.dir / "state.pkl", state)
        keep = {f"fit-{state['fit']}.pkl", "state.pkl"} | {f"{s}.pkl" for s in state["segments"]}
        keep |= set(state.get("deltas", {}).values())
        for f in self.dir.glob("*.pkl"):
            if f.name not in keep:
                f.unlink(missing_ok=True)

    def vectorizer(self, fit: str) -> TfidfVectorizer:
        with (self.dir / f"fit-{fit}.pkl").open("rb") as fh:
            return pickle.load(fh)["vectorizer"]  # noqa: S301

    def segment(self, name: str) -> dict:
        with (self.dir / f"{name}.pkl").open("rb") as fh:
            return pickle.load(fh)  # noqa: S301

    def delta_rows(self, name: str) -> dict:
        with (self.dir / name).open("rb") as fh:
            return pickle.load(fh)  # noqa: S301

    def needs_refit(self, corpus_n: int) -> bool:
        st = self.state()
        return st is None or corpus_n > REFIT_GROWTH * max(1, st["fit_n"])

    # -- writes -----------------------------------------------------------------------------------
    def refit(self, ids: list[str], texts_of, hashes: dict[str, str] | None = None) -> dict:
        """Fit on at most FIT_SAMPLE of ``ids`` (evenly spread) and index them all, in segments.
        ``texts_of(ids) -> {id: text}`` reads texts in batches (the graph), so memory stays bounded."""
        self.dir.mkdir(parents=True, exist_ok=True)
        step = max(1, -(-len(ids) // FIT_SAMPLE))
        sample = ids[::step]
        vectorizer = new_vectorizer()
        sample_rows, sample_pos = None, {cid: i for i, cid in enumerate(sample)}
        if sample:  # fit_transform once: the sample's rows are kept, only the other texts are transformed
            texts: list[str] = []
            for i in range(0, len(sample), SEGMENT_ROWS):
                got = texts_of(sample[i:i + SEGMENT_ROWS])
                texts += [got.get(c, "") for c in sample[i:i + SEGMENT_ROWS]]
            sample_rows = vectorizer.fit_transform(texts)
            del texts
        fit = uuid.uuid4().hex[:12]
        _dump(self.dir / f"fit-{fit}.pkl", {"vectorizer": vectorizer})
        state = {"fit": fit, "fit_n": len(ids), "segments": [], "sizes": [], "live": {}, "rows": 0, "deltas": {}}
        for i in range(0, len(ids), SEGMENT_ROWS):
            chunk = ids[i:i + SEGMENT_ROWS]
            known = [c for c in chunk if c in sample_pos]
            rest = [c for c in chunk if c not in sample_pos]
            got = texts_of(rest) if rest else {}
            parts = ([sample_rows[[sample_pos[c] for c in known]]] if known and sample_rows is not None else []) + \
                ([vectorizer.transform([got.get(c, "") for c in rest])] if rest else [])
            rows = sp.vstack(parts, format="csr")
            order = {c: j for j, c in enumerate(known + rest)}
            self._append_segment(state, chunk, rows[[order[c] for c in chunk]])
        self._write_state(state)
        return state

    def apply(self, generation: int, upserted: list[str], removed: list[str], texts_of, keep_deltas: int,
              extra: dict | None = None) -> dict:
        """Transform and append the rows of ``upserted`` (fixed vocabulary), drop ``removed``; the rows of this
        change (and ``extra``: what a running engine needs besides them) also go to ``delta-<generation>.pkl``.
        A removed case leaves no row behind: its segment and any change-log file holding it are rewritten
        (erasure). Needs a state (see ``refit``)."""
        state = self.state()
        assert state is not None
        vectorizer = self.vectorizer(state["fit"])
        erase = {state["live"][cid][0] for cid in removed if cid in state["live"]}
        for cid in list(upserted) + list(removed):
            state["live"].pop(cid, None)
        for k in sorted(erase):
            self._rewrite_segment(state, k)
        if removed:
            gone = set(removed)
            for name in state["deltas"].values():
                data = self.delta_rows(name)
                if gone & set(data["ids"]):
                    keep = [j for j, cid in enumerate(data["ids"]) if cid not in gone]
                    data.update(ids=[data["ids"][j] for j in keep], matrix=data["matrix"][keep],
                                cases=[c for c in data.get("cases", []) if c["id"] not in gone],
                                facets=[f for f in data.get("facets", []) if f["id"] not in gone])
                    _dump(self.dir / name, data)
        if upserted:
            got = texts_of(upserted)
            rows = vectorizer.transform([got.get(c, "") for c in upserted])
            name = f"delta-{generation}.pkl"
            _dump(self.dir / name, {"ids": list(upserted), "matrix": rows, "fit": state["fit"], **(extra or {})})
            state["deltas"][generation] = name
            last = len(state["segments"]) - 1
            if last >= 0 and state["sizes"][last] < SEGMENT_ROWS:  # grow the tail segment
                self._rewrite_segment(state, last, list(upserted), rows)
            else:
                self._append_segment(state, list(upserted), rows)
        for gen in sorted(state["deltas"])[:-keep_deltas or None]:
            del state["deltas"][gen]
        if state["rows"] and 1 - len(state["live"]) / state["rows"] > COMPACT_DEAD:
            self._compact(state)
        self._write_state(state)
        return state

    def _rewrite_segment(self, state: dict, k: int, add_ids: list[str] | None = None, add_rows=None) -> None:
        """Segment ``k`` again with its live rows only (plus ``add_ids``/``add_rows`` at the end)."""
        seg = self.segment(state["segments"][k])
        keep = [j for j, cid in enumerate(seg["ids"]) if state["live"].get(cid) == (k, j)]
        ids = [seg["ids"][j] for j in keep] + list(add_ids or [])
        parts = [seg["matrix"][keep]] + ([add_rows] if add_rows is not None else [])
        name = f"seg-{uuid.uuid4().hex[:12]}"
        _dump(self.dir / f"{name}.pkl", {"ids": ids, "matrix": sp.vstack(parts, format="csr", dtype=np.float32)})
        state["rows"] += len(ids) - state["sizes"][k]
        state["segments"][k], state["sizes"][k] = name, len(ids)
        for j, cid in enumerate(ids):
            state["live"][cid] = (k, j)

    def _append_segment(self, state: dict, ids: list[str], matrix) -> None:
        name = f"seg-{uuid.uuid4().hex[:12]}"
        _dump(self.dir / f"{name}.pkl", {"ids": ids, "matrix": sp.csr_matrix(matrix, dtype=np.float32)})
        k = len(state["segments"])
        state["segments"].append(name)
        state["sizes"].append(len(ids))
        state["rows"] += len(ids)
        for j, cid in enumerate(ids):
            state["live"][cid] = (k, j)

    def _compact(self, state: dict) -> None:
        """Rewrite the segments with their live rows only (one segment in memory at a time)."""
        old, live = list(state["segments"]), dict(state["live"])
        state.update(segments=[], sizes=[], live={}, rows=0)
        for k, name in enumerate(old):
            seg = self.segment(name)
            keep = [j for j, cid in enumerate(seg["ids"]) if live.get(cid) == (k, j)]
            if keep:
                self._append_segment(state, [seg["ids"][j] for j in keep], seg["matrix"][keep])

    # -- reads ------------------------------------------------------------------------------------
    def load(self) -> LexicalIndex | None:
        """The whole index as one engine-ready LexicalIndex (dead rows left out)."""
        state = self.state()
        if state is None:
            return None
        ids: list[str | None] = []
        mats = []
        for k, name in enumerate(state["segments"]):
            seg = self.segment(name)
            keep = [j for j, cid in enumerate(seg["ids"]) if state["live"].get(cid) == (k, j)]
            if keep:
                ids += [seg["ids"][j] for j in keep]
                mats.append(seg["matrix"][keep] if len(keep) != len(seg["ids"]) else seg["matrix"])
        matrix = (mats[0] if len(mats) == 1 else sp.vstack(mats, format="csr")) if mats else None
        return LexicalIndex()._set(self.vectorizer(state["fit"]), state["fit"], ids,
                                   [matrix] if matrix is not None else [])


def _dump(path: Path, data: dict) -> None:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:6]}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        pickle.dump(data, fh, protocol=5)
    os.replace(tmp, path)
