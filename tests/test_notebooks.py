"""The analyst notebooks run top to bottom against the sample corpus (code cells executed in order)."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path, corpus_env, monkeypatch):
    settings, _store, _ = corpus_env
    monkeypatch.setenv("CASUSGRAAF_DATA_DIR", str(settings.data_dir))
    cells = [c for c in json.loads(path.read_text(encoding="utf-8"))["cells"] if c["cell_type"] == "code"]
    assert cells
    namespace: dict = {}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        for cell in cells:
            exec(compile("".join(cell["source"]), f"{path.name}", "exec"), namespace)  # noqa: S102
    assert out.getvalue().strip(), "a notebook that prints nothing shows the analyst nothing"
