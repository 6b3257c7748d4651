"""Core commands: setup, ingest, similar, cypher, delete, reindex, status, serve, demo."""

from __future__ import annotations

from pathlib import Path

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


@app.command()
def setup(json_out: bool = JsonOpt) -> None:
    """Bouw het embeddingmodel offline en warm de privacy-poort op (eenmalig, ~2 minuten)."""
    from casusgraaf.embedding.build import build_model
    from casusgraaf.privacy import warm

    s = settings()
    done = {}
    if not s.model:
        done["model"] = str(build_model(Path(s.model_path), progress=not json_out))
    else:
        done["model"] = s.model
    if not json_out:
        console.print("Privacy-poort (deduce) opwarmen…")
    warm()
    done["privacy"] = "deduce klaar"
    emit(done, json_out, lambda d: console.print(f"[green]Klaar.[/] Model: {d['model']}"))


@app.command()
def ingest(
    paths: list[Path] = typer.Argument(..., help="Bestanden of mappen (.jsonl, .csv, .txt, .md, .docx, .pdf)."),
    redact: bool = typer.Option(False, "--redact", help="Harde identificatoren vervangen door [BSN], [PERSOON-1], … "
                                "in plaats van de casus in quarantaine te zetten."),
    json_out: bool = JsonOpt,
) -> None:
    """Lees casussen in: telt nieuw, bijgewerkt, ongewijzigd en quarantaine (met redenen)."""
    from casusgraaf.services.ingest import ingest_paths

    s = settings()
    with store_for(s, json_out) as store, user_errors(json_out):
        report = ingest_paths(store, s, paths, redact=redact, progress=progress_enabled(json_out))
    emit(report.to_dict(), json_out, _render_report)
    if report.nothing_ingested:
        raise typer.Exit(2)


def _render_report(d: dict) -> None:
    console.print(f"Ingelezen: [bold]{d['ingested']}[/] nieuw, {d['updated']} bijgewerkt, "
                  f"{d['unchanged']} ongewijzigd, {d['quarantined']} in quarantaine, "
                  f"{d['redacted']} geanonimiseerd, {d['failed']} fout.")
    for p in d["problems"]:
        colour = {"fout": "red", "quarantaine": "yellow"}.get(p["soort"], "dim")
        console.print(f"  [{colour}]{p['soort']}[/] {p['waar']}: {p['reden']}", highlight=False)


def _parse_jaar(jaar: str | None) -> tuple[int | None, int | None]:
    if not jaar:
        return None, None
    try:
        if "-" in jaar:
            lo, hi = jaar.split("-", 1)
            return (int(lo) if lo else None), (int(hi) if hi else None)
        return int(jaar), int(jaar)
    except ValueError:
        fail(f"--jaar '{jaar}' is geen jaar of bereik; gebruik bijvoorbeeld 2021 of 2021-2024")


