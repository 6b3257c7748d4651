"""Command line: ``casusgraaf``. Every command takes ``--json``; exit 0 on success, 2 on refused or bad input.

Commands live in one module per capability and register on the shared typer ``app``.
"""

from __future__ import annotations

import logging

from casusgraaf.cli._app import app

# Register command modules (import for side effects).
for _name in ("core", "privacy", "extract"):
    try:
        __import__(f"casusgraaf.cli.{_name}")
    except ModuleNotFoundError as _exc:  # a module not written yet must not break the others
        if _exc.name != f"casusgraaf.cli.{_name}":
            raise


def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    app()


__all__ = ["app", "main"]
