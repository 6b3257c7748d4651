"""Leerpunt commands: ``leerpunten`` (list, filter, CSV), ``leerpunt show|status|koppel|suggesties`` and
``agenda`` (the next ambassadeursoverleg). Parsing and rendering only; the use cases are in
``services/leerpunten.py``."""

from __future__ import annotations

import sys
from datetime import date

import typer
from rich.table import Table

from casusgraaf.cli._app import app
from casusgraaf.cli._common import JsonOpt, console, emit, fail, settings, store_for, user_errors

VandaagOpt = typer.Option(None, "--vandaag", help="Peildatum JJJJ-MM-DD voor te laat/stil (standaard: vandaag).")
CsvOpt = typer.Option(False, "--csv", help="CSV-uitvoer (één regel per leerpunt).")

leerpunt_app = typer.Typer(help="Eén leerpunt: bekijken, status vastleggen, terugkeer koppelen.", no_args_is_help=True)
app.add_typer(leerpunt_app, name="leerpunt")


def _day(value: str | None, json_out: bool, name: str = "--vandaag") -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(f"{name} '{value[:20]}' is geen datum; gebruik JJJJ-MM-DD", json_out)


def _owners(lp: dict) -> str:
    names = ", ".join(o["naam"] for o in lp["eigenaren"]) or "niet belegd"
    return names + (" (regie: PMM)" if lp.get("belegd_groep") == "meerdere" else "")


def _render_list(data: dict) -> None:
    table = Table(title=f"Leerpunten op {data['vandaag']} (reviewtermijn {data['review_dagen']} dagen)")
    for col in ("id", "leerpunt", "eigenaar", "status", "laatste", "signaal"):
        table.add_column(col)
    for lp in data["leerpunten"]:
        tekst = lp["tekst"] if len(lp["tekst"]) <= 70 else lp["tekst"][:69] + "…"
        table.add_row(lp["id"], tekst, _owners(lp), lp["label"], lp["laatste_datum"] or "—", lp["signaal"] or "")
    console.print(table)
    console.print(f"{data['totaal']} leerpunten, {sum(lp['te_laat'] for lp in data['leerpunten'])} te laat, "
                  f"{sum(lp['stil'] for lp in data['leerpunten'])} stil.")


@app.command("leerpunten")
def leerpunten_cmd(
    eigenaar: str = typer.Option(None, "--eigenaar", help="Eigenaar (bv. SZW, Gemeente Eikendam) of groep: "
                                 "ministerie, gemeente, lpd, pmm, meerdere, niet belegd."),
    status: str = typer.Option(None, "--status", help="Alleen deze statuscode (bv. IN_VERKENNING)."),
    te_laat: bool = typer.Option(False, "--te-laat", help="Alleen open leerpunten waarvan de laatste opvolging "
                                 "ouder is dan de reviewtermijn."),
    stil: bool = typer.Option(False, "--stil", help="Alleen open leerpunten zonder enige opvolging."),
    vandaag: str = VandaagOpt,
    csv_out: bool = CsvOpt,
    json_out: bool = JsonOpt,
) -> None:
    """Leerpunten met eigenaar, status, leeftijd en te laat/stil; filter en exporteer (CSV)."""
    from casusgraaf.services.leerpunten import list_csv, list_leerpunten

    s = settings()
    today = _day(vandaag, json_out)
    with store_for(s, json_out) as store, user_errors(json_out):
        data = list_leerpunten(store, s, eigenaar=eigenaar, status=status, te_laat=te_laat, stil=stil, today=today)
    if csv_out and not json_out:
        sys.stdout.write(list_csv(data))
        return
    emit(data, json_out, _render_list)


def _render_one(lp: dict) -> None:
    console.print(f"[bold]{lp['id']}[/] · {lp['soort']} · {lp['label']}"
                  + (f" · [red]{lp['signaal']}[/]" if lp["signaal"] else ""), highlight=False)
    console.print(lp["tekst"], highlight=False)
    console.print(f"Eigenaar: {_owners(lp)}" + (f" ({lp['directie']})" if lp.get("directie") else "")
                  + f" · regisseur: {lp.get('regisseur') or '—'}", highlight=False)
    if lp.get("status"):
        console.print(f"Status zoals geregistreerd: {lp['status']}", highlight=False)
    console.print("Casussen: " + (", ".join(c["id"] for c in lp["casussen"]) or "—"), highlight=False)
    for e in lp["opvolging"]:
        console.print(f"  {e['datum']}  {e.get('code') or '':28} {e.get('tekst') or ''}"
                      f"  [dim]({e.get('bron') or ''}{', ' + e['wie'] if e.get('wie') else ''})[/]", highlight=False)
    if not lp["opvolging"]:
        console.print("  [dim]nog geen opvolging vastgelegd[/]")
    for e in lp["terugkerend_van"]:
        console.print(f"Terugkerend van {e['id']}: {e.get('tekst') or ''}", highlight=False)
    for e in lp["later"]:
        console.print(f"Kwam later terug in {e['id']}: {e.get('tekst') or ''}", highlight=False)


@leerpunt_app.command("show")
def show(leerpunt_id: str = typer.Argument(..., metavar="ID"), vandaag: str = VandaagOpt,
         json_out: bool = JsonOpt) -> None:
    """Eén leerpunt met historie (oudste eerst), casussen en terugkeer."""
    from casusgraaf.services.leerpunten import show_leerpunt

    s = settings()
    today = _day(vandaag, json_out)
    with store_for(s, json_out) as store, user_errors(json_out):
        lp = show_leerpunt(store, s, leerpunt_id, today=today)
    emit(lp, json_out, _render_one)