@app.command()
def similar(
    case: list[str] = typer.Option([], "--case", help="Casus-id (herhaalbaar: samen als één zoekvraag)."),
    text: str | None = typer.Option(None, "--text", help="Beschrijving van een nieuwe casus."),
    file: Path | None = typer.Option(None, "--file", help="Bestand met de beschrijving (UTF-8)."),
    k: int = typer.Option(10, "--k", min=1, max=100, help="Aantal resultaten."),
    jaar: str | None = typer.Option(None, "--jaar", help="Jaar of bereik, bv. 2021-2024."),
    wet: list[str] = typer.Option([], "--wet", help="Alleen casussen die deze wet raken."),
    organisatie: list[str] = typer.Option([], "--organisatie", help="Alleen casussen met deze organisatie."),
    leefgebied: list[str] = typer.Option([], "--leefgebied", help="Alleen casussen met dit leefgebied."),
    knelpunt: list[str] = typer.Option([], "--knelpunt", help="Knelpuntcategorie (naam of id)."),
    indiener_type: str | None = typer.Option(None, "--indiener-type", help="gemeente, zorginstelling, …"),
    uitkomst: str | None = typer.Option(None, "--uitkomst", help="Alleen casussen met deze uitkomst."),
    json_out: bool = JsonOpt,
) -> None:
    """Vergelijkbare casussen, gerangschikt, met score en uitleg."""
    from casusgraaf.services.search import Filters, Query, run_similar

    given = sum([bool(case), text is not None, file is not None])
    if given != 1:
        fail("geef precies één van --case, --text of --file", json_out)
    if file is not None:
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            fail(f"{file}: niet te lezen als UTF-8-tekst; controleer pad en codering", json_out)
    lo, hi = _parse_jaar(jaar)
    query = Query(case_ids=case, text=text, k=k, filters=Filters(
        jaar_van=lo, jaar_tot=hi, indiener_type=indiener_type, organisatie=organisatie, wet=wet,
        leefgebied=leefgebied, knelpunt=knelpunt, uitkomst=uitkomst))
    s = settings()
    from casusgraaf.cli._remote import call

    out = None
    if case or (text and text.strip()):  # a running server for this data dir has the models loaded
        with user_errors(json_out):
            out = call(s, "/api/similar", {"text": text, "case_ids": case, "k": k,
                                           "filters": query.filters.model_dump(exclude_defaults=True)})
    if out is None:
        with store_for(s, json_out) as store, user_errors(json_out):
            out = run_similar(store, s, query)
    emit(out, json_out, _render_similar)


def _render_similar(out: dict) -> None:
    if not out["results"]:
        console.print("Geen vergelijkbare casussen gevonden (controleer de filters).")
        return
    table = Table(title="Vergelijkbare casussen (inspiratie, geen precedent)", show_lines=True)
    for col in ("#", "casus", "waarom", "score", "dense/lex/struct", "uitkomst"):
        table.add_column(col)
    for i, r in enumerate(out["results"], start=1):
        s = r["signals"]
        why = r.get("uitleg") or ", ".join(f"{g['soort']}: {g['naam']}" for g in r.get("gedeeld", [])[:5])
        table.add_row(str(i), f"{r['case_id']}\n{r.get('titel') or ''}", why, f"{r['score']:.3f}",
                      "/".join(f"{s.get(n, 0):.2f}" for n in ("dense", "lexical", "structural")),
                      r.get("uitkomst") or "")
    console.print(table)


@app.command()
def cypher(
    query: str = typer.Argument(..., help="Alleen-lezen Cypher, bv. \"MATCH (c:Casus) RETURN count(c) AS n\"."),
    limit: int = typer.Option(1000, "--limit", help="Maximaal aantal rijen."),
    json_out: bool = JsonOpt,
) -> None:
    """Alleen-lezen Cypher op de tekstvrije projectie van de graaf (geen casustekst); een schrijvende query
    wordt geweigerd (exit 2)."""
    from casusgraaf.services.analysis import run_cypher

    s = settings()
    with store_for(s, json_out) as store, user_errors(json_out):
        rows = run_cypher(store, s, query, limit=limit)
    emit({"rows": rows}, json_out, _render_rows)


def _render_rows(out: dict) -> None:
    rows = out["rows"]
    if not rows:
        console.print("(geen rijen)")
        return
    table = Table()
    for col in rows[0]:
        table.add_column(str(col))
    for row in rows:
        table.add_row(*[str(row.get(c)) for c in rows[0]])
    console.print(table)


@app.command()
def delete(case_id: str = typer.Argument(..., help="Casus-id."), json_out: bool = JsonOpt) -> None:
    """Wis een casus (AVG art. 17): uit de graaf, de analistenprojectie, alle indexen, de quarantaine en de
    opslagbestanden van de graaf; het auditlog krijgt alleen het id."""
    from casusgraaf.cli.audit import cli_user
    from casusgraaf.services.ingest import delete_case

    s = settings()
    with store_for(s, json_out) as store, user_errors(json_out):
        delete_case(store, s, case_id, user=cli_user())
    emit({"deleted": case_id}, json_out, lambda d: console.print(f"Casus {d['deleted']} verwijderd."))


