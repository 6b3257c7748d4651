"""The per-install secret key (``<data_dir>/audit/.key``, 32 random bytes, mode 0600) and keyed hashes with
it: a short text cannot be guessed back from its HMAC without the key, unlike from a plain hash."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
from pathlib import Path

from casusgraaf.config import Settings
from casusgraaf.files import private_dir

KEY_FILE = ".key"


def audit_dir(settings: Settings) -> Path:
    return settings.data_dir / "audit"


def install_key(settings: Settings) -> bytes:
    """The key of this data dir, created on first use (two processes racing create it once)."""
    path = private_dir(audit_dir(settings)) / KEY_FILE
    if not path.exists():
        with contextlib.suppress(FileExistsError):
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(secrets.token_bytes(32))
                fh.flush()
                os.fsync(fh.fileno())
    key = path.read_bytes()
    if len(key) != 32:
        raise OSError(f"{path} is geen geldige sleutel (32 bytes verwacht); herstel hem uit de back-up")
    return key


def keyed_hash(key: bytes, purpose: str, value: str) -> str:
    """HMAC-SHA256 of ``value`` for ``purpose`` (separate purposes never give the same hash), hex."""
    return hmac.new(key, f"{purpose}\x00{value}".encode(), hashlib.sha256).hexdigest()