@leerpunt_app.command("status")
def status_cmd(
    leerpunt_id: str = typer.Argument(..., metavar="ID"),
    code: str = typer.Option(..., "--code", help="Statuscode, bv. IN_VERKENNING (zie docs/CLI.md)."),
    tekst: str = typer.Option(..., "--tekst", help="Wat er gebeurde, in eigen woorden (geen namen)."),
    datum: str = typer.Option(None, "--datum", help="Datum van de opvolging JJJJ-MM-DD (standaard: vandaag)."),
    wie: str = typer.Option(None, "--wie", help="Rol of organisatie, bv. 'ambassadeur SZW' (geen persoonsnaam)."),
    bron: str = typer.Option(None, "--bron", help="Bron, bv. ambassadeursoverleg of interview."),
    vandaag: str = VandaagOpt,
    json_out: bool = JsonOpt,
) -> None:
    """Leg een gedateerde status vast (voegt toe aan de historie; eerdere items blijven)."""
    from casusgraaf.services.leerpunten import set_status

    s = settings()
    today = _day(vandaag, json_out)
    with store_for(s, json_out) as store, user_errors(json_out):
        out = set_status(store, s, leerpunt_id, code=code, tekst=tekst, datum=datum, wie=wie, bron=bron,
                         kanaal="cli", today=today)
    emit(out, json_out, lambda d: console.print(
        f"[green]Vastgelegd:[/] {d['leerpunt']['id']} → {d['opvolging']['code']} op {d['opvolging']['datum']}",
        highlight=False))


@leerpunt_app.command("koppel")
def koppel(
    leerpunt_id: str = typer.Argument(..., metavar="ID"),
    terugkerend_van: str = typer.Option(..., "--terugkerend-van", help="Id van het eerdere leerpunt."),
    wie: str = typer.Option(None, "--wie", help="Rol of organisatie die de terugkeer bevestigt."),
    vandaag: str = VandaagOpt,
    json_out: bool = JsonOpt,
) -> None:
    """Bevestig dat een leerpunt terugkeert van een eerder leerpunt (zet het op de agenda)."""
    from casusgraaf.services.leerpunten import link_recurrence

    s = settings()
    today = _day(vandaag, json_out)
    with store_for(s, json_out) as store, user_errors(json_out):
        lp = link_recurrence(store, s, leerpunt_id, terugkerend_van, wie=wie, kanaal="cli", today=today)
    emit(lp, json_out, lambda d: console.print(f"[green]Gekoppeld:[/] {d['id']} terugkerend van {terugkerend_van}",
                                               highlight=False))


@leerpunt_app.command("suggesties")
def suggesties(leerpunt_id: str = typer.Argument(None, metavar="[ID]"), vandaag: str = VandaagOpt,
               json_out: bool = JsonOpt) -> None:
    """Mogelijk terugkerende leerpunten (e5-gelijkenis plus gedeelde eigenaar of wet), om te bevestigen."""
    from casusgraaf.services.leerpunten import suggest_recurrences

    s = settings()
    today = _day(vandaag, json_out)
    with store_for(s, json_out) as store, user_errors(json_out):
        out = suggest_recurrences(store, s, leerpunt_id, today=today)

    def render(rows: list[dict]) -> None:
        if not rows:
            console.print("Geen suggesties.")
        for r in rows:
            ctx = ", ".join(r["gedeelde_eigenaren"] + r["gedeelde_wetten"])
            console.print(f"{r['id']} ← {r['eerder']}  gelijkenis {r['gelijkenis']:.2f}  (gedeeld: {ctx})\n"
                          f"  nu:    {r['tekst']}\n  eerder: {r['eerder_tekst']}\n"
                          f"  bevestig: casusgraaf leerpunt koppel {r['id']} --terugkerend-van {r['eerder']}",
                          highlight=False)
    emit(out, json_out, render)


@app.command("agenda")
def agenda_cmd(
    sinds: str = typer.Option(None, "--sinds", help="Datum van het vorige overleg (standaard: een maand terug)."),
    zonder_suggesties: bool = typer.Option(False, "--zonder-suggesties", help="Geen terugkeer-suggesties (sneller: "
                                           "laadt het embeddingmodel niet)."),
    vandaag: str = VandaagOpt,
    csv_out: bool = CsvOpt,
    json_out: bool = JsonOpt,
) -> None:
    """Agenda voor het volgende ambassadeursoverleg: nieuw, opvolging, terugkerend, te laat, stil, stelsel."""
    from casusgraaf.leerpunten.agenda import SECTIONS
    from casusgraaf.services.leerpunten import agenda, agenda_csv

    s = settings()
    today = _day(vandaag, json_out)
    since = _day(sinds, json_out, "--sinds")
    with store_for(s, json_out) as store, user_errors(json_out):
        data = agenda(store, s, today=today, sinds=since, suggestions=not zonder_suggesties)
    if csv_out and not json_out:
        sys.stdout.write(agenda_csv(data))
        return

    def render(d: dict) -> None:
        console.print(f"[bold]Agenda ambassadeursoverleg[/] — {d['vandaag']} (sinds {d['sinds']})")
        for key, label in SECTIONS.items():
            console.print(f"\n[bold]{label}[/] ({len(d[key])})")
            for lp in d[key]:
                console.print(f"  {lp['id']}  {_owners(lp)}  {lp['label']}  {lp['laatste_datum'] or '—'}  "
                              f"{lp['tekst'][:70]}", highlight=False)
        if d["te_bevestigen"]:
            console.print(f"\n[bold]Mogelijk terugkerend, te bevestigen[/] ({len(d['te_bevestigen'])})")
            for r in d["te_bevestigen"]:
                console.print(f"  {r['id']} ← {r['eerder']} ({r['gelijkenis']:.2f})", highlight=False)
    emit(data, json_out, render)
