"""Shared CLI helpers: JSON output, clean failures (exit 2, no stack traces), the console."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, NoReturn

import typer
from rich.console import Console

from casusgraaf.config import Settings, get_settings
from casusgraaf.errors import CasusgraafError, ConfigError
from casusgraaf.graph import GraphStore

console = Console()
err_console = Console(stderr=True)

JsonOpt = typer.Option(False, "--json", help="Machineleesbare JSON-uitvoer.")


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


def settings() -> Settings:
    """The settings of this command, read from the environment once (a bad value: exit 2 with its name)."""
    try:
        return get_settings()
    except ConfigError as exc:
        fail(str(exc))


@contextmanager
def store_for(s: Settings, json_mode: bool = False) -> Iterator[GraphStore]:
    """The graph store for one command, closed afterwards (the embedded server stops with the last user)."""
    from casusgraaf.graph import open_store

    try:
        store = open_store(s)
    except CasusgraafError as exc:
        fail(f"de graaf is niet bereikbaar: {exc}", json_mode)
    try:
        yield store
    finally:
        store.close()


@contextmanager
def user_errors(json_mode: bool = False) -> Iterator[None]:
    """Turn a :class:`CasusgraafError` into its message and exit 2."""
    try:
        yield
    except CasusgraafError as exc:
        fail(str(exc), json_mode)
