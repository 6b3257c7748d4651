"""``casusgraaf audit [--gebruiker X] [--sinds D] [--actie A] [--json|--csv]``, ``audit verify`` and
``audit opschonen``: read, check and expire the audit trail (docs/SECURITY.md, "Auditlog")."""

from __future__ import annotations

import getpass
import json
import sys

import typer
from rich.table import Table

from casusgraaf.cli._app import app
from casusgraaf.cli._common import JsonOpt, console, emit, fail, settings, user_errors

audit_app = typer.Typer(
    help="Het auditlog: wie zocht, bekeek, vroeg op, exporteerde, wijzigde of wiste wat en wanneer. Zonder "
         "subcommando: de records (filter met --gebruiker, --sinds, --actie). 'audit verify' controleert de "
         "hashketen (exit 0 intact, exit 2 met de eerste foute regel).",
    invoke_without_command=True,
)
app.add_typer(audit_app, name="audit")


def cli_user() -> str:
    """Who runs a CLI command, for the audit: ``cli:<login name>``."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):  # no login name (a container without /etc/passwd entry)
        name = "onbekend"
    return f"cli:{name}"[:100]


@audit_app.callback()
def audit(
    ctx: typer.Context,
    gebruiker: str | None = typer.Option(None, "--gebruiker", help="Alleen records van deze gebruiker."),
    sinds: str | None = typer.Option(None, "--sinds", help="Vanaf deze datum (JJJJ-MM-DD) of ISO-tijd."),
    actie: str | None = typer.Option(None, "--actie", help="Alleen deze actie (zoeken, cypher, verwijderen, ...)."),
    json_out: bool = JsonOpt,
    csv_out: bool = typer.Option(False, "--csv", help="CSV-uitvoer (één regel per record)."),
) -> None:
    """Toon de records van het auditlog, oudste eerst."""
    if ctx.invoked_subcommand is not None:
        return
    from casusgraaf.audit import AuditLog, parse_since

    if json_out and csv_out:
        fail("kies --json of --csv, niet allebei")
    s = settings()
    with user_errors(json_out):
        since = parse_since(sinds) if sinds else None
        rows = AuditLog(s).records(user=gebruiker, since=since, action=actie)
    if csv_out:
        from casusgraaf.services.beheer import audit_csv

        sys.stdout.write(audit_csv(rows))
        return
    emit({"records": rows}, json_out, _render)


def _render(out: dict) -> None:
    rows = out["records"]
    if not rows:
        console.print("(geen records)")
        return
    table = Table()
    for col in ("seq", "tijd", "gebruiker", "rol", "actie", "wat", "ids", "resultaat"):
        table.add_column(col)
    for r in rows:
        ids = r.get("result_ids") or []
        table.add_row(str(r.get("seq")), str(r.get("ts"))[:19], str(r.get("user")), str(r.get("role")),
                      str(r.get("action")), json.dumps(r.get("what"), ensure_ascii=False, sort_keys=True),
                      " ".join(ids[:5]) + (f" (+{len(ids) - 5})" if len(ids) > 5 else ""), str(r.get("result")))
    console.print(table)


@audit_app.command("verify")
def verify(json_out: bool = JsonOpt) -> None:
    """Controleer de hashketen: exit 0 als hij intact is, anders exit 2 met de eerste foute regel
    (verwijderd, gewijzigd, verplaatst of een afgekapt eind)."""
    from casusgraaf.audit import AuditLog

    log = AuditLog(settings())
    broken, summary = log.verify()
    if broken is not None:
        fail(f"auditlog {log.path}: {broken}", json_out)
    emit({"intact": True, **summary}, json_out, lambda d: console.print(
        f"Auditlog intact: {d['records']} record(s), laatste seq {d['laatste_seq']}, laatste hash "
        f"{d['laatste_hash']} (noteer die elders: hij legt het hele logboek vast)."))


@audit_app.command("opschonen")
def expire(json_out: bool = JsonOpt) -> None:
    """Verwijder records ouder dan CASUSGRAAF_AUDIT_RETENTION_DAYS (een checkpoint houdt de keten
    controleerbaar); gebeurt ook vanzelf bij het schrijven."""
    from casusgraaf.audit import AuditLog

    with user_errors(json_out):
        n = AuditLog(settings()).expire()
    emit({"verwijderd": n}, json_out, lambda d: console.print(f"{d['verwijderd']} record(s) verwijderd."))
