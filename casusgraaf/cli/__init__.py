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
    """Entry point: known problems become a one-line message and exit 2; nothing prints a stack trace
    unless CASUSGRAAF_DEBUG=1 (an unexpected error names only its type: messages may quote case text)."""
    import os
    import sys

    from casusgraaf.cli._common import err_console
    from casusgraaf.graph import GraphError

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        app(standalone_mode=True)
    except SystemExit:
        raise
    except GraphError as exc:
        err_console.print(f"[bold red]Fout:[/] de graaf: {exc}", highlight=False)
        sys.exit(2)
    except Exception as exc:  # noqa: BLE001 - the last line of defence before a user sees a traceback
        if os.environ.get("CASUSGRAAF_DEBUG") == "1":
            raise
        from casusgraaf.search.embed import ModelMissingError

        if isinstance(exc, ModelMissingError):
            err_console.print(f"[bold red]Fout:[/] {exc}", highlight=False)
            sys.exit(2)
        if isinstance(exc, PermissionError):
            err_console.print("[bold red]Fout:[/] geen toegang tot een bestand of map (rechten); controleer "
                              "CASUSGRAAF_DATA_DIR en de bestandsrechten.", highlight=False)
            sys.exit(2)
        err_console.print(f"[bold red]Interne fout[/] ({type(exc).__name__}). Er is niets half weggeschreven "
                          "dat niet opnieuw kan; draai met CASUSGRAAF_DEBUG=1 voor details en meld het.",
                          highlight=False)
        sys.exit(1)


__all__ = ["app", "main"]
