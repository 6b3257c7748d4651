"""Rate limits per user: a token bucket per (user, kind), in memory, per server process.

``per_minute`` requests fill a bucket of that size at a steady rate; a request takes one token. When the
bucket is empty the caller learns how many seconds until the next token (HTTP 429 + Retry-After).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable


class RateLimiter:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._buckets: dict[tuple[str, str], tuple[float, float]] = {}  # (tokens, when)
        self._lock = threading.Lock()

    def take(self, user: str, kind: str, per_minute: int) -> int:
        """0 when allowed (one token taken), else the whole seconds to wait. ``per_minute`` 0 = no limit."""
        if per_minute <= 0:
            return 0
        rate = per_minute / 60.0
        now = self.clock()
        with self._lock:
            tokens, when = self._buckets.get((user, kind), (float(per_minute), now))
            tokens = min(float(per_minute), tokens + (now - when) * rate)
            if tokens >= 1.0:
                self._buckets[(user, kind)] = (tokens - 1.0, now)
                return 0
            self._buckets[(user, kind)] = (tokens, now)
            return max(1, math.ceil((1.0 - tokens) / rate))
