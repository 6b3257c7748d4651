"""schemathesis against the app's own OpenAPI schema (lokale modus: no accounts; the sample corpus): every
operation, at most 20 generated requests each, derandomized (the same requests every run); no answer may be
a 5xx. A 4xx for nonsense input is fine: that is the API refusing it with a message."""

from __future__ import annotations

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from casusgraaf.api.app import create_app

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory, sample_dir):
    """Its own small corpus (generated POSTs change leerpunten; the shared corpus stays as it is): the first 20
    sample cases plus the three Markdown ones."""
    from casusgraaf.graph import open_store
    from casusgraaf.services.ingest import ingest_paths
    from tests.conftest import make_settings

    root = tmp_path_factory.mktemp("schemathesis")
    lines = (sample_dir / "casussen.jsonl").read_text(encoding="utf-8").splitlines()[:20]
    (root / "casussen.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    # A short Cypher timeout: generated queries must not hold the graph for the default 10 s each.
    settings_ = make_settings(root / "data", warm_start=False, cypher_timeout=1.0)
    store = open_store(settings_)
    try:
        assert ingest_paths(store, settings_, [root / "casussen.jsonl", *sample_dir.glob("*.md")]).ingested >= 20
        app = create_app(settings_, store=store)
        with TestClient(app):  # runs the lifespan: the store and the state the routes need
            yield schemathesis.openapi.from_asgi("/openapi.json", app)
    finally:
        store.close()


def test_no_5xx(api_schema):
    """Every operation: 20 valid requests and 10 invalid ones (schemathesis' positive and negative modes),
    derandomized. (Driven through hypothesis directly: schemathesis' lazy pytest fixture does not run on
    pytest 9.)"""
    failures: list[tuple] = []
    operations = [r.ok() for r in api_schema.get_all_operations()]
    assert len(operations) >= 15
    for op in operations:
        for mode, n in ((GenerationMode.POSITIVE, 20), (GenerationMode.NEGATIVE, 10)):
            _fuzz(op, mode, n, failures)
    assert not failures, sorted({(m, path, status, text[:80]) for m, path, _mode, status, text in failures})


def _fuzz(op, mode, n: int, failures: list) -> None:
    @given(case=op.as_strategy(generation_mode=mode))
    @settings(max_examples=n, derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
    def run(case):
        try:
            response = case.call()
        except Exception as exc:  # noqa: BLE001 - an exception out of the app is a 500 to the client
            failures.append((op.method.upper(), op.path, mode.value, 500, type(exc).__name__ + f": {exc}"[:200]))
            return
        if response.status_code >= 500:
            failures.append((op.method.upper(), op.path, mode.value, response.status_code, response.text[:200]))

    try:
        run()
    except Unsatisfiable:  # no parameters to make invalid (GET /api/health): nothing negative to send
        assert mode is GenerationMode.NEGATIVE, (op.method, op.path)
