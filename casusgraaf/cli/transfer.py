"""Moving and safeguarding the graph: export, import, migrate, backup, restore (docs/OPERATIONS.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from casusgraaf.cli._app import app
from casusgraaf.cli._common import (
    JsonOpt,
    console,
    emit,
    fail,
    progress_enabled,
    settings,
    store_for,
    user_errors,
)


def _counts_table(title: str, counts: dict[str, dict[str, int]], other: dict[str, dict[str, int]] | None = None,
                  names: tuple[str, str] = ("aantal", "doel")) -> Table:
    table = Table(title=title)
    table.add_column("soort")
    table.add_column("naam")
    table.add_column(names[0], justify="right")
    if other is not None:
        table.add_column(names[1], justify="right")
    for part in ("labels", "relaties"):
        keys = sorted(set(counts.get(part, {})) | set((other or {}).get(part, {})))
        for key in keys:
            row = [part, key, str(counts.get(part, {}).get(key, 0))]
            if other is not None:
                value = other.get(part, {}).get(key, 0)
                same = value == counts.get(part, {}).get(key, 0)
                row.append(str(value) if same else f"[bold red]{value}[/]")
            table.add_row(*row)
    return table


@app.command()
def export(
    uit: Path = typer.Option(..., "--uit", help="Nieuwe (lege) map voor de export."),
    formaat: str = typer.Option("jsonl", "--formaat", help="jsonl (casusrecords + graaf), csv (neo4j-admin import) "
                                "of cypher (cypher-shell)."),
    zonder_vectoren: bool = typer.Option(False, "--zonder-vectoren", help="Vectoren niet meenemen (import berekent "
                                         "ze dan niet opnieuw: zoeken op betekenis werkt pas na ingest)."),
    json_out: bool = JsonOpt,
) -> None:
    """Exporteer de hele graaf: casusrecords (JSONL), CSV voor neo4j-admin of Cypher, met vectoren."""
    from casusgraaf.services.transfer import export as run

    s = settings()
    with store_for(s, json_out) as store, user_errors(json_out):
        out = run(store, s, uit, formaat, vectors=not zonder_vectoren, progress=progress_enabled(json_out))

    def render(d: dict[str, Any]) -> None:
        console.print(_counts_table(f"Export ({d['formaat']}) naar {d['map']}", d["aantallen"]))
        if d.get("vectoren"):
            console.print(f"Vectoren: {d['vectoren']['aantal']} × {d['vectoren']['dim']}")
        if d.get("neo4j_admin"):
            console.print(f"Laden in Neo4j (in {d['map']}):\n  {d['neo4j_admin']}", highlight=False)
        if d.get("waarschuwing"):
            console.print(f"[yellow]Let op:[/] {d['waarschuwing']}", highlight=False)

    emit(out, json_out, render)


@app.command("import")
def import_cmd(
    pad: Path = typer.Argument(..., help="Map van een `casusgraaf export` (jsonl, csv of cypher)."),
    json_out: bool = JsonOpt,
) -> None:
    """Laad een export in een lege graaf (exact, zonder model) en bouw de indexen."""
    from casusgraaf.services.transfer import import_export

    s = settings()
    with store_for(s, json_out) as store, user_errors(json_out):
        out = import_export(store, s, pad, progress=progress_enabled(json_out))

    def render(d: dict[str, Any]) -> None:
        console.print(_counts_table(f"Geïmporteerd uit {d['map']} ({d['formaat']})", d["aantallen"]))
        console.print(f"Vectoren: {d['vectoren']}" + (" · wijzigingslog overgenomen" if d["wijzigingslog"] else ""))

    emit(out, json_out, render)
    if out["verschil"]:
        fail("de geïmporteerde graaf wijkt af van de export: " + "; ".join(out["verschil"]), json_out)


@app.command()
def migrate(
    naar: str = typer.Option(..., "--naar", help="bolt://host:7687 (Neo4j; wachtwoord uit CASUSGRAAF_GRAPH_PASSWORD) "
                             "of het pad van een andere data-map."),
    json_out: bool = JsonOpt,
) -> None:
    """Zet de graaf over naar Neo4j (of een andere data-map) en vergelijk de aantallen aan beide kanten."""
    from casusgraaf.services.transfer import migrate as run

    s = settings()
    with store_for(s, json_out) as store, user_errors(json_out):
        out = run(store, s, naar, progress=progress_enabled(json_out))

    def render(d: dict[str, Any]) -> None:
        console.print(_counts_table(f"Migratie {d['bron']} → {d['doel']}", d["bron_aantallen"], d["doel_aantallen"],
                                    ("bron", "doel")))
        if d["gelijk"]:
            console.print(f"[green]Gelijk.[/] {d['vectoren']} vectoren overgezet.")

    emit(out, json_out, render)
    if not out["gelijk"]:
        fail("aantallen verschillen na de migratie: " + "; ".join(out["verschil"]), json_out)


@app.command()
def backup(
    uit: Path = typer.Option(..., "--uit", help="Nieuwe (lege) map buiten de data-map."),
    json_out: bool = JsonOpt,
) -> None:
    """Maak een consistente backup van de ingebouwde graaf terwijl hij draait (met controlegetallen)."""
    from casusgraaf.services.transfer import backup as run

    s = settings()
    with store_for(s, json_out) as store, user_errors(json_out):
        out = run(store, s, uit)

    def render(d: dict[str, Any]) -> None:
        size = sum(f["bytes"] for f in d["bestanden"].values())
        console.print(f"[green]Backup klaar:[/] {d['map']} ({len(d['bestanden'])} bestanden, {size / 1e6:.1f} MB)")
        if d["aantallen"]:
            console.print(_counts_table("Graaf in de backup", d["aantallen"]))
        if d.get("opmerking"):
            console.print(d["opmerking"])

    emit(out, json_out, render)


@app.command()
def restore(
    pad: Path = typer.Argument(..., help="Map van een `casusgraaf backup`."),
    json_out: bool = JsonOpt,
) -> None:
    """Zet een backup terug in CASUSGRAAF_DATA_DIR (weigert bij een draaiende server; oude map blijft bewaard)."""
    from casusgraaf.services.transfer import restore as run

    s = settings()
    with user_errors(json_out):
        out = run(s, pad)

    def render(d: dict[str, Any]) -> None:
        console.print(f"[green]Hersteld:[/] {d['hersteld']} uit {d['backup']}")
        if d["oud"]:
            console.print(f"De vorige data-map staat in {d['oud']}; verwijder die als alles werkt.")
        console.print(_counts_table("Herstelde graaf", d["aantallen"]))

    emit(out, json_out, render)
