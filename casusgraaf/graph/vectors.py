"""Where case vectors live: a float32 sidecar file in the data dir, and a compact copy on the Casus node.

Measured (docs/BENCHMARKS.md, "ingest"): reading 10,000 vectors back from FalkorDB took 63 s as lists of floats
and 30 s as native ``vecf32`` (the client parses every float from text), 1.6 s as one base64 string per case,
and 0.002 s from a numpy file. So:

- ``data/vectors/<file>.f32`` holds the vectors as raw float32 rows, append-only (a row, once written, never
  changes), memory-mapped for reading; ``meta.json`` names the current file, the model and the dimension.
- each Casus node carries ``embedding`` (the same vector as one base64 string of little-endian float32:
  compact, engine-neutral, the source of truth when the sidecar is missing) and ``embedding_ref``
  (``<file>:<row>``, the sidecar row that holds it).

Crash safety follows the ingest order: rows are appended and fsynced first, the graph rows (with the ref) next,
the content hash last. A run that stops before the hash leaves the case "changed", so the next run appends new
rows and writes a new ref; rows nobody refers to are harmless garbage. Readers trust a ref only when its file
is the current one and the row exists; otherwise they decode the node's own copy.
"""

from __future__ import annotations

import base64
import json
import os
import uuid
from pathlib import Path
from typing import Any

import numpy as np

from casusgraaf.config import Settings
from casusgraaf.files import exclusive_lock, private_dir, write_private
from casusgraaf.graph.base import GraphStore
from casusgraaf.graph.queries import load_query

META = "meta.json"


def encode(vec: np.ndarray) -> str:
    """A vector as one compact graph property: base64 of its little-endian float32 bytes."""
    return base64.b64encode(np.asarray(vec, dtype="<f4").tobytes()).decode("ascii")


def decode(value: Any) -> np.ndarray | None:
    """The node's ``embedding`` property back as float32 (base64 string, or a list from older data dirs)."""
    if value is None or (isinstance(value, list | tuple) and not value):
        return None
    if isinstance(value, str):
        return np.frombuffer(base64.b64decode(value), dtype="<f4").astype(np.float32)
    return np.asarray(value, dtype=np.float32)


def vectors_dir(settings: Settings) -> Path:
    return settings.data_dir / "vectors"


