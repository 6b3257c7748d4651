"""Systeemleren: `casusgraaf patronen trends|samenloop|complexiteit|terugkerend|opkomend` and `casusgraaf rapport`.
Figures come from casusgraaf.patterns; this module parses options and renders."""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.table import Table

from casusgraaf.cli._app import app
from casusgraaf.cli._common import JsonOpt, console, emit, fail, settings, store_for, user_errors

patronen_app = typer.Typer(help="Patronen door de jaren (systeemleren): trends, samenloop, complexiteit, "
                                "terugkerende en opkomende combinaties.", no_args_is_help=True)
app.add_typer(patronen_app, name="patronen")

VanOpt = typer.Option(None, "--van", help="Eerste jaar (inclusief).")
TotOpt = typer.Option(None, "--tot", help="Laatste jaar (inclusief).")
CsvOpt = typer.Option(False, "--csv", help="Een tabel als CSV (kies met --tabel).")
TabelOpt = typer.Option(None, "--tabel", help="Welke tabel bij --csv (standaard de eerste).")
ExtractieOpt = typer.Option(False, "--met-extractie", help="Ook door NLP geëxtraheerde feiten meetellen (gelabeld).")


def _run(compute, json_out: bool, csv_out: bool, tabel: str | None, van: int | None, tot: int | None,
         met_extractie: bool) -> None:
    from casusgraaf.patterns import Selectie
    from casusgraaf.patterns.tables import pick

    if json_out and csv_out:
        fail("kies --json of --csv, niet allebei")
    if van is not None and tot is not None and van > tot:
        fail(f"--van {van} ligt na --tot {tot}", json_out)
    s = settings()
    sel = Selectie(van=van, tot=tot, met_extractie=met_extractie)
    with store_for(s, json_out) as store, user_errors(json_out):
        try:
            result = compute(store, sel, s.small_cell_threshold)
        except ValueError as exc:
            fail(str(exc), json_out)
    if csv_out:
        try:
            sys.stdout.write(pick(result.tabellen(), tabel).to_csv())
        except KeyError as exc:
            fail(str(exc.args[0]))
        return
    emit(result.to_dict(), json_out, lambda _d: _render_tables(result.tabellen()))


def _render_tables(tabellen) -> None:
    from casusgraaf.api.render import fmt

    for t in tabellen:
        table = Table(title=t.titel, title_justify="left")
        for k in t.kolommen:
            table.add_column(k)
        for row in t.rijen:
            table.add_row(*[" ".join(map(str, v)) if isinstance(v, list) else fmt(v) for v in row])
        console.print(table)


@patronen_app.command("trends")
def trends_cmd(van: int | None = VanOpt, tot: int | None = TotOpt,
               meervoudig: str = typer.Option("apart", "--meervoudig", help="apart (eigen rij 'meerduidig') of "
                                              "verdeeld (volgens aandeel in de crosswalk)."),
               met_extractie: bool = ExtractieOpt, csv_out: bool = CsvOpt, tabel: str | None = TabelOpt,
               json_out: bool = JsonOpt) -> None:
    """Casussen per knelpuntcategorie en leefgebied per jaar; oudere taxonomieën via de crosswalk (afgeleid)."""
    from casusgraaf.patterns import trends

    _run(lambda st, sel, d: trends(st, sel, meervoudig=meervoudig, drempel=d), json_out, csv_out, tabel, van, tot,
         met_extractie)


@patronen_app.command("samenloop")
def samenloop_cmd(van: int | None = VanOpt, tot: int | None = TotOpt,
                  matrix: list[str] = typer.Option([], "--matrix", help="leefgebied, knelpunt, wet, "
                                                   "wet-organisatie, beleidsterrein (herhaalbaar; standaard alle)."),
                  met_extractie: bool = ExtractieOpt, csv_out: bool = CsvOpt, tabel: str | None = TabelOpt,
                  json_out: bool = JsonOpt) -> None:
    """Samenloop binnen één casus: aantallen, lift en PMI per paar."""
    from casusgraaf.patterns import samenloop

    _run(lambda st, sel, d: samenloop(st, sel, matrices=matrix or None, drempel=d), json_out, csv_out, tabel,
         van, tot, met_extractie)


