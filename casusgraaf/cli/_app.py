"""The typer application; command modules register themselves on ``app``."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="casusgraaf",
    help="Kennisgraaf en vergelijkbare casussen voor casuïstiek van het Landelijk Maatwerkloket.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
