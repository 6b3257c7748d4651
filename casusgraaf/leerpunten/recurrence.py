"""Recurrence: does a newer leerpunt repeat an earlier one? A suggestion for a person to confirm
(``casusgraaf leerpunt koppel``), never a link made by itself.

The rule: e5 cosine similarity of the two texts at least :data:`SIM_THRESHOLD` **and** a shared owner or a
shared law (of their cases). The threshold is chosen by measurement on labelled pairs
(``tests/data/leerpunt_pairs.jsonl``, ``python -m tools.quality_leerpunten``; docs/QUALITY.md).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any

import numpy as np

SIM_THRESHOLD = 0.915
"""Chosen on the labelled pairs: the best F1 (docs/QUALITY.md, "Leerpunt recurrence"). At 0.90 recall is higher
(0.86 against 0.76) but on the sample corpus the suggestions between 0.90 and 0.915 were mostly noise."""
PER_LEERPUNT = 3
"""At most this many earlier leerpunten are suggested for one leerpunt (the most similar)."""

_vectors: dict[tuple[str, str], np.ndarray] = {}
_lock = threading.Lock()


def vectors(embedder, texts: list[str]) -> np.ndarray:
    """Normalised passage vectors of ``texts`` (cached per model and text: pages ask again and again)."""
    model = getattr(embedder, "model_id", "") or ""
    with _lock:
        missing = list(dict.fromkeys(t for t in texts if (model, t) not in _vectors))
    if missing:
        new = embedder.embed_passages(missing)
        with _lock:
            if len(_vectors) > 50_000:
                _vectors.clear()
            _vectors.update({(model, t): v for t, v in zip(missing, new, strict=True)})
    with _lock:
        return np.vstack([_vectors[(model, t)] for t in texts]) if texts else np.zeros((0, 1), dtype="float32")


def shared_context(a: dict, b: dict) -> tuple[list[str], list[str]]:
    """(shared owner names, shared laws) of two leerpunten (``eigenaren`` as names or {naam}, ``wetten``)."""
    def names(x: dict) -> set[str]:
        return {o["naam"] if isinstance(o, dict) else o for o in x.get("eigenaren") or []}
    return sorted(names(a) & names(b)), sorted(set(a.get("wetten") or []) & set(b.get("wetten") or []))


def is_recurrence(similarity: float, shared_owners: Iterable[str], shared_laws: Iterable[str],
                  threshold: float = SIM_THRESHOLD, need_context: bool = True) -> bool:
    if similarity < threshold:
        return False
    return not need_context or bool(list(shared_owners)) or bool(list(shared_laws))


def _order_key(lp: dict) -> tuple[str, str]:
    return (str(lp.get("datum") or ""), lp["id"])


def suggest(items: list[dict], embedder, *, only: set[str] | None = None, threshold: float = SIM_THRESHOLD,
            limit: int = 50, per_leerpunt: int = PER_LEERPUNT) -> list[dict[str, Any]]:
    """Pairs (newer leerpunt → earlier leerpunt) that pass the rule and are not linked yet; ``only``: keep
    pairs whose newer leerpunt is in it. Best first. Only registered leerpunten take part: an extracted one is a
    candidate text (often a heading), to be registered before it can recur."""
    items = [lp for lp in items if lp.get("tekst") and lp.get("bron") != "extractie"]
    if len(items) < 2:
        return []
    vecs = vectors(embedder, [lp["tekst"] for lp in items])
    sims = vecs @ vecs.T
    linked = {(lp["id"], e["id"]) for lp in items for e in lp.get("terugkerend_van") or []}
    out = []
    for i, a in enumerate(items):
        if only is not None and a["id"] not in only:
            continue
        cases_a = {c["id"] for c in a.get("casussen") or []}
        found = []
        for j, b in enumerate(items):
            if i == j or _order_key(b) >= _order_key(a):
                continue  # b must be the earlier one
            if (a["id"], b["id"]) in linked or (b["id"], a["id"]) in linked:
                continue
            if cases_a & {c["id"] for c in b.get("casussen") or []}:
                continue  # two leerpunten of one case do not recur, they coexist
            sim = float(sims[i, j])
            owners, laws = shared_context(a, b)
            if is_recurrence(sim, owners, laws, threshold):
                found.append({"id": a["id"], "tekst": a["tekst"], "eerder": b["id"], "eerder_tekst": b["tekst"],
                            "eerder_datum": b.get("datum"), "gelijkenis": round(sim, 3),
                            "gedeelde_eigenaren": owners, "gedeelde_wetten": laws})
        out += sorted(found, key=lambda f: -f["gelijkenis"])[:per_leerpunt]
    out.sort(key=lambda s: -s["gelijkenis"])
    return out[:limit]


def evaluate(pairs: list[dict], embedder, thresholds: Iterable[float], need_context: bool = True) -> list[dict]:
    """Precision and recall of the rule per threshold on labelled pairs
    (``{"a": {tekst, eigenaren, wetten}, "b": {...}, "terugkerend": bool}``)."""
    texts = [p["a"]["tekst"] for p in pairs] + [p["b"]["tekst"] for p in pairs]
    vecs = vectors(embedder, texts)
    n = len(pairs)
    sims = [float(vecs[k] @ vecs[n + k]) for k in range(n)]
    ctx = [shared_context(p["a"], p["b"]) for p in pairs]
    rows = []
    for t in thresholds:
        pred = [is_recurrence(s, o, w, t, need_context) for s, (o, w) in zip(sims, ctx, strict=True)]
        gold = [bool(p["terugkerend"]) for p in pairs]
        tp = sum(p and g for p, g in zip(pred, gold, strict=True))
        fp = sum(p and not g for p, g in zip(pred, gold, strict=True))
        fn = sum(g and not p for p, g in zip(pred, gold, strict=True))
        prec = tp / (tp + fp) if tp + fp else 1.0
        rec = tp / (tp + fn) if tp + fn else 1.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        rows.append({"threshold": round(t, 3), "precision": round(prec, 3), "recall": round(rec, 3),
                     "f1": round(f1, 3), "tp": tp, "fp": fp, "fn": fn})
    return rows


def pair_similarities(pairs: list[dict], embedder) -> list[float]:
    texts = [p["a"]["tekst"] for p in pairs] + [p["b"]["tekst"] for p in pairs]
    vecs = vectors(embedder, texts)
    return [float(vecs[k] @ vecs[len(pairs) + k]) for k in range(len(pairs))]


__all__ = ["SIM_THRESHOLD", "evaluate", "is_recurrence", "pair_similarities", "shared_context", "suggest", "vectors"]