@patronen_app.command("complexiteit")
def complexiteit_cmd(van: int | None = VanOpt, tot: int | None = TotOpt, met_extractie: bool = ExtractieOpt,
                     csv_out: bool = CsvOpt, tabel: str | None = TabelOpt, json_out: bool = JsonOpt) -> None:
    """Complexiteit per jaar: leefgebieden, organisaties, wetten per casus; looptijd (mediaan, p75, p90)."""
    from casusgraaf.patterns import complexiteit

    _run(lambda st, sel, d: complexiteit(st, sel, drempel=d), json_out, csv_out, tabel, van, tot, met_extractie)


@patronen_app.command("terugkerend")
def terugkerend_cmd(van: int | None = VanOpt, tot: int | None = TotOpt,
                    drempel: int = typer.Option(4, "--drempel", min=2, help="Minimaal aantal casussen (casusbundel: 4)."),
                    niveau: str = typer.Option("knelpunt+wet+organisatie", "--niveau",
                                               help="knelpunt+wet+organisatie, knelpunt+wet of maatwerk (wet + interventie)."),
                    met_extractie: bool = ExtractieOpt, csv_out: bool = CsvOpt, tabel: str | None = TabelOpt,
                    json_out: bool = JsonOpt) -> None:
    """Terugkerende combinaties (signaal van een systeemfout) met casussen, jaren en leerpunt ja/nee."""
    from casusgraaf.patterns import terugkerend

    _run(lambda st, sel, d: terugkerend(st, sel, drempel=drempel, niveau=niveau, kleine_cel=d), json_out, csv_out,
         tabel, van, tot, met_extractie)


@patronen_app.command("opkomend")
def opkomend_cmd(van: int | None = VanOpt, tot: int | None = TotOpt,
                 jaar: int | None = typer.Option(None, "--jaar", help="Doeljaar (standaard het laatste jaar)."),
                 maanden: int | None = typer.Option(None, "--maanden", min=1, max=120,
                                                    help="Laatste N maanden (bv. 12) in plaats van een doeljaar."),
                 termen: bool = typer.Option(True, "--termen/--zonder-termen",
                                             help="Ook opkomende termen uit de teksten (alleen geteld, nooit getoond)."),
                 alpha: float = typer.Option(0.05, "--alpha", min=0.0, max=1.0, help="Significantieniveau (q)."),
                 met_extractie: bool = ExtractieOpt, csv_out: bool = CsvOpt, tabel: str | None = TabelOpt,
                 json_out: bool = JsonOpt) -> None:
    """Opkomende thema's en termen: hoger aandeel in het doeljaar (of de laatste maanden) dan ervoor
    (Fisher exact, p- en q-waarde)."""
    from casusgraaf.patterns import opkomend

    _run(lambda st, sel, d: opkomend(st, sel, jaar=jaar, maanden=maanden, termen=termen, alpha=alpha, drempel=d),
         json_out, csv_out, tabel, van, tot, met_extractie)


@app.command("rapport")
def rapport_cmd(jaar: int = typer.Option(..., "--jaar", help="Rapportjaar, bv. 2024."),
                format: str = typer.Option("md", "--format", help="html of md."),
                uit: Path | None = typer.Option(None, "--uit", help="Schrijf naar dit bestand (anders stdout)."),
                met_extractie: bool = ExtractieOpt, json_out: bool = JsonOpt) -> None:
    """Jaarrapport 'casuïstiek in cijfers': HTML (zelfstandig, printbaar) of Markdown; --json geeft de cijfers."""
    from casusgraaf.api.render import rapport_html, rapport_markdown
    from casusgraaf.patterns import Selectie, rapport

    if format not in ("html", "md"):
        fail(f"--format '{format}' onbekend; kies html of md", json_out)
    s = settings()
    with store_for(s, json_out) as store, user_errors(json_out):
        data = rapport(store, jaar, selectie=Selectie(met_extractie=met_extractie),
                       drempel=s.small_cell_threshold).to_dict()
    if json_out and uit is None:
        emit(data, True)
        return
    text = rapport_html(data) if format == "html" else rapport_markdown(data)
    if uit is None:
        sys.stdout.write(text)
        return
    try:
        uit.write_text(text, encoding="utf-8")
    except OSError as exc:
        fail(f"{uit}: niet te schrijven ({exc.strerror or type(exc).__name__})", json_out)
    emit({"jaar": jaar, "format": format, "uit": str(uit)}, json_out,
         lambda d: console.print(f"Rapport {jaar} geschreven naar [bold]{d['uit']}[/]."))
