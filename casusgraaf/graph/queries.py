"""Named Cypher queries: ``graph/queries/<name>.cypher``, written once for both engines.

Each file starts with one line ``// params: {json}`` holding example parameters, so the test suite can
run every named query against every backend. :func:`load_query` returns the text without that line.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

QUERY_DIR = Path(__file__).resolve().parent / "queries"
_PARAMS_PREFIX = "// params:"


def list_queries() -> list[str]:
    """Names of all named queries, sorted."""
    return sorted(p.stem for p in QUERY_DIR.glob("*.cypher"))


@cache
def _read(name: str) -> tuple[str, dict[str, Any]]:
    if not name.replace("_", "").isalnum():
        raise KeyError(f"Ongeldige querynaam: {name!r}")
    path = QUERY_DIR / f"{name}.cypher"
    if not path.is_file():
        raise KeyError(f"Onbekende query {name!r}; beschikbaar: {', '.join(list_queries())}")
    first, _, rest = path.read_text(encoding="utf-8").partition("\n")
    if not first.startswith(_PARAMS_PREFIX):
        raise ValueError(f"{path.name} moet beginnen met een regel '{_PARAMS_PREFIX} {{...}}'")
    return rest.strip(), json.loads(first[len(_PARAMS_PREFIX):].strip() or "{}")


def load_query(name: str) -> str:
    """The Cypher text of a named query (cached)."""
    return _read(name)[0]


def example_params(name: str) -> dict[str, Any]:
    """The example parameters from the query's ``// params:`` line."""
    return dict(_read(name)[1])
