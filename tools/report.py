"""Write measured results into the shared docs (docs/QUALITY.md, docs/BENCHMARKS.md).

Each evaluation owns one section between ``<!-- name:start -->`` and ``<!-- name:end -->`` markers,
so several scripts can update one document without touching each other's numbers.
"""

from __future__ import annotations

import re
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def write_section(doc: str | Path, name: str, markdown: str) -> Path:
    """Replace (or append) the section ``name`` of ``doc`` (relative to the repo root) with ``markdown``."""
    path = Path(doc)
    if not path.is_absolute():
        path = REPO_ROOT / path
    path.parent.mkdir(parents=True, exist_ok=True)
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    block = f"{start}\n{markdown.strip()}\n{end}"
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.DOTALL)
    if pattern.search(text):
        text = pattern.sub(lambda _m: block, text)
    else:
        text = (text.rstrip() + "\n\n" if text.strip() else "") + block + "\n"
    path.write_text(text, encoding="utf-8")
    return path
