"""A running server for the same data dir does the work of CLI commands that need the models (``extract``,
``similar``): it has deduce and the embedder loaded, the CLI would need 20-40 s to load them itself.

``serve``/``demo`` write ``<data dir>/api.json`` (host, port, pid, the settings that change answers) at start and
remove it at stop. A command finds it, checks that the process lives and the settings match, and asks the
server; without a usable server (none, stale file, other settings, refused credentials, a connection error)
it answers in-process as before. The server's answer is the same JSON the command prints with ``--json``.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import threading
from collections.abc import Iterator
from typing import Any

from casusgraaf.config import Settings
from casusgraaf.errors import BadInput, CasusgraafError, NotFound, Unavailable

API_FILE = "api.json"
_ERRORS: dict[int, type[CasusgraafError]] = {404: NotFound, 422: BadInput, 503: Unavailable}


def _fingerprint(s: Settings) -> dict[str, Any]:
    """What must be equal for the server's answer to be the one this process would give."""
    return {"model_path": s.model_path, "embedding_backend": s.embedding_backend, "privacy_hard": s.privacy_hard,
            "graph_uri": s.graph_uri or "", "graph_name": s.graph_name}


@contextlib.contextmanager
def announce(s: Settings, host: str, port: int) -> Iterator[str]:
    """Write ``api.json`` for the block (mode 0600; the data dir is private), then remove it if still ours.

    Yields a fresh random token, also in the file: the CLI sends it as ``Authorization: Bearer``, so a server
    with accounts can recognise a local command (whoever can read the file can read the data dir itself)."""
    from casusgraaf.files import private_dir, write_private

    path = private_dir(s.data_dir) / API_FILE
    connect = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    # SIGTERM must end the block through ``finally``: before uvicorn takes over its handlers, and after, when
    # uvicorn re-raises the signal it caught to the handler it found (the default one would kill us first).
    previous = signal.signal(signal.SIGTERM, _exit) if threading.current_thread() is threading.main_thread() else None
    token = secrets.token_urlsafe(32)
    write_private(path, json.dumps({"host": connect, "port": port, "pid": os.getpid(), "token": token,
                                    **_fingerprint(s)}))
    try:
        yield token
    finally:
        with contextlib.suppress(OSError, ValueError):
            if json.loads(path.read_text()).get("pid") == os.getpid():
                path.unlink()
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _exit(_signum: int, _frame: Any) -> None:
    raise SystemExit(0)


def server_url(s: Settings) -> str | None:
    """The base URL of a live server for this data dir with the same settings, or None."""
    found = _server(s)
    return found[0] if found else None


def _server(s: Settings) -> tuple[str, str] | None:
    """(base URL, token) of a live server for this data dir with the same settings, or None."""
    from casusgraaf.graph.server import pid_alive

    if not s.use_server:
        return None
    try:
        info = json.loads((s.data_dir / API_FILE).read_text(encoding="utf-8"))
        pid, host, port = int(info["pid"]), str(info["host"]), int(info["port"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if pid == os.getpid() or not pid_alive(pid):
        return None
    if any(info.get(k) != v for k, v in _fingerprint(s).items()):
        return None
    host = f"[{host}]" if ":" in host else host
    return f"http://{host}:{port}", str(info.get("token") or "")


def call(s: Settings, path: str, body: dict) -> dict | None:
    """POST ``body`` to ``path`` on the running server: its JSON answer, None when there is no usable server
    (the caller then works in-process). A 4xx/503 answer is raised as the matching :class:`CasusgraafError`."""
    found = _server(s)
    if found is None:
        return None
    url, token = found
    import httpx

    try:
        # Connecting must be quick (else: in-process); the answer may wait for the server's warm-up.
        res = httpx.post(url + path, json=body, timeout=httpx.Timeout(600.0, connect=1.0),
                         headers={"X-Casusgraaf-Client": "cli", "Authorization": f"Bearer {token}"})
    except httpx.HTTPError:
        return None
    if res.status_code == 200:
        return res.json()
    if res.status_code in _ERRORS:
        raise _ERRORS[res.status_code](_detail(res))
    return None  # 401/403 (accounts), 5xx: do it here


def _detail(res: Any) -> str:
    try:
        detail = res.json().get("detail")
    except ValueError:
        return f"de server antwoordde {res.status_code}"
    if isinstance(detail, list):  # a validation error: name the fields
        return "; ".join(f"{'.'.join(str(p) for p in d.get('loc', ())[1:])}: {d.get('msg')}" for d in detail)
    return str(detail)
