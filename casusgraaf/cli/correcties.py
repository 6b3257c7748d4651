"""``casusgraaf correcties --jsonl [--uit FILE] [--met-tekst]``: the regievoerders' decisions on the suggestions
(kept, removed, added, corrected) as labelled data, one JSON object a line (docs/REGISTRATION.md)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

from casusgraaf.cli._app import app
from casusgraaf.cli._common import JsonOpt, console, emit, fail, settings, store_for, user_errors


@app.command("correcties")
def correcties(
    jsonl: bool = typer.Option(False, "--jsonl", help="Eén JSON-object per regel (gelabelde data)."),
    uit: Path | None = typer.Option(None, "--uit", help="Schrijf naar dit bestand (mode 0600) in plaats van stdout."),
    met_tekst: bool = typer.Option(False, "--met-tekst", help="Voeg de (al door de privacy-poort gegane) "
                                   "casustekst en de tekst van leerpunten toe."),
    json_out: bool = JsonOpt,
) -> None:
    """Beslissingen over voorstellen bij het registreren (gehouden, verwijderd, toegevoegd, gecorrigeerd): casus,
    soort, naam, actie, door wie en wanneer. Zonder --met-tekst geen casustekst (een leerpunt als zijn id)."""
    from casusgraaf.files import write_private
    from casusgraaf.services.register import export_corrections

    s = settings()
    with user_errors(json_out):
        if met_tekst:
            with store_for(s, json_out) as store:
                rows = export_corrections(s, store, met_tekst=True)
        else:
            rows = export_corrections(s)
    if uit is not None:
        if uit.exists() and uit.is_dir():
            fail(f"{uit} is een map; geef een bestandsnaam op", json_out)
        try:
            write_private(uit, "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in rows))
        except OSError as exc:
            fail(f"kan {uit} niet schrijven ({type(exc).__name__}); controleer de map en de rechten", json_out)
        emit({"correcties": len(rows), "uit": str(uit)}, json_out,
             lambda d: console.print(f"{d['correcties']} correctie(s) geschreven naar {d['uit']}"))
        return
    if jsonl or not json_out:
        sys.stdout.write("".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in rows))
        return
    emit({"correcties": rows}, json_out)
