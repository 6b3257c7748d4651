"""The house: layers import only downwards, and ingest, search, patterns and leerpunten never import each other.

    0 errors | files                        the error hierarchy; private files and locks
    1 config | models | progress            settings; the domain as data
    2 privacy | embedding | accounts        the privacy gate; the embedding model; users, roles, sessions
    3 nlp | audit                           Dutch NLP (may use embeddings); the audit trail (uses the gate)
    4 graph                                 the store interface and its engines
    5 ingest | search | patterns | leerpunten   (siblings: no imports between them)
    6 services                              use cases
    7 api                                   FastAPI: JSON and pages
    8 cli                                   the command line (its `serve` starts the api)

Every import counts, also one inside a function: an import that dodges a cycle is still a cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

PKG = Path(__file__).resolve().parent.parent / "casusgraaf"
LAYER = {"errors": 0, "files": 0, "config": 1, "models": 1, "progress": 1, "sample": 1, "privacy": 2, "embedding": 2,
         "accounts": 2,
         "nlp": 3, "audit": 3, "graph": 4, "ingest": 5, "search": 5, "patterns": 5, "leerpunten": 5,
         "services": 6, "api": 7, "cli": 8, "__main__": 9}


def _part(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "casusgraaf" and len(parts) > 1 else None


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.append((node.lineno, node.module))
            out += [(node.lineno, f"{node.module}.{a.name}") for a in node.names if node.module == "casusgraaf"]
    return out


def violations() -> list[str]:
    bad = []
    for path in sorted(PKG.rglob("*.py")):
        rel = path.relative_to(PKG.parent)
        own = _part(".".join(rel.with_suffix("").parts))
        if own is None or own == "__init__":
            continue
        assert own in LAYER, f"{rel}: package '{own}' has no layer in tests/test_layers.py"
        for line, module in _imports(path):
            target = _part(module)
            if target is None or target == own or target == "__init__" or target == "__version__":
                continue
            assert target in LAYER, f"{rel}:{line} imports unknown part '{target}'"
            if LAYER[target] > LAYER[own]:
                bad.append(f"{rel}:{line}: {own} (layer {LAYER[own]}) imports {module} (layer {LAYER[target]})")
            elif LAYER[target] == LAYER[own]:
                bad.append(f"{rel}:{line}: {own} imports its sibling {module}")
    return bad


def test_no_module_imports_upwards_or_sideways():
    assert violations() == []


def test_the_check_sees_a_violation(tmp_path, monkeypatch):
    """The check itself can fail: a search module importing ingest is reported."""
    fake = tmp_path / "casusgraaf" / "search"
    fake.mkdir(parents=True)
    (fake / "bad.py").write_text("def f():\n    from casusgraaf.ingest.pipeline import ingest_paths\n")
    monkeypatch.setattr(__import__(__name__), "PKG", tmp_path / "casusgraaf")
    assert violations() == ["casusgraaf/search/bad.py:2: search imports its sibling casusgraaf.ingest.pipeline"]
