"""Process helpers for tests: which redis-server processes serve a data dir; an app served by uvicorn."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from pathlib import Path

from casusgraaf.config import Settings
from casusgraaf.graph.server import pid_alive, socket_path


def redis_pids(settings: Settings) -> list[int]:
    """Live (non-zombie) redis-server processes serving this data dir (its socket is on their command line)."""
    sock = str(socket_path(settings)).encode()
    pids = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes()
        except OSError:
            continue
        if b"redis-server" in cmdline and sock in cmdline and pid_alive(int(proc.name)):
            pids.append(int(proc.name))
    return pids


@contextlib.contextmanager
def served(app) -> Iterator[str]:
    """``app`` served by a real uvicorn on a free loopback port in a thread of this process; yields its base URL
    (http://127.0.0.1:PORT) and stops the server afterwards."""
    import uvicorn

    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        while not server.started:
            thread.join(0.05)
        yield f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(10)
