"""Shared fixtures: real engines only (embedded FalkorDB, e5 model, FAISS, deduce)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from casusgraaf.config import Settings

REPO = Path(__file__).resolve().parent.parent
SAMPLE = Settings().sample_dir  # the invented sample corpus shipped in the package


def make_settings(data_dir: Path, **kw) -> Settings:
    cache = os.environ.get("CASUSGRAAF_CACHE_DIR")
    # warm_start off: a test app does not load the models in the background (tests/test_warm.py turns it on)
    base = {"data_dir": data_dir, "graph_uri": None, "model": os.environ.get("CASUSGRAAF_MODEL"), "warm_start": False}
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
    from casusgraaf.services.ingest import ingest_paths

    data_dir = tmp_path_factory.mktemp("corpus") / "data"
    settings = make_settings(data_dir)
    store = open_store(settings)
    report = ingest_paths(store, settings, [SAMPLE])
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


def pytest_collection_modifyitems(config, items):
    """Tests on the whole sample corpus (ingested once per session with the real e5 model: ~40 s) are slow;
    `scripts/dev.sh test --fast` leaves them and every test marked slow out."""
    for item in items:
        if "corpus_env" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.slow)


def pytest_sessionfinish(session, exitstatus):
    """Safety net: stop embedded graph servers this session started under its own temp dir (never anyone
    else's: another test run or a benchmark may be using its own). Lifecycle tests assert no orphans."""
    try:
        base = str(session.config._tmp_path_factory.getbasetemp())
    except (AttributeError, ValueError):
        return
    out = subprocess.run(["pgrep", "-af", "redis-server"], capture_output=True, text=True).stdout
    for line in out.splitlines():
        pid, _, cmd = line.partition(" ")
        if base in cmd:
            try:
                os.kill(int(pid), 15)
            except (ProcessLookupError, ValueError):
                pass
