"""The FAISS vector index over case embeddings (derived data: rebuildable from the graph).

Exact search (``IndexFlatIP`` in an ``IndexIDMap2``) while the corpus is small; above
:data:`APPROX_THRESHOLD` vectors an ``IndexIVFFlat`` (inner product). IVF was chosen over HNSW because
FAISS's HNSW cannot remove vectors and loses recall under restrictive ``IDSelector`` filters; IVF removes
in place and a selective filter is handled by probing more lists (see :meth:`VectorIndex.search`).
Measurements: docs/BENCHMARKS.md (section "vectors").

Behaviour of the approximate index:
- it is trained (k-means, ``nlist`` about ``2·sqrt(n)``) when the index is converted or rebuilt;
  ``nprobe`` is then calibrated on a sample of the indexed vectors themselves: the smallest value whose
  recall@10 against exact search is at least :data:`TARGET_RECALL`;
- later upserts go into the existing lists without retraining, removals are in place; when the index
  has grown past 4x the size it was trained on it is retrained on the next upsert (``rebuild()`` forces it);
- with ``kind="auto"`` it falls back to the exact index below half the threshold.

Filters: ``allowed`` becomes an ``IDSelectorBitmap`` over the internal int ids, so FAISS skips other
vectors before ranking; the IVF index probes ``nprobe / fraction allowed`` lists so a selective filter
keeps its recall. The cost of a filter is mostly the mapping of string ids to ints in Python (about
1 µs per allowed id on a busy 2-core machine with a million ids): prefer narrow filters at that scale.
Vectors are expected to be L2-normalised (they are normalised again on the way in), so inner
product is cosine similarity.
"""

from __future__ import annotations

import json
import math
import os
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import faiss as _faiss
import numpy as np

# faiss's SWIG-generated annotations do not describe its Python API (keyword parameters, subclasses, the
# DirectMap enum): use the module untyped rather than scatter ignores.
faiss: Any = _faiss

APPROX_THRESHOLD = 200_000
TARGET_RECALL = 0.97
MIN_IVF_VECTORS = 2_000
_CALIBRATION_QUERIES = 200
_NPROBE_STEPS = (1, 2, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512, 1024, 2048, 4096)
_FORMAT = 1
_NOTHING = object()
_THREADS = max(1, faiss.omp_get_max_threads())


def choose_kind(n: int) -> str:
    """``"flat"`` (exact) below :data:`APPROX_THRESHOLD` vectors, else ``"ivf"`` (approximate)."""
    return "ivf" if n >= APPROX_THRESHOLD else "flat"


