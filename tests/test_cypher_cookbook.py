"""Every query in docs/CYPHER.md runs read-only on the sample corpus and returns rows."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from casusgraaf.graph.guard import run_readonly

DOC = Path(__file__).resolve().parent.parent / "docs" / "CYPHER.md"
QUERIES = re.findall(r"```cypher\n(.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL)


def test_cookbook_has_queries():
    assert len(QUERIES) >= 10


@pytest.mark.parametrize("query", QUERIES, ids=[f"q{i}" for i in range(len(QUERIES))])
def test_cookbook_query_runs(corpus_env, query):
    _settings, store, _ = corpus_env
    rows = run_readonly(store, query)
    assert rows, "a cookbook query that returns nothing on the sample corpus teaches nothing"
