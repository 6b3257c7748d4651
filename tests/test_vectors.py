"""The FAISS vector index: real FAISS, exact and approximate."""

from __future__ import annotations

import json

import numpy as np
import pytest

from casusgraaf.search.vectors import VectorIndex, choose_kind

DIM = 384


def unit(rows: int, seed: int = 0) -> np.ndarray:
    x = np.random.default_rng(seed).standard_normal((rows, DIM)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def clustered(n: int, seed: int = 1) -> np.ndarray:
    """Random normalised vectors with topic structure, like text embeddings."""
    rng = np.random.default_rng(seed)
    topics = rng.standard_normal((100, DIM)).astype(np.float32)
    topics /= np.linalg.norm(topics, axis=1, keepdims=True)
    noise = rng.standard_normal((n, DIM)).astype(np.float32) / np.sqrt(DIM)
    x = topics[rng.integers(0, 100, n)] + 0.8 * noise
    return x / np.linalg.norm(x, axis=1, keepdims=True)


@pytest.fixture
def small() -> tuple[VectorIndex, list[str], np.ndarray]:
    vecs = unit(50)
    ids = [f"2024-{i:03d}" for i in range(50)]
    index = VectorIndex(DIM)
    index.upsert(ids, vecs)
    return index, ids, vecs


def test_upsert_and_search_finds_itself(small):
    index, ids, vecs = small
    assert len(index) == 50 and set(index.ids()) == set(ids)
    hits = index.search(vecs[7], k=5)
    assert hits[0][0] == ids[7]
    assert hits[0][1] == pytest.approx(1.0, abs=1e-5)
    assert [s for _, s in hits] == sorted((s for _, s in hits), reverse=True)
    assert index.active_kind == "flat"


def test_search_normalises_and_handles_edges(small):
    index, ids, vecs = small
    assert index.search(vecs[3] * 5.0, k=1)[0] == (ids[3], pytest.approx(1.0, abs=1e-5))
    assert len(index.search(vecs[0], k=500)) == 50
    assert index.search(vecs[0], k=0) == []
    assert VectorIndex(DIM).search(vecs[0], k=3) == []
    with pytest.raises(ValueError):
        index.upsert(["x"], np.zeros((1, 10), np.float32))


def test_remove(small):
    index, ids, vecs = small
    assert index.remove([ids[7], "onbekend"]) == 1
    assert len(index) == 49 and ids[7] not in index
    assert all(c != ids[7] for c, _ in index.search(vecs[7], k=49))
    assert index.remove([ids[7]]) == 0


def test_update_in_place(small):
    index, ids, vecs = small
    index.upsert([ids[7]], vecs[20:21])
    assert len(index) == 50
    top = index.search(vecs[20], k=2)
    assert {c for c, _ in top} == {ids[7], ids[20]}
    assert index.search(vecs[7], k=1)[0][0] != ids[7]
    np.testing.assert_allclose(index.vector(ids[7]), vecs[20], atol=1e-6)


def test_duplicate_ids_in_one_batch_last_wins():
    index = VectorIndex(DIM)
    v = unit(2, seed=5)
    index.upsert(["a", "a"], v)
    assert len(index) == 1
    assert index.search(v[1], k=1)[0] == ("a", pytest.approx(1.0, abs=1e-5))


def test_allowed_filter_applies_before_ranking(small):
    index, ids, vecs = small
    allowed = {ids[1], ids[2], ids[3], "niet-geindexeerd"}
    hits = index.search(vecs[7], k=10, allowed=allowed)
    assert {c for c, _ in hits} == {ids[1], ids[2], ids[3]}  # k results not cut to nothing by ranking
    assert index.search(vecs[7], k=10, allowed=set()) == []
    assert index.search(vecs[7], k=10, allowed={"onbekend"}) == []
    many = index.search_many(vecs[:3], k=2, allowed={ids[0], ids[1]})
    expected = [ids[int(np.argmax(vecs[:2] @ q))] for q in vecs[:3]]
    assert [row[0][0] for row in many] == expected and all(len(row) == 2 for row in many)


def test_save_load_round_trip(small, tmp_path):
    index, ids, vecs = small
    index.remove([ids[0]])
    index.save(tmp_path)
    index.upsert(["later"], unit(1, seed=9))
    index.save(tmp_path)  # a second save replaces the first
    assert len(list(tmp_path.glob("vectors-*.faiss"))) == 1
    assert not list(tmp_path.glob("*.tmp"))
    loaded = VectorIndex.load(tmp_path)
    assert len(loaded) == len(index) == 50 and set(loaded.ids()) == set(index.ids())
    for q in vecs[:5]:
        assert loaded.search(q, 5) == index.search(q, 5)
    loaded.remove([ids[1]])  # removal keeps working after a load
    loaded.upsert(["nieuw"], vecs[1:2])
    assert loaded.search(vecs[1], 1)[0][0] == "nieuw"
    meta = json.loads((tmp_path / "ids.json").read_text(encoding="utf-8"))
    assert meta["dim"] == DIM


def test_load_missing_dir_is_clear(tmp_path):
    with pytest.raises(FileNotFoundError):
        VectorIndex.load(tmp_path / "leeg")


def test_choose_kind():
    assert choose_kind(10) == "flat"
    assert choose_kind(10_000_000) == "ivf"


def test_approximate_index_recall_and_updates(tmp_path):
    n, nq, k = 20_000, 200, 10
    data = clustered(n)
    ids = [f"c{i}" for i in range(n)]
    index = VectorIndex(DIM, kind="ivf")
    index.upsert(ids, data)
    assert index.active_kind == "ivf"
    rng = np.random.default_rng(3)
    queries = data[rng.choice(n, nq, replace=False)] + 0.3 * rng.standard_normal((nq, DIM)).astype(
        np.float32
    ) / np.sqrt(DIM)
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    exact = np.argsort(-(queries @ data.T), axis=1)[:, :k]
    got = index.search_many(queries, k)
    recall = np.mean([len({ids[j] for j in exact[i]} & {c for c, _ in got[i]}) / k for i in range(nq)])
    assert recall >= 0.95, recall

    allowed = set(ids[::20])
    cols = np.arange(0, n, 20)
    exact_f = cols[np.argsort(-(queries @ data[cols].T), axis=1)[:, :k]]
    got_f = index.search_many(queries, k, allowed=allowed)
    assert all(c in allowed for row in got_f for c, _ in row)
    recall_f = np.mean([len({ids[j] for j in exact_f[i]} & {c for c, _ in got_f[i]}) / k for i in range(nq)])
    assert recall_f >= 0.95, recall_f

    # documented behaviour: removals and upserts without retraining, and a persisted index
    index.remove(ids[:100])
    assert len(index) == n - 100 and all(c not in set(ids[:100]) for c, _ in index.search(data[5], 10))
    index.upsert(["nieuw"], data[5:6])
    assert index.search(data[5], 1)[0][0] == "nieuw"
    index.save(tmp_path)
    loaded = VectorIndex.load(tmp_path)
    assert loaded.active_kind == "ivf" and loaded.nprobe == index.nprobe
    assert loaded.search(data[5], 3) == index.search(data[5], 3)