class VectorIndex:
    """String case ids -> normalised vectors, searchable by inner product, with pre-filtering."""

    choose_kind = staticmethod(choose_kind)

    def __init__(self, dim: int, kind: str = "auto"):
        if kind not in ("auto", "flat", "ivf"):
            raise ValueError(f"onbekende indexsoort {kind!r} (auto, flat, ivf)")
        self.dim = int(dim)
        self.kind = kind
        self.nprobe = 1
        self.trained_n = 0
        self.calibrated_recall: float | None = None
        self._index = self._new_flat()
        self._to_int: dict[str, int] = {}
        self._to_str: dict[int, str] = {}
        self._next = 0

    # ------------------------------------------------------------------ state
    @property
    def active_kind(self) -> str:
        """What the current FAISS index is: ``"flat"`` or ``"ivf"``."""
        return "ivf" if isinstance(self._index, faiss.IndexIVF) else "flat"

    def __len__(self) -> int:
        return len(self._to_int)

    def __contains__(self, case_id: str) -> bool:
        return case_id in self._to_int

    def ids(self) -> list[str]:
        return list(self._to_int)

    # ------------------------------------------------------------------ writes
    def upsert(self, ids: list[str], vecs: np.ndarray) -> None:
        """Add or replace vectors; an existing id keeps its slot number and gets the new vector."""
        vecs = self._prepare(vecs)
        if len(ids) != len(vecs):
            raise ValueError(f"{len(ids)} ids maar {len(vecs)} vectoren")
        if not ids:
            return
        last = {cid: i for i, cid in enumerate(ids)}  # a duplicate id in one batch: the last one wins
        if len(last) != len(ids):
            keep = sorted(last.values())
            ids, vecs = [ids[i] for i in keep], vecs[keep]
        existing = [self._to_int[c] for c in ids if c in self._to_int]
        if existing:
            self._index.remove_ids(np.asarray(existing, dtype=np.int64))
        labels = np.empty(len(ids), dtype=np.int64)
        for i, cid in enumerate(ids):
            num = self._to_int.get(cid)
            if num is None:
                num = self._next
                self._next += 1
                self._to_int[cid] = num
                self._to_str[num] = cid
            labels[i] = num
        if self._index.ntotal == 0 and self._policy_kind(len(labels)) != self.active_kind:
            self._index = self._build(self._policy_kind(len(labels)), labels, vecs)  # bulk load
            return
        self._index.add_with_ids(vecs, labels)
        self._maybe_convert()

    def remove(self, ids: Iterable[str]) -> int:
        """Remove the given ids (unknown ones are ignored); returns how many were removed."""
        nums = [self._to_int.pop(c) for c in set(ids) if c in self._to_int]
        if nums:
            for num in nums:
                del self._to_str[num]
            self._index.remove_ids(np.asarray(nums, dtype=np.int64))
            self._maybe_convert()
        return len(nums)

    def rebuild(self, kind: str | None = None) -> None:
        """Rebuild the FAISS index from its own vectors (``kind``: ``"flat"``/``"ivf"``, default by size)."""
        labels, vecs = self._export()  # views into the old index where possible: it lives until replaced
        self._index = self._build(kind or self._policy_kind(len(labels)), labels, vecs)

    def _build(self, kind: str, labels: np.ndarray, vecs: np.ndarray) -> faiss.Index:
        if kind != "ivf":
            self.nprobe, self.trained_n, self.calibrated_recall = 1, 0, None
            index = self._new_flat()
            index.add_with_ids(vecs, labels)
            return index
        index = self._train_ivf(vecs)
        index.add_with_ids(vecs, labels)
        self._calibrate(index, vecs, labels)
        return index

    # ------------------------------------------------------------------ reads
    def search(self, vec: np.ndarray, k: int, allowed: set[str] | None = None) -> list[tuple[str, float]]:
        """Top ``k`` (id, cosine) for one query vector; ``allowed`` restricts the candidates first."""
        return self.search_many(np.asarray(vec, dtype=np.float32).reshape(1, -1), k, allowed)[0]

    def search_many(
        self, vecs: np.ndarray, k: int, allowed: set[str] | None = None
    ) -> list[list[tuple[str, float]]]:
        """:meth:`search` for a batch of query vectors (one ranked list per row)."""
        queries = self._prepare(vecs)
        if k <= 0 or not self._to_int or len(queries) == 0:
            return [[] for _ in range(len(queries))]
        k = min(k, len(self._to_int))
        params, keep = self._params(allowed)
        if params is _NOTHING:  # no allowed id is in the index
            return [[] for _ in range(len(queries))]
        # One query: one OpenMP thread. FAISS cannot split a single query usefully, and idle OpenMP
        # workers spinning against the BLAS/torch pools on a 2-core machine cost 10-30 ms per call.
        faiss.omp_set_num_threads(1 if len(queries) == 1 else _THREADS)
        try:
            scores, labels = self._index.search(queries, k, params=params)
        finally:
            faiss.omp_set_num_threads(_THREADS)
        del keep
        to_str = self._to_str
        return [
            [(to_str[int(lab)], float(s)) for lab, s in zip(row_l, row_s, strict=True) if lab >= 0]
            for row_l, row_s in zip(labels, scores, strict=True)
        ]

    def vector(self, case_id: str) -> np.ndarray:
        """The stored vector of ``case_id`` (KeyError when absent)."""
        return self._index.reconstruct(self._to_int[case_id])

    def with_changes(self, ids: list[str], vecs: np.ndarray, removed: Iterable[str] = ()) -> OverlayIndex:
        """A copy-on-write view: this index (not changed, queries may be using it) plus ``ids``/``vecs`` added or
        replaced and ``removed`` hidden. Costs O(change), not O(index) (cloning FAISS at 100k took 0.5-2.7 s)."""
        return OverlayIndex(self).with_changes(ids, vecs, removed)

    # ------------------------------------------------------------------ persistence
    def save(self, directory: str | Path) -> Path:
        """Write the index and its id map; ``ids.json`` is renamed last and names the index file."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        index_name = f"vectors-{uuid.uuid4().hex[:12]}.faiss"
        tmp_index = directory / (index_name + ".tmp")
        faiss.write_index(self._index, str(tmp_index))
        os.replace(tmp_index, directory / index_name)
        meta = {
            "format": _FORMAT,
            "index_file": index_name,
            "dim": self.dim,
            "kind": self.kind,
            "active_kind": self.active_kind,
            "nprobe": self.nprobe,
            "trained_n": self.trained_n,
            "calibrated_recall": self.calibrated_recall,
            "next": self._next,
            "ids": list(self._to_int),
            "nums": list(self._to_int.values()),
        }
        tmp_meta = directory / "ids.json.tmp"
        with open(tmp_meta, "w", encoding="utf-8") as fh:
            json.dump(meta, fh, ensure_ascii=False)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp_meta, directory / "ids.json")
        for old in directory.glob("vectors-*.faiss"):
            if old.name != index_name:
                old.unlink(missing_ok=True)
        return directory

    @classmethod
    def load(cls, directory: str | Path) -> VectorIndex:
        directory = Path(directory)
        meta_path = directory / "ids.json"
        if not meta_path.is_file():
            raise FileNotFoundError(f"geen vectorindex in {directory}")
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if meta.get("format") != _FORMAT:
            raise ValueError(f"vectorindex {directory}: onbekend formaat {meta.get('format')!r}")
        index = cls(meta["dim"], meta["kind"])
        index._index = faiss.read_index(str(directory / meta["index_file"]))
        index.nprobe = int(meta["nprobe"])
        index.trained_n = int(meta["trained_n"])
        index.calibrated_recall = meta.get("calibrated_recall")
        index._next = int(meta["next"])
        index._to_int = dict(zip(meta["ids"], meta["nums"], strict=True))
        index._to_str = {num: cid for cid, num in index._to_int.items()}
        if index._index.ntotal != len(index._to_int):
            raise ValueError(f"vectorindex {directory} is inconsistent; bouw hem opnieuw op uit de graaf")
        return index

    # ------------------------------------------------------------------ internals
    def _new_flat(self) -> faiss.Index:
        return faiss.IndexIDMap2(faiss.IndexFlatIP(self.dim))

    def _prepare(self, vecs: np.ndarray) -> np.ndarray:
        arr = np.array(vecs, dtype=np.float32, order="C", copy=True, ndmin=2)
        if arr.shape[1] != self.dim:
            raise ValueError(f"vectoren van dimensie {arr.shape[1]}, index heeft {self.dim}")
        if len(arr):
            faiss.normalize_L2(arr)
        return arr

    def _params(self, allowed: set[str] | None):
        """Search parameters with an ``IDSelectorBitmap`` for ``allowed`` (``_NOTHING``: nothing allowed)."""
        ivf = self.active_kind == "ivf"
        if allowed is None:
            return (faiss.SearchParametersIVF(nprobe=self.nprobe) if ivf else None), None
        try:  # fast path: every allowed id is indexed
            nums = np.fromiter(map(self._to_int.__getitem__, allowed), dtype=np.int64, count=len(allowed))
        except KeyError:
            get = self._to_int.get
            nums = np.fromiter((n for n in map(get, allowed) if n is not None), dtype=np.int64)
        if len(nums) == 0:
            return _NOTHING, None
        mask = np.zeros(self._next, dtype=bool)
        mask[nums] = True
        bits = np.packbits(mask, bitorder="little")
        sel = faiss.IDSelectorBitmap(len(bits), faiss.swig_ptr(bits))
        if not ivf:
            return faiss.SearchParameters(sel=sel), (bits, sel)
        # A filter keeps a fraction f of the vectors; probing nprobe/f lists keeps the expected number
        # of admissible candidates (and so the recall) of an unfiltered search.
        frac = len(nums) / max(len(self._to_int), 1)
        nlist = self._index.nlist
        nprobe = min(nlist, math.ceil(self.nprobe / max(frac, 1e-9)))
        return faiss.SearchParametersIVF(sel=sel, nprobe=nprobe), (bits, sel)

    def _policy_kind(self, n: int) -> str:
        if self.kind == "flat":
            return "flat"
        if self.kind == "ivf":
            return "ivf" if n >= MIN_IVF_VECTORS else "flat"
        return choose_kind(n)

    def _maybe_convert(self) -> None:
        n = len(self._to_int)
        active = self.active_kind
        if active == "flat" and self._policy_kind(n) == "ivf":
            self.rebuild("ivf")
        elif active == "ivf":
            floor = APPROX_THRESHOLD // 2 if self.kind == "auto" else MIN_IVF_VECTORS // 2
            if self.kind == "flat" or n < floor:
                self.rebuild("flat")
            elif n > 4 * self.trained_n:
                self.rebuild("ivf")

    def _export(self) -> tuple[np.ndarray, np.ndarray]:
        """All (labels, vectors) currently in the FAISS index, read without per-id calls."""
        index = self._index
        if isinstance(index, faiss.IndexIVF):
            inv = index.invlists
            labels, vecs = [], []
            for lst in range(index.nlist):
                size = inv.list_size(lst)
                if size:
                    ids = faiss.rev_swig_ptr(inv.get_ids(lst), size)
                    codes = faiss.rev_swig_ptr(inv.get_codes(lst), size * index.code_size)
                    labels.append(np.array(ids, dtype=np.int64))
                    vecs.append(np.frombuffer(codes, dtype=np.float32).reshape(size, self.dim).copy())
            if not labels:
                return np.zeros(0, np.int64), np.zeros((0, self.dim), np.float32)
            return np.concatenate(labels), np.concatenate(vecs)
        labels = faiss.vector_to_array(index.id_map).astype(np.int64)
        flat = faiss.downcast_index(index.index)
        vecs = faiss.rev_swig_ptr(flat.get_xb(), flat.ntotal * self.dim).reshape(-1, self.dim)
        return labels, vecs

    def _train_ivf(self, vecs: np.ndarray) -> faiss.IndexIVFFlat:
        n = len(vecs)
        nlist = int(min(4096, max(16, 2 * math.sqrt(n), 1)))
        nlist = min(nlist, max(1, n // 39))
        quantizer = faiss.IndexFlatIP(self.dim)
        ivf = faiss.IndexIVFFlat(quantizer, self.dim, nlist, faiss.METRIC_INNER_PRODUCT)
        ivf.cp.seed = 1234
        sample = vecs
        if n > 40 * nlist:
            rng = np.random.default_rng(1234)
            sample = vecs[np.sort(rng.choice(n, 40 * nlist, replace=False))]
        ivf.train(sample)
        ivf.set_direct_map_type(faiss.DirectMap.Hashtable)  # remove_ids + reconstruct by label
        self.trained_n = n
        return ivf

    def _calibrate(self, ivf: faiss.IndexIVF, vecs: np.ndarray, labels: np.ndarray, k: int = 10) -> None:
        """Pick the smallest nprobe whose recall@k (the query's own vector excluded) meets the target."""
        n = len(vecs)
        rng = np.random.default_rng(99)
        pick = rng.choice(n, min(_CALIBRATION_QUERIES, n), replace=False)
        queries = vecs[pick]
        _, truth_pos = faiss.knn(queries, vecs, k + 1, metric=faiss.METRIC_INNER_PRODUCT)
        truth = [
            {int(labels[i]) for i in row if i >= 0 and i != p}
            if p in row
            else {int(labels[i]) for i in row[:k]}
            for row, p in zip(truth_pos, pick, strict=True)
        ]
        for nprobe in [p for p in _NPROBE_STEPS if p < ivf.nlist] + [ivf.nlist]:
            _, got = ivf.search(queries, k + 1, params=faiss.SearchParametersIVF(nprobe=nprobe))
            hits = 0
            total = 0
            for row, p, t in zip(got, pick, truth, strict=True):
                found = [x for x in row.tolist() if x >= 0 and x != labels[p]][: len(t)]
                hits += len(t.intersection(found))
                total += len(t)
            recall = hits / max(total, 1)
            if recall >= TARGET_RECALL:
                break
        self.nprobe, self.calibrated_recall = nprobe, recall


class OverlayIndex:
    """A :class:`VectorIndex` (the base, never changed) plus a small exact overlay of added or replaced vectors
    and a set of base ids hidden (removed or replaced): what a running engine uses between full loads."""

    def __init__(self, base: VectorIndex) -> None:
        self.base = base
        self.dim = base.dim
        self._over: dict[str, int] = {}
        self._vecs = np.zeros((0, base.dim), dtype=np.float32)
        self._hidden: frozenset[str] = frozenset()

    @property
    def active_kind(self) -> str:
        return self.base.active_kind

    @property
    def changed(self) -> int:
        """How many vectors differ from the base (added, replaced or hidden)."""
        return len(self._over) + len(self._hidden)

    def __len__(self) -> int:  # an overlay id that is also in the base is hidden there
        return len(self.base) - len(self._hidden) + len(self._over)

    def __contains__(self, case_id: str) -> bool:
        return case_id in self._over or (case_id in self.base and case_id not in self._hidden)

    def ids(self) -> list[str]:
        return [c for c in self.base.ids() if c not in self._hidden and c not in self._over] + list(self._over)

    def with_changes(self, ids: list[str], vecs: np.ndarray, removed: Iterable[str] = ()) -> OverlayIndex:
        vecs = self.base._prepare(vecs) if len(ids) else np.zeros((0, self.dim), dtype=np.float32)
        removed = set(removed)
        gone = removed | set(ids)
        if removed & set(ids):  # removed wins
            sel = [j for j, c in enumerate(ids) if c not in removed]
            ids, vecs = [ids[j] for j in sel], vecs[sel]
        keep = [(c, i) for c, i in self._over.items() if c not in gone]
        out = OverlayIndex(self.base)
        names = [c for c, _ in keep] + list(ids)
        out._over = {c: j for j, c in enumerate(names)}
        out._vecs = np.vstack([self._vecs[[i for _, i in keep]], vecs]) if keep else vecs
        out._hidden = self._hidden | frozenset(c for c in gone if c in self.base)
        return out

    def vector(self, case_id: str) -> np.ndarray:
        i = self._over.get(case_id)
        if i is not None:
            return self._vecs[i]
        if case_id in self._hidden:
            raise KeyError(case_id)
        return self.base.vector(case_id)

    def search(self, vec: np.ndarray, k: int, allowed: set[str] | None = None) -> list[tuple[str, float]]:
        q = self.base._prepare(np.asarray(vec, dtype=np.float32).reshape(1, -1))[0]
        hidden = self._hidden
        hits = [(c, s) for c, s in self.base.search(q, k + len(hidden), allowed) if c not in hidden]
        if len(self._over):
            scores = self._vecs @ q
            for c, j in self._over.items():
                if allowed is None or c in allowed:
                    hits.append((c, float(scores[j])))
        hits.sort(key=lambda t: -t[1])
        return hits[:k]
