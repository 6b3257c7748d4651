"""Process helpers for lifecycle tests: which redis-server processes serve a data dir."""

from __future__ import annotations

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
