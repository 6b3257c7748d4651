"""Accounts: ``casusgraaf gebruiker add|list|disable|token|rol|wachtwoord``, and the safe defaults of
``serve``/``demo`` (no accounts = lokale modus = loopback only; a first beheerder from a secret file; the
demo's own beheerder account)."""

from __future__ import annotations

import getpass
import ipaddress
import secrets
import sys

import typer
from rich.table import Table

from casusgraaf.accounts import ROLES, AccountStore
from casusgraaf.cli._app import app
from casusgraaf.cli._common import JsonOpt, console, emit, fail, settings, user_errors
from casusgraaf.config import Settings

gebruiker = typer.Typer(help="Accounts en rollen (regievoerder, analist, ambassadeur, beheerder).",
                        no_args_is_help=True)
app.add_typer(gebruiker, name="gebruiker")

RolOpt = typer.Option([], "--rol", help=f"Rol (herhaalbaar): {', '.join(ROLES)}.")
StdinOpt = typer.Option(False, "--wachtwoord-stdin", help="Lees het wachtwoord van standaardinvoer (scripts, CI, "
                                                           "docker secrets) in plaats van het te vragen.")


def _password(from_stdin: bool, json_out: bool) -> str:
    if from_stdin:
        value = sys.stdin.readline().rstrip("\r\n")
    else:
        value = getpass.getpass("Wachtwoord: ")
        if getpass.getpass("Nog een keer: ") != value:
            fail("de wachtwoorden zijn niet gelijk", json_out)
    return value


def _render_users(users: list[dict]) -> None:
    if not users:
        console.print("Geen accounts: casusgraaf draait in lokale modus (alleen via 127.0.0.1).")
        return
    table = Table(title="Gebruikers")
    for col in ("naam", "rollen", "scope", "actief", "tokens", "gemaakt"):
        table.add_column(col)
    for u in users:
        table.add_row(u["naam"], ", ".join(u["rollen"]), u["scope"] or "", "ja" if u["actief"] else "nee",
                      str(u["tokens"]), u["gemaakt"] or "")
    console.print(table)


@gebruiker.command("add")
def add(naam: str = typer.Argument(..., help="Gebruikersnaam (kleine letters, cijfers, . _ -)."),
        rol: list[str] = RolOpt,
        scope: str | None = typer.Option(None, "--scope", help="Ministerie of organisatie van een ambassadeur "
                                                                "(bv. SZW, UWV)."),
        geen_wachtwoord: bool = typer.Option(False, "--geen-wachtwoord", help="Alleen API-tokens, geen login."),
        wachtwoord_stdin: bool = StdinOpt, json_out: bool = JsonOpt) -> None:
    """Maak een account; het wachtwoord wordt gevraagd (of met --wachtwoord-stdin gelezen)."""
    s = settings()
    pw = None if geen_wachtwoord else _password(wachtwoord_stdin, json_out)
    with user_errors(json_out):
        out = AccountStore(s.data_dir).add(naam, rol, pw, scope)
    emit(out, json_out, lambda u: console.print(
        f"Account [bold]{u['naam']}[/] gemaakt ({', '.join(u['rollen'])}"
        + (f"; scope {u['scope']}" if u["scope"] else "") + "). Vanaf nu is inloggen verplicht.", highlight=False))


@gebruiker.command("list")
def list_users(json_out: bool = JsonOpt) -> None:
    """Toon alle accounts (zonder wachtwoorden of tokens)."""
    emit(AccountStore(settings().data_dir).list(), json_out, _render_users)


@gebruiker.command("disable")
def disable(naam: str = typer.Argument(...), json_out: bool = JsonOpt) -> None:
    """Zet een account uit: geen login meer, tokens en sessies werken niet meer."""
    s = settings()
    with user_errors(json_out):
        AccountStore(s.data_dir).disable(naam)
    from casusgraaf.accounts import SessionStore

    ended = SessionStore(s.data_dir, idle=s.session_idle_minutes * 60).end_user(naam)
    emit({"naam": naam, "actief": False, "sessies_beeindigd": ended}, json_out,
         lambda d: console.print(f"Account {d['naam']} staat uit ({d['sessies_beeindigd']} sessie(s) beëindigd)."))


