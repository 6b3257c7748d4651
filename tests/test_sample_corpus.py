"""Checks on the sample corpus (casusgraaf/sample) and the labelled similar-case evaluation set."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from casusgraaf.config import Settings
from casusgraaf.models.records import CaseRecord

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = Settings().sample_dir
CORPUS = SAMPLE / "casussen.jsonl"
EVAL = ROOT / "tests" / "data" / "similar_eval.jsonl"


def _lines(path: Path) -> list[str]:
    return [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def records() -> list[CaseRecord]:
    return [CaseRecord.model_validate_json(line) for line in _lines(CORPUS)]


@pytest.fixture(scope="module")
def queries() -> list[dict]:
    return [json.loads(line) for line in _lines(EVAL)]


def test_every_line_validates() -> None:
    for n, line in enumerate(_lines(CORPUS), 1):
        try:
            CaseRecord.model_validate_json(line)
        except Exception as exc:  # pragma: no cover - message only
            pytest.fail(f"line {n} does not validate: {exc}")


def test_ids_unique(records: list[CaseRecord]) -> None:
    ids = [r.id for r in records]
    assert len(ids) == len(set(ids))


def test_enough_records(records: list[CaseRecord]) -> None:
    assert len(records) >= 100


def test_every_year_present(records: list[CaseRecord]) -> None:
    years = {r.effective_jaar or int(r.id[:4]) for r in records}
    assert set(range(2019, 2026)) <= years


def test_markdown_cases_have_front_matter() -> None:
    from casusgraaf.ingest.readers.documents import read_text_case

    files = sorted(SAMPLE.glob("*.md"))
    assert len(files) >= 3
    corpus_ids = {json.loads(line)["id"] for line in _lines(CORPUS)}
    for path in files:
        items = list(read_text_case(path))
        assert len(items) == 1 and items[0].error is None, path
        assert items[0].record.id == path.stem
        assert items[0].record.id not in corpus_ids


def test_enough_queries(queries: list[dict]) -> None:
    assert len(queries) >= 40
    assert len({q["qid"] for q in queries}) == len(queries)
    assert sum("query_text" in q for q in queries) >= 22
    assert sum("query_case" in q for q in queries) >= 15


def test_relevant_ids_exist(records: list[CaseRecord], queries: list[dict]) -> None:
    ids = {r.id for r in records}
    for q in queries:
        assert 2 <= len(q["relevant"]) <= 8, q["qid"]
        for cid, grade in q["relevant"].items():
            assert cid in ids, (q["qid"], cid)
            assert grade in (1, 2, 3), (q["qid"], cid)
        if "query_case" in q:
            assert q["query_case"] in ids, q["qid"]


def test_no_query_lists_itself(queries: list[dict]) -> None:
    for q in queries:
        assert ("query_case" in q) != ("query_text" in q), q["qid"]
        if "query_case" in q:
            assert q["query_case"] not in q["relevant"], q["qid"]
