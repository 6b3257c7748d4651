"""Shared fixtures: real engines only (embedded FalkorDB, e5 model, FAISS, deduce)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from casusgraaf.config import Settings

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "data" / "sample"


def make_settings(data_dir: Path, **kw) -> Settings:
    cache = os.environ.get("CASUSGRAAF_CACHE_DIR")
    base = {"data_dir": data_dir, "graph_uri": None, "model": os.environ.get("CASUSGRAAF_MODEL")}
    if cache:
        base["cache_dir"] = Path(cache)
    base.update(kw)
    return Settings(**base)


@pytest.fixture(scope="session")
def sample_dir() -> Path:
    return SAMPLE


@pytest.fixture(scope="session")
def corpus_env(tmp_path_factory):
    """One data dir with the whole sample corpus ingested, shared by the read-only tests."""
    from casusgraaf.graph import open_store
    from casusgraaf.ingest.pipeline import ingest_paths

    data_dir = tmp_path_factory.mktemp("corpus") / "data"
    settings = make_settings(data_dir)
    store = open_store(settings)
    report = ingest_paths([SAMPLE], settings, store=store)
    yield settings, store, report
    store.close()


@pytest.fixture
def fresh_env(tmp_path):
    """An empty data dir with its own embedded server, closed after the test."""
    from casusgraaf.graph import open_store

    settings = make_settings(tmp_path / "data")
    store = open_store(settings)
    yield settings, store
    store.close()


def pytest_sessionfinish(session, exitstatus):
    # No embedded graph server may outlive the test session.
    leftover = subprocess.run(["pgrep", "-f", "redis-server.*casusgraaf|redis-server.*pytest"],
                              capture_output=True, text=True).stdout.split()
    for pid in leftover:
        try:
            os.kill(int(pid), 15)
        except (ProcessLookupError, ValueError):
            pass
    shutil.rmtree(REPO / ".pytest-tmp", ignore_errors=True)