@app.command()
def reindex(json_out: bool = JsonOpt) -> None:
    """Bouw de FAISS- en lexicale index en de tekstvrije analistenprojectie opnieuw op uit de graaf (geen
    modelrun nodig)."""
    from casusgraaf.services.ingest import reindex as rebuild

    s = settings()
    with store_for(s, json_out) as store:
        stats = rebuild(store, s, progress=progress_enabled(json_out))
    emit(stats, json_out, lambda d: console.print(
        f"Index herbouwd: {d['vectors']} vectoren, {d['lexical']} teksten ({d['cases']} casussen)."))


@app.command()
def status(json_out: bool = JsonOpt) -> None:
    """Toon de toestand: de graafserver (draait hij, pid, socket, wie hem gebruikt), het aantal casussen en
    of de indexen bij de graaf horen. Start de ingebouwde server niet als hij niet draait."""
    from casusgraaf.graph import server
    from casusgraaf.search.indexes import Indexes

    s = settings()
    out: dict = {"graaf": "neo4j" if not s.embedded else "falkordb", "data_dir": str(s.data_dir),
                 "index_generatie": Indexes(s).generation()}
    if s.embedded:
        out["server"] = server.server_status(s)
    if not s.embedded or out["server"]["running"]:
        from casusgraaf.graph import load_query
        from casusgraaf.services.cases import count_cases

        with store_for(s, json_out) as store:
            out["casussen"] = count_cases(store)
            out["graaf_generatie"] = int(store.run(load_query("state_get"))[0]["generation"])

    def render(o: dict) -> None:
        srv = o.get("server")
        if srv is not None:
            state = f"draait (pid {srv['pid']}, {len(srv['leases'])} gebruiker(s))" if srv["running"] else "gestopt"
            console.print(f"Ingebouwde graafserver: {state}; socket {srv['socket']}", highlight=False)
        if "casussen" in o:
            fresh = "actueel" if o["index_generatie"] == o["graaf_generatie"] else "wordt bij de volgende zoekvraag herbouwd"
            console.print(f"{o['casussen']} casussen; indexen {fresh}.", highlight=False)

    emit(out, json_out, render)


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Adres; standaard alleen deze machine."),
    port: int = typer.Option(8000, "--port"),
) -> None:
    """Start de API en de pagina's (OpenAPI op /docs)."""
    import uvicorn

    from casusgraaf.api.app import create_app
    from casusgraaf.cli._remote import announce
    from casusgraaf.cli.gebruiker import bootstrap_beheerder, guard_host

    s = settings()
    bootstrap_beheerder(s)
    guard_host(s, host)  # no accounts (lokale modus): loopback only, exit 2 otherwise
    console.print(f"casusgraaf draait op http://{host}:{port}  (API-documentatie: /docs)")
    # No access log: query strings could carry case details. api.json lets CLI commands use this server.
    with announce(s, host, port) as cli_token:
        app = create_app(s)
        app.state.cli_token = cli_token  # the token CLI commands on this machine send (cli/_remote.py)
        uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)


@app.command()
def demo(
    host: str = typer.Option("127.0.0.1", "--host"),
    port: int = typer.Option(8000, "--port"),
    no_serve: bool = typer.Option(False, "--no-serve", help="Alleen inlezen, niet serveren."),
) -> None:
    """Bouw het model indien nodig, lees het voorbeeldcorpus in (CASUSGRAAF_SAMPLE_DIR; standaard de
    verzonnen voorbeeldcasussen) en start de server. Niet voor productie: daar draait u `serve`."""
    from casusgraaf.cli.gebruiker import demo_account
    from casusgraaf.embedding.build import build_model
    from casusgraaf.services.ingest import ingest_paths

    s = settings()
    if not s.model:
        build_model(Path(s.model_path), progress=True)
    if not s.sample_dir.is_dir():
        fail(f"voorbeeldcorpus niet gevonden: {s.sample_dir} (CASUSGRAAF_SAMPLE_DIR)")
    with store_for(s) as store, user_errors():
        report = ingest_paths(store, s, [s.sample_dir], progress=progress_enabled(False))
    _render_report(report.to_dict())
    if not no_serve:
        demo_account(s)  # the demo runs with a login: one beheerder, its password printed once
        serve(host=host, port=port)
