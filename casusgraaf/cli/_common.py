"""Shared CLI helpers: JSON output, clean failures (exit 2, no stack traces), the console."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any, NoReturn

import typer
from rich.console import Console

console = Console()
err_console = Console(stderr=True)

JsonOpt = typer.Option(False, "--json", help="Machineleesbare JSON-uitvoer.")


class UserError(Exception):
    """A problem the user can fix; shown as a message, exit code 2."""


def fail(message: str, json_mode: bool = False, code: int = 2) -> NoReturn:
    if json_mode:
        print(json.dumps({"error": message}, ensure_ascii=False))
    else:
        err_console.print(f"[bold red]Fout:[/] {message}", highlight=False)
    raise typer.Exit(code)


def emit(obj: Any, json_mode: bool, render: Callable[[Any], None] | None = None) -> None:
    """Print ``obj`` as JSON in ``--json`` mode, else call ``render`` (or pretty-print)."""
    if json_mode:
        sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=2, default=str) + "\n")
    elif render is not None:
        render(obj)
    else:
        console.print_json(data=obj, default=str)


def progress_enabled(json_mode: bool) -> bool:
    return not json_mode and sys.stderr.isatty()
