"""Fusing the signals: weighted normalised scores, or reciprocal rank fusion (RRF).

``CASUSGRAAF_FUSION`` picks the method and ``CASUSGRAAF_WEIGHT_*`` the weights; the defaults were
chosen by the evaluation reported in docs/QUALITY.md.
"""

from __future__ import annotations

import numpy as np

from casusgraaf.config import Settings

RRF_K = 60


def weights(settings: Settings) -> dict[str, float]:
    return {"dense": settings.weight_dense, "lexical": settings.weight_lexical,
            "structural": settings.weight_structural}


def _minmax(x: np.ndarray, mask: np.ndarray) -> np.ndarray:
    out = np.zeros_like(x)
    if not mask.any():
        return out
    vals = x[mask]
    lo, hi = float(vals.min()), float(vals.max())
    if hi - lo < 1e-9:
        out[mask] = 1.0 if hi > 0 else 0.0
        return out
    out[mask] = (vals - lo) / (hi - lo)
    return out


def _rrf(x: np.ndarray, mask: np.ndarray) -> np.ndarray:
    out = np.zeros_like(x)
    idx = np.where(mask & (x > 0))[0]
    order = idx[np.argsort(-x[idx], kind="stable")]
    out[order] = 1.0 / (RRF_K + np.arange(1, len(order) + 1))
    return out


def fuse(raw: dict[str, np.ndarray], mask: np.ndarray, settings: Settings,
         method: str | None = None) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Return the fused score per case and each signal's contribution to it."""
    method = method or settings.fusion
    w = weights(settings)
    active = {name: w.get(name, 1.0) for name in raw}
    total = sum(active.values()) or 1.0
    contributions: dict[str, np.ndarray] = {}
    for name, scores in raw.items():
        part = _rrf(scores, mask) if method == "rrf" else _minmax(scores, mask)
        contributions[name] = part * (active[name] / total)
    fused = np.zeros(len(mask), dtype=np.float32)
    for part in contributions.values():
        fused = fused + part
    return fused, contributions
