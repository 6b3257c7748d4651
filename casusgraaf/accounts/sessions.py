"""Server-side page sessions with an idle timeout.

The browser holds a random session id (cookie); the server keeps only its sha256 with the user, a CSRF
token and when the session was last seen, in ``<data_dir>/accounts/sessies.json`` (0600). A session ends
at logout, after ``idle`` seconds without a request, after ``MAX_AGE`` in all, or when its account is
switched off. ``clock`` (seconds, like ``time.time``) is injectable for tests.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from casusgraaf.files import exclusive_lock, private_dir, write_private

MAX_AGE = 12 * 3600  # seconds: a session never lives longer than a working day
TOUCH_EVERY = 15  # seconds: "last seen" is written at most this often per session


@dataclass(frozen=True)
class Session:
    naam: str
    csrf: str
    gemaakt: float
    gezien: float


def _key(sid: str) -> str:
    return hashlib.sha256(sid.encode("utf-8")).hexdigest()


class SessionStore:
    def __init__(self, data_dir: Path, idle: float, clock: Callable[[], float] = time.time) -> None:
        self.dir = Path(data_dir) / "accounts"
        self.path = self.dir / "sessies.json"
        self.idle = idle
        self.clock = clock
        self._lock = threading.Lock()

    def _read(self) -> dict[str, Any]:
        try:
            return json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}

    def _change(self, change: Callable[[dict[str, Any]], Any]) -> Any:
        private_dir(self.dir)
        with self._lock, exclusive_lock(self.dir / ".sessies.lock"):
            data = self._read()
            now = self.clock()
            data = {k: v for k, v in data.items() if self._alive(v, now)}
            result = change(data)
            write_private(self.path, json.dumps(data))
        return result

    def _alive(self, v: dict[str, Any], now: float) -> bool:
        return now - v["gezien"] <= self.idle and now - v["gemaakt"] <= MAX_AGE

    def create(self, naam: str) -> tuple[str, Session]:
        """A new session for ``naam``: (the id for the cookie, the session)."""
        sid = secrets.token_urlsafe(32)
        now = self.clock()
        s = Session(naam=naam, csrf=secrets.token_urlsafe(24), gemaakt=now, gezien=now)
        self._change(lambda d: d.__setitem__(_key(sid), s.__dict__.copy()))
        return sid, s

    def get(self, sid: str) -> Session | None:
        """The live session ``sid`` (and note that it was seen now), or None when unknown or expired."""
        if not sid or len(sid) > 200:
            return None
        key = _key(sid)
        now = self.clock()
        with self._lock:
            v = self._read().get(key)
        if v is None or not self._alive(v, now):
            if v is not None:
                self.delete(sid)
            return None
        if now - v["gezien"] >= TOUCH_EVERY:
            def touch(d: dict[str, Any]) -> None:
                if key in d:
                    d[key]["gezien"] = now

            self._change(touch)
            v["gezien"] = now
        return Session(**v)

    def delete(self, sid: str) -> None:
        self._change(lambda d: d.pop(_key(sid), None))

    def end_user(self, naam: str) -> int:
        """End every session of ``naam`` (account switched off); returns how many."""
        def drop(d: dict[str, Any]) -> int:
            gone = [k for k, v in d.items() if v["naam"] == naam]
            for k in gone:
                del d[k]
            return len(gone)

        return int(self._change(drop))