@gebruiker.command("token")
def token(naam: str = typer.Argument(...),
          intrekken: bool = typer.Option(False, "--intrekken", help="Trek alle tokens van deze gebruiker in."),
          json_out: bool = JsonOpt) -> None:
    """Maak een API-token (eenmalig getoond; bewaard wordt alleen een hash), of trek ze in met --intrekken."""
    accounts = AccountStore(settings().data_dir)
    with user_errors(json_out):
        if intrekken:
            n = accounts.revoke_tokens(naam)
            emit({"naam": naam, "ingetrokken": n}, json_out,
                 lambda d: console.print(f"{d['ingetrokken']} token(s) van {d['naam']} ingetrokken."))
            return
        value = accounts.new_token(naam)
    emit({"naam": naam, "token": value}, json_out, lambda d: console.print(
        f"Token voor {d['naam']} (wordt niet nog eens getoond):\n{d['token']}\n"
        "Gebruik: Authorization: Bearer <token>", highlight=False))


@gebruiker.command("rol")
def rol(naam: str = typer.Argument(...),
        add_: list[str] = typer.Option([], "--add", help="Rol erbij (herhaalbaar)."),
        remove: list[str] = typer.Option([], "--remove", help="Rol eraf (herhaalbaar)."),
        scope: str | None = typer.Option(None, "--scope", help="Nieuwe scope (ambassadeur)."),
        json_out: bool = JsonOpt) -> None:
    """Geef een gebruiker rollen erbij of neem ze af (en zet de scope van een ambassadeur)."""
    if not add_ and not remove and not scope:
        fail("geef --add ROL, --remove ROL of --scope", json_out)
    with user_errors(json_out):
        out = AccountStore(settings().data_dir).set_roles(naam, add_, remove, scope)
    emit(out, json_out, lambda u: console.print(f"{u['naam']}: {', '.join(u['rollen'])}"
                                                + (f" (scope {u['scope']})" if u["scope"] else ""), highlight=False))


@gebruiker.command("wachtwoord")
def wachtwoord(naam: str = typer.Argument(...), wachtwoord_stdin: bool = StdinOpt, json_out: bool = JsonOpt) -> None:
    """Zet een nieuw wachtwoord voor een gebruiker."""
    s = settings()
    pw = _password(wachtwoord_stdin, json_out)
    with user_errors(json_out):
        AccountStore(s.data_dir).set_password(naam, pw)
    emit({"naam": naam, "wachtwoord": "gewijzigd"}, json_out,
         lambda d: console.print(f"Wachtwoord van {d['naam']} gewijzigd."))


# -- serve / demo ----------------------------------------------------------------------------------

def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def bootstrap_beheerder(s: Settings) -> str | None:
    """With CASUSGRAAF_BEHEERDER_WACHTWOORD_FILE and no account yet: create ``beheerder`` with that password
    (docker compose: a secret). Returns the name when it created one."""
    if s.beheerder_wachtwoord_file is None:
        return None
    accounts = AccountStore(s.data_dir)
    if not accounts.empty():
        return None
    try:
        pw = s.beheerder_wachtwoord_file.read_text(encoding="utf-8").strip()
    except OSError:
        fail(f"CASUSGRAAF_BEHEERDER_WACHTWOORD_FILE: {s.beheerder_wachtwoord_file} is niet te lezen")
    with user_errors():
        accounts.add("beheerder", ["beheerder"], pw)
    console.print("Eerste account 'beheerder' gemaakt met het wachtwoord uit CASUSGRAAF_BEHEERDER_WACHTWOORD_FILE.")
    return "beheerder"


def guard_host(s: Settings, host: str) -> None:
    """Refuse (exit 2) to listen beyond this machine while there are no accounts (lokale modus)."""
    if is_loopback(host) or not AccountStore(s.data_dir).empty():
        return
    fail(f"--host {host}: zonder accounts (lokale modus) heeft iedereen alle rollen en ziet alle casusteksten, "
         "dus casusgraaf luistert dan alleen op 127.0.0.1. Maak eerst een account: 'casusgraaf gebruiker add "
         "NAAM --rol beheerder' (of zet CASUSGRAAF_BEHEERDER_WACHTWOORD_FILE), of laat --host weg.")


def demo_account(s: Settings) -> None:
    """The demo runs with a login: a ``beheerder`` account with a random password, printed once."""
    accounts = AccountStore(s.data_dir)
    if not accounts.empty():
        console.print("Inloggen met een bestaand account (nieuw wachtwoord: 'casusgraaf gebruiker wachtwoord NAAM').")
        return
    pw = secrets.token_urlsafe(12)
    with user_errors():
        accounts.add("beheerder", ["beheerder"], pw)
    console.print(f"Demo-account gemaakt. Log in op /login met naam [bold]beheerder[/] en wachtwoord [bold]{pw}[/] "
                  "(wordt niet nog eens getoond; wijzigen: 'casusgraaf gebruiker wachtwoord beheerder').",
                  highlight=False)