class VectorFile:
    """The sidecar of one data dir. ``model``/``dim`` pick (or start) the file: vectors of another model never
    mix with the current ones."""

    def __init__(self, settings: Settings) -> None:
        self.dir = vectors_dir(settings)

    def meta(self) -> dict | None:
        path = self.dir / META
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def append(self, vecs: np.ndarray, model: str) -> list[str]:
        """Append ``vecs`` (n × dim) durably; returns one ref per row. A new model or dimension starts a new file
        (the old one is removed: its refs then fall back to the graph's copy)."""
        arr = np.ascontiguousarray(vecs, dtype="<f4")
        if arr.ndim != 2 or not len(arr):
            return []
        dim = int(arr.shape[1])
        private_dir(self.dir)
        with exclusive_lock(self.dir / ".lock"):
            meta = self.meta()
            if meta is None or meta.get("model") != model or int(meta.get("dim", -1)) != dim:
                old = meta["file"] if meta else None
                meta = {"file": uuid.uuid4().hex[:12], "model": model, "dim": dim}
                write_private(self.dir / META, json.dumps(meta))
                if old:
                    (self.dir / f"{old}.f32").unlink(missing_ok=True)
            path = self.dir / f"{meta['file']}.f32"
            row_bytes = 4 * dim
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                size = os.fstat(fd).st_size
                first = size // row_bytes
                if size != first * row_bytes:  # a torn row from a crash: nobody refers to it
                    os.ftruncate(fd, first * row_bytes)
                os.lseek(fd, first * row_bytes, os.SEEK_SET)
                view = memoryview(arr.tobytes())
                while view:
                    view = view[os.write(fd, view):]
                os.fsync(fd)
            finally:
                os.close(fd)
        return [f"{meta['file']}:{first + i}" for i in range(len(arr))]

    def erase(self, refs: list[str | None]) -> int:
        """Overwrite the rows of ``refs`` with zeros (a deleted case leaves no vector behind); returns how many."""
        meta = self.meta()
        if meta is None:
            return 0
        prefix, row_bytes, done = meta["file"] + ":", 4 * int(meta["dim"]), 0
        rows = [int(r[len(prefix):]) for r in refs if r and r.startswith(prefix)]
        if not rows:
            return 0
        with exclusive_lock(self.dir / ".lock"):
            fd = os.open(self.dir / f"{meta['file']}.f32", os.O_RDWR)
            try:
                size = os.fstat(fd).st_size
                for row in rows:
                    if (row + 1) * row_bytes <= size:
                        os.pwrite(fd, bytes(row_bytes), row * row_bytes)
                        done += 1
                os.fsync(fd)
            finally:
                os.close(fd)
        return done

    def read(self, refs: list[str | None]) -> tuple[np.ndarray, np.ndarray]:
        """(found mask, matrix) for ``refs``; rows not found (other file, beyond the end, no ref) are zero."""
        meta = self.meta()
        found = np.zeros(len(refs), dtype=bool)
        if meta is None:
            return found, np.zeros((len(refs), 0), dtype=np.float32)
        dim = int(meta["dim"])
        out = np.zeros((len(refs), dim), dtype=np.float32)
        path = self.dir / f"{meta['file']}.f32"
        try:
            rows_total = path.stat().st_size // (4 * dim)
        except OSError:
            return found, out
        if rows_total == 0:
            return found, out
        prefix = meta["file"] + ":"
        rows = np.full(len(refs), -1, dtype=np.int64)
        for i, ref in enumerate(refs):
            if ref and ref.startswith(prefix):
                rows[i] = int(ref[len(prefix):])
        found = (rows >= 0) & (rows < rows_total)
        if found.any():
            mm = np.memmap(path, dtype="<f4", mode="r", shape=(rows_total, dim))
            out[found] = mm[rows[found]]
            del mm
        return found, out


def load_vectors(store: GraphStore, settings: Settings, ids: list[str] | None = None,
                 refs: dict[str, str | None] | None = None) -> tuple[list[str], np.ndarray]:
    """Vectors of ``ids`` (None: every case), from the sidecar where the graph's ref resolves, else from the
    node's own copy. Cases without any vector are left out; returns (ids, matrix) in the same order."""
    if refs is None:
        refs = {}
        if ids is None:
            for row in store.run(load_query("search_load_vector_refs")):
                refs[row["id"]] = row["ref"]
        else:
            query = load_query("search_load_vector_refs_by_id")
            for i in range(0, len(ids), 5000):
                for row in store.run(query, {"ids": ids[i:i + 5000]}):
                    refs[row["id"]] = row["ref"]
    wanted = list(refs) if ids is None else [i for i in ids if i in refs]
    found, matrix = VectorFile(settings).read([refs[i] for i in wanted])
    missing = [cid for cid, ok in zip(wanted, found, strict=True) if not ok]
    extra: dict[str, np.ndarray] = {}
    query = load_query("search_load_embeddings")
    for i in range(0, len(missing), 500):
        for row in store.run(query, {"ids": missing[i:i + 500]}):
            vec = decode(row.get("embedding"))
            if vec is not None:
                extra[row["id"]] = vec
    if not extra:
        keep = [i for i, ok in enumerate(found) if ok]
        return [wanted[i] for i in keep], matrix[keep] if len(keep) != len(wanted) else matrix
    dim = matrix.shape[1] if found.any() else len(next(iter(extra.values())))
    out_ids, rows = [], []
    for i, cid in enumerate(wanted):
        if found[i]:
            out_ids.append(cid)
            rows.append(matrix[i])
        elif cid in extra and len(extra[cid]) == dim:
            out_ids.append(cid)
            rows.append(extra[cid])
    return out_ids, (np.vstack(rows).astype(np.float32) if rows else np.zeros((0, dim), np.float32))
