"""``casusgraaf privacy-check`` and ``casusgraaf quarantine list|show|release|remove``.

Nothing here prints a detected value or raw case text: reports name the file, line, field, finding
type and character positions, plus what to change.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from casusgraaf.cli._app import app
from casusgraaf.cli._common import JsonOpt, console, emit, settings, store_for, user_errors

RedactOpt = typer.Option(False, "--redact", help="Harde identificatoren vervangen door placeholders in plaats "
                         "van quarantaine (zoals 'ingest --redact').")


@app.command("privacy-check")
def privacy_check(
    paths: list[Path] = typer.Argument(..., help="Bestanden of mappen met casussen (jsonl, csv, txt, md, docx, pdf)."),
    redact: bool = RedactOpt,
    json_mode: bool = JsonOpt,
) -> None:
    """Controleer casussen op persoonsgegevens zonder iets op te slaan.

    Meldt per bestand:regel het veld, het soort gegeven (BSN, IBAN, PERSOON, ...) en de positie, en
    wat u moet aanpassen; nooit de gevonden waarde. Exitcode 0: alles schoon (of, met --redact, alleen
    te maskeren gegevens); 2: er zou iets in quarantaine gaan, of een bestand is onleesbaar.
    """
    from casusgraaf.services.ingest import privacy_check as check

    report = check(settings(), paths, redact=redact)
    counts = report["aantallen"]

    def render(rep: dict[str, Any]) -> None:
        for it in rep["meldingen"]:
            if "fout" in it:
                console.print(f"[red]{it['waar']}[/]: {it['fout']}", highlight=False)
                continue
            colour = "red" if it["actie"] == "quarantine" else "yellow"
            label = "quarantaine" if it["actie"] == "quarantine" else "wordt gemaskeerd"
            casus = f" (casus {it['id']})" if it['id'] else ""
            console.print(f"[{colour}]{it['waar']}[/]{casus}: {label}", highlight=False)
            for f in it["bevindingen"]:
                veld = "" if f["field"] == "tekst" else f" in {f['field']}"
                console.print(f"  - {f['type']}{veld} op positie {f['start']}–{f['end']}: {f['advies']}",
                              highlight=False)
        c = rep["aantallen"]
        console.print(f"{c['records']} casussen: {c['schoon']} schoon, {c['redact']} te maskeren, "
                      f"{c['quarantaine']} quarantaine, {c['fouten']} onleesbaar.", highlight=False)

    emit(report, json_mode, render)
    if counts["quarantaine"] or counts["fouten"]:
        raise typer.Exit(2)


quarantine_app = typer.Typer(
    name="quarantine",
    help=(
        "Casussen die de privacypoort tegenhield. Ze staan alleen in de quarantainemap (rechten 0700/0600) "
        "en nergens anders. Werkwijze: 1) 'quarantine show QID' toont bron:regel, soort gegeven en positie; "
        "2) pas de bron aan; 3) 'quarantine release QID --file BRON' controleert de aangepaste casus opnieuw en "
        "leest het bestand in als de casus nu schoon is (anders blijft hij in quarantaine). 'quarantine remove QID' "
        "verwijdert een casus definitief."
    ),
    no_args_is_help=True,
)
app.add_typer(quarantine_app, name="quarantine")


def _store():
    from casusgraaf.privacy.quarantine import Quarantine

    return Quarantine(settings().quarantine_dir)


@quarantine_app.command("list")
def quarantine_list(json_mode: bool = JsonOpt) -> None:
    """Toon de casussen in quarantaine: id, bron:regel, tijd en soorten gegevens (geen waarden)."""
    rows = _store().list()

    def render(rs: list[dict[str, Any]]) -> None:
        if not rs:
            console.print("Geen casussen in quarantaine.")
            return
        for r in rs:
            where = f"{r['source']}:{r['line']}" if r.get("line") else r["source"]
            console.print(f"{r['qid']}  {r['time']}  {where}  {', '.join(r.get('types', []))}", highlight=False)

    emit(rows, json_mode, render)


@quarantine_app.command("show")
def quarantine_show(qid: str = typer.Argument(..., help="Quarantaine-id uit 'quarantine list'."),
                    json_mode: bool = JsonOpt) -> None:
    """Toon waar de casus vandaan komt en wat erin gevonden is (soort en positie, nooit de waarde).

    De ruwe casus zelf staat alleen in het quarantainebestand (pad in de uitvoer, leesbaar voor u alleen).
    """
    from casusgraaf.privacy import advies
    with user_errors(json_mode):
        data = _store().show(qid)
    for f in data.get("findings", []):
        f["advies"] = advies(f.get("type", ""))

    def render(d: dict[str, Any]) -> None:
        where = f"{d['source']}:{d['line']}" if d.get("line") else d["source"]
        console.print(f"[bold]{d['qid']}[/] uit {where} ({d['time']})", highlight=False)
        for f in d.get("findings", []):
            veld = "" if f.get("field", "tekst") == "tekst" else f" in {f['field']}"
            console.print(f"  - {f['type']}{veld} op positie {f['start']}–{f['end']}: {f['advies']}", highlight=False)
        console.print(f"Ruwe casus: {d['path']}", highlight=False)
        console.print(f"Pas de bron aan en draai: casusgraaf quarantine release {d['qid']} --file {d['source']}",
                      highlight=False)

    emit(data, json_mode, render)


@quarantine_app.command("release")
def quarantine_release(
    qid: str = typer.Argument(..., help="Quarantaine-id uit 'quarantine list'."),
    file: Path | None = typer.Option(None, "--file", help="Het aangepaste bronbestand (of een bestand met "
                                     "alleen de aangepaste casus)."),
    redact: bool = RedactOpt,
    json_mode: bool = JsonOpt,
) -> None:
    """Haal een casus uit quarantaine, alleen als hij nu door de privacypoort komt.

    Met --file: leest de casus met hetzelfde id uit het aangepaste bestand (of de enige casus erin),
    controleert hem opnieuw en leest hem bij succes in; pas daarna verdwijnt de quarantaine-entry. Zonder
    --file: controleert de opgeslagen casus opnieuw (na een gewijzigd beleid, of met --redact: dan worden
    de gegevens gemaskeerd). Vindt de poort nog steeds persoonsgegevens, of kon de casus niet worden
    opgeslagen, dan blijft hij in quarantaine en ziet u waar de ruwe casus staat en wat u moet aanpassen
    (exitcode 2).
    """
    from casusgraaf.services.ingest import release_quarantined

    s = settings()
    with store_for(s, json_mode) as store, user_errors(json_mode):
        out = release_quarantined(store, s, qid, file, redact=redact)
    if out["vrijgegeven"]:
        emit(out, json_mode, lambda o: console.print(f"Vrijgegeven en ingelezen: {o['qid']} ({o['actie']}).",
                                                     highlight=False))
        return

    def render(o: dict[str, Any]) -> None:
        console.print(f"[red]Niet vrijgegeven[/]: {o['bron']}", highlight=False)
        for f in o.get("bevindingen", []):
            veld = "" if f["field"] == "tekst" else f" in {f['field']}"
            console.print(f"  - {f['type']}{veld} op positie {f['start']}–{f['end']}: {f['advies']}",
                          highlight=False)
        for p in (o.get("ingest") or {}).get("problems", []):
            console.print(f"  - {p['soort']}: {p['reden']}", highlight=False)
        console.print(f"Ruwe casus: {o['ruwe_casus']}", highlight=False)
        console.print(f"Wat nu: {o['instructie']}", highlight=False)

    emit(out, json_mode, render)
    raise typer.Exit(2)


@quarantine_app.command("remove")
def quarantine_remove(qid: str = typer.Argument(..., help="Quarantaine-id uit 'quarantine list'."),
                      json_mode: bool = JsonOpt) -> None:
    """Verwijder een casus definitief uit quarantaine (bijvoorbeeld na aanpassen en opnieuw inlezen)."""
    with user_errors(json_mode):
        _store().remove(qid)
    emit({"qid": qid, "verwijderd": True}, json_mode,
         lambda o: console.print(f"Verwijderd: {o['qid']}", highlight=False))
