"""Small, dependency-free statistics for the figures: percentiles and a one-sided Fisher exact test."""

from __future__ import annotations

import math
from collections.abc import Sequence


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0..100) with linear interpolation between closest ranks (numpy's default)."""
    if not values:
        return None
    xs = sorted(values)
    pos = (len(xs) - 1) * q / 100.0
    lo = math.floor(pos)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def _log_comb(n: int, k: int) -> float:
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)


def fisher_greater(a: int, n1: int, b: int, n0: int) -> float:
    """One-sided Fisher exact test: P(X >= a) for X ~ Hypergeometric, where ``a`` of the ``n1`` cases of
    the target period and ``b`` of the ``n0`` cases before carry the item. Small p: the share in the target
    period is higher than chance allows."""
    total, k = n1 + n0, a + b
    if n1 == 0 or k == 0:
        return 1.0
    denom = _log_comb(total, n1)
    lo, hi = a, min(k, n1)
    terms = [_log_comb(k, x) + _log_comb(total - k, n1 - x) - denom for x in range(lo, hi + 1)
             if n1 - x <= total - k]
    if not terms:
        return 0.0
    m = max(terms)
    return min(1.0, math.exp(m) * sum(math.exp(t - m) for t in terms))


def benjamini_hochberg(pvalues: Sequence[float]) -> list[float]:
    """Benjamini-Hochberg adjusted p-values (q-values), in the input order."""
    n = len(pvalues)
    order = sorted(range(n), key=lambda i: pvalues[i])
    q = [0.0] * n
    running = 1.0
    for rank in range(n, 0, -1):
        i = order[rank - 1]
        running = min(running, pvalues[i] * n / rank)
        q[i] = running
    return q


def round_sig(x: float | None, digits: int = 2) -> float | None:
    if x is None or x == 0:
        return x
    return round(x, -int(math.floor(math.log10(abs(x)))) + digits - 1)
