"""Documentation that tests enforce: every CLI command, API route and setting is documented."""

from __future__ import annotations

from pathlib import Path

import typer.main

from casusgraaf.cli import app
from casusgraaf.config import Settings

DOCS = Path(__file__).resolve().parent.parent / "docs"


def _command_names(click_cmd, prefix="") -> list[str]:
    names = []
    for name, sub in getattr(click_cmd, "commands", {}).items():
        full = f"{prefix}{name}"
        if getattr(sub, "commands", None):
            names.extend(_command_names(sub, full + " "))
        else:
            names.append(full)
    return names


def test_every_cli_command_is_documented():
    doc = (DOCS / "CLI.md").read_text(encoding="utf-8")
    names = _command_names(typer.main.get_command(app))
    assert len(names) >= 10
    missing = [n for n in names if f"casusgraaf {n}" not in doc]
    assert not missing, f"undocumented commands in docs/CLI.md: {missing}"


def test_every_api_route_is_documented():
    from casusgraaf.api.app import create_app

    doc = (DOCS / "API.md").read_text(encoding="utf-8")
    paths = create_app(Settings()).openapi()["paths"]
    routes = [(m.upper(), p) for p, ops in paths.items() if p.startswith("/api") for m in ops]
    assert len(routes) >= 8
    missing = [f"{m} {p}" for m, p in routes if f"`{m} {p}`" not in doc]
    assert not missing, f"undocumented routes in docs/API.md: {missing}"


def test_every_setting_is_documented():
    names = {"CASUSGRAAF_" + name.upper() for name in Settings.model_fields}
    doc = (DOCS / "CONFIG.md").read_text(encoding="utf-8")
    assert len(names) >= 8
    missing = sorted(n for n in names if f"`{n}`" not in doc)
    assert not missing, f"undocumented settings in docs/CONFIG.md: {missing}"
