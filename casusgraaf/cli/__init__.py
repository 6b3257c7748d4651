"""Command line: ``casusgraaf``. Every command takes ``--json``; exit 0 on success, 2 on refused or bad input.

Commands live in one module per capability and register on the shared typer ``app``.
"""

from __future__ import annotations

import logging

# Register the command modules (imported for their side effect: an import error is a bug, not hidden).
from casusgraaf.cli import (  # noqa: E402,F401
    audit,
    core,
    correcties,
    extract,
    gebruiker,
    leerpunten,
    patronen,
    privacy,
    transfer,
)
from casusgraaf.cli._app import app


def main() -> None:
    """Entry point: known problems become a one-line message and exit 2; nothing prints a stack trace
    unless CASUSGRAAF_DEBUG=1 (an unexpected error names only its type: messages may quote case text)."""
    import sys

    from casusgraaf.cli._common import err_console
    from casusgraaf.errors import CasusgraafError

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        app(standalone_mode=True)
    except SystemExit:
        raise
    except CasusgraafError as exc:  # every user-facing error: one line, exit 2
        err_console.print(f"[bold red]Fout:[/] {exc}", highlight=False)
        sys.exit(2)
    except Exception as exc:  # noqa: BLE001 - the last line of defence before a user sees a traceback
        if _debug():
            raise
        if isinstance(exc, PermissionError):
            err_console.print("[bold red]Fout:[/] geen toegang tot een bestand of map (rechten); controleer "
                              "CASUSGRAAF_DATA_DIR en de bestandsrechten.", highlight=False)
            sys.exit(2)
        err_console.print(f"[bold red]Interne fout[/] ({type(exc).__name__}). Er is niets half weggeschreven "
                          "dat niet opnieuw kan; draai met CASUSGRAAF_DEBUG=1 voor details en meld het.",
                          highlight=False)
        sys.exit(1)


def _debug() -> bool:
    from casusgraaf.config import get_settings
    from casusgraaf.errors import ConfigError

    try:
        return get_settings().debug
    except ConfigError:
        return False


__all__ = ["app", "main"]
