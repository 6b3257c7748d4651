"""Erasure on disk (AVG art. 17): after a delete the engine's own files must not keep the old data.

The embedded FalkorDB server persists to an append-only file (every write command, with its parameters:
case texts too) and RDB snapshots. :func:`compact_persistence` rewrites the AOF from the current state
(``BGREWRITEAOF``: the old command history is deleted) and writes a fresh snapshot (``SAVE``), so a deleted
case is gone from ``graph/`` as well. Neo4j keeps its own transaction logs on its server; see
docs/SECURITY.md (erasure) for what its administrator must do there.
"""

from __future__ import annotations

import time
from typing import cast

from casusgraaf.graph.base import GraphError, GraphStore

REWRITE_WAIT = 120.0  # seconds; a rewrite of a big graph runs in a child process


def compact_persistence(store: GraphStore, wait: float = REWRITE_WAIT) -> bool:
    """Rewrite the embedded server's AOF and RDB from the current graph; False for engines without them."""
    if store.backend != "falkordb":
        return False
    from casusgraaf.graph.falkor import FalkorStore

    falkor = cast(FalkorStore, store)

    def info() -> dict:
        return dict(falkor._command("INFO", "persistence"))

    deadline = time.monotonic() + wait
    while info().get("aof_rewrite_in_progress") or info().get("rdb_bgsave_in_progress"):
        if time.monotonic() > deadline:
            raise GraphError("De graafserver is nog bezig met opslaan; probeer `casusgraaf delete` straks opnieuw.")
        time.sleep(0.05)
    falkor._command("BGREWRITEAOF")
    while True:
        state = info()
        if not (state.get("aof_rewrite_in_progress") or state.get("aof_rewrite_scheduled")):
            break
        if time.monotonic() > deadline:
            raise GraphError("Het herschrijven van het AOF-bestand duurt te lang; draai `casusgraaf delete` met "
                             "hetzelfde id straks opnieuw (de casus is al uit de graaf).")
        time.sleep(0.05)
    if state.get("aof_last_bgrewrite_status") not in (None, "ok"):
        raise GraphError("Het herschrijven van het AOF-bestand mislukte; zie graph/redis.log en draai "
                         "`casusgraaf delete` met hetzelfde id opnieuw.")
    falkor._command("SAVE")
    return True
