"""Leerpunt use cases: list and show (on a given date), record a status, confirm a recurrence, suggest
recurrences, the agenda of the ambassadeursoverleg.

Every change passes the privacy gate (free text and ``wie``) and is appended to the change log
``<data_dir>/leerpunten/wijzigingen.jsonl`` (one JSON object a line, never rewritten) until the audit trail
of the roles issue takes over. ``today`` is injectable everywhere; only its default reads the clock.
"""

from __future__ import annotations

import difflib
import json
import secrets
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from casusgraaf.accounts import User
from casusgraaf.config import Settings
from casusgraaf.embedding import get_embedder
from casusgraaf.errors import BadInput, NotFound, Refused
from casusgraaf.files import append_locked
from casusgraaf.graph import GraphStore
from casusgraaf.leerpunten import agenda as agenda_mod
from casusgraaf.leerpunten import lifecycle, recurrence
from casusgraaf.models import leerpunt_status
from casusgraaf.privacy import get_gate
from casusgraaf.services import views

MAX_TEKST = 4000


def _today(today: date | None) -> date:
    return today or date.today()


def change_log_path(settings: Settings) -> Path:
    return settings.data_dir / "leerpunten" / "wijzigingen.jsonl"


def _log_change(settings: Settings, change: dict[str, Any]) -> None:
    """Append one change under an exclusive lock (concurrent writers never interleave a line)."""
    path = change_log_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    append_locked(path, json.dumps(change, ensure_ascii=False, sort_keys=True) + "\n")


def read_change_log(settings: Settings) -> list[dict]:
    path = change_log_path(settings)
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def valid_code(code: str | None) -> str | None:
    """The canonical code, or :class:`BadInput` listing every valid one."""
    if code is None or not code.strip():
        return None
    sc = leerpunt_status.resolve_code(code)
    if sc is None:
        raise BadInput(f"statuscode '{code[:40]}' bestaat niet. Geldige codes: {leerpunt_status.code_choices()}")
    return sc.code


def _not_found(store: GraphStore, lid: str) -> NotFound:
    ids = lifecycle.all_ids(store)
    close = difflib.get_close_matches(lid, ids, n=5, cutoff=0.5)
    hint = f" Bedoelde u: {', '.join(close)}?" if close else ""
    listed = f" Geldige ids: {', '.join(ids)}." if len(ids) <= 100 else " Zie `casusgraaf leerpunten`."
    return NotFound(f"leerpunt '{lid[:64]}' bestaat niet.{hint}{listed}")


def _gate(value: str | None, field: str) -> str | None:
    if value is None:
        return None
    value = value.strip()
    if len(value) > MAX_TEKST:
        raise BadInput(f"{field} is te lang ({len(value)} tekens, maximaal {MAX_TEKST})")
    result = get_gate().check(value)
    if result.action != "pass":
        raise Refused(f"{field} bevat mogelijk persoonsgegevens ({result.summary()}); schrijf het zonder namen, "
                      "nummers of adressen (noem een rol of organisatie)")
    return value


def _parse_date(value: str | date | None, today: date, field: str = "datum") -> date:
    if value is None or value == "":
        return today
    if isinstance(value, date):
        d = value
    else:
        try:
            d = date.fromisoformat(str(value).strip())
        except ValueError:
            raise BadInput(f"{field} '{str(value)[:20]}' is geen datum; gebruik JJJJ-MM-DD") from None
    if d > today:
        raise BadInput(f"{field} {d.isoformat()} ligt in de toekomst (vandaag is {today.isoformat()})")
    return d


def list_leerpunten(store: GraphStore, settings: Settings, *, eigenaar: str | None = None, status: str | None = None,
                    te_laat: bool = False, stil: bool = False, today: date | None = None,
                    viewer: User | None = None) -> dict[str, Any]:
    """Leerpunten with their derived state on ``today``, filtered as on the CLI, plus counts per owner."""
    today = _today(today)
    code = valid_code(status)
    items = lifecycle.load(store, today, settings.leerpunt_review_days)
    chosen = lifecycle.select(items, eigenaar=eigenaar, code=code, te_laat=te_laat, stil=stil)
    return {"vandaag": today.isoformat(), "review_dagen": settings.leerpunt_review_days, "totaal": len(chosen),
            "filters": {"eigenaar": eigenaar, "status": code, "te_laat": te_laat, "stil": stil},
            "per_eigenaar": lifecycle.per_owner(chosen), "leerpunten": views.leerpunten(chosen, viewer)}


def show_leerpunt(store: GraphStore, settings: Settings, lid: str, today: date | None = None,
                  viewer: User | None = None) -> dict[str, Any]:
    rows = lifecycle.load(store, _today(today), settings.leerpunt_review_days, ids=[lid])
    if not rows:
        raise _not_found(store, lid)
    return views.leerpunt(rows[0], viewer)


def set_status(store: GraphStore, settings: Settings, lid: str, *, code: str | None, tekst: str,
               datum: str | date | None = None, wie: str | None = None, bron: str | None = None,
               kanaal: str = "cli", today: date | None = None, viewer: User | None = None) -> dict[str, Any]:
    """Append a dated entry to a leerpunt's history (earlier entries are never changed) and log it. An
    ambassadeur ``viewer`` may only change leerpunten of their own ministry or organisation (Forbidden)."""
    today = _today(today)
    if viewer is not None:
        views.require_change(show_leerpunt(store, settings, lid, today), viewer)
    canonical = valid_code(code)
    tekst = _gate(tekst, "tekst") or ""
    if not tekst and canonical is None:
        raise BadInput("geef een statuscode (--code) of een tekst (--tekst)")
    wie = _gate(wie, "wie") or None
    bron = _gate(bron, "bron") or "casusgraaf"
    d = _parse_date(datum, today)
    now = datetime.now(UTC).isoformat(timespec="microseconds")
    entry = {"id": f"{lid}~{secrets.token_hex(6)}", "datum": d.isoformat(), "code": canonical, "tekst": tekst,
             "bron": bron, "wie": wie, "vastgelegd_op": now}
    if lifecycle.add_entry(store, lid, entry) is None:
        raise _not_found(store, lid)
    _log_change(settings, {"tijd": now, "actie": "status", "kanaal": kanaal, "leerpunt": lid, **{
        k: entry[k] for k in ("id", "datum", "code", "tekst", "bron", "wie")},
        **({"gebruiker": viewer.naam} if viewer is not None else {})})
    return {"opvolging": entry, "leerpunt": show_leerpunt(store, settings, lid, today, viewer)}


def link_recurrence(store: GraphStore, settings: Settings, lid: str, eerder: str, *, wie: str | None = None,
                    kanaal: str = "cli", today: date | None = None, viewer: User | None = None) -> dict[str, Any]:
    """A person confirms that ``lid`` repeats the earlier leerpunt ``eerder`` (an ambassadeur: only for a
    leerpunt ``lid`` of their own scope)."""
    today = _today(today)
    if lid == eerder:
        raise BadInput("een leerpunt kan niet terugkeren van zichzelf")
    for x in (lid, eerder):
        show_leerpunt(store, settings, x, today)  # NotFound with the valid ids
    if viewer is not None:
        views.require_change(show_leerpunt(store, settings, lid, today), viewer)
    wie = _gate(wie, "wie") or None
    lifecycle.link_recurrence(store, lid, eerder, today.isoformat())
    _log_change(settings, {"tijd": datetime.now(UTC).isoformat(timespec="microseconds"), "actie": "koppel",
                           "kanaal": kanaal, "leerpunt": lid, "terugkerend_van": eerder, "wie": wie,
                           "datum": today.isoformat(), **({"gebruiker": viewer.naam} if viewer is not None else {})})
    return show_leerpunt(store, settings, lid, today, viewer)


def suggest_recurrences(store: GraphStore, settings: Settings, lid: str | None = None, *,
                        today: date | None = None, limit: int = 50) -> list[dict[str, Any]]:
    """Recurrence candidates (newer → earlier) to confirm; with ``lid`` only those of that leerpunt."""
    today = _today(today)
    items = lifecycle.load(store, today, settings.leerpunt_review_days)
    if lid is not None and lid not in {lp["id"] for lp in items}:
        raise _not_found(store, lid)
    return recurrence.suggest(items, get_embedder(settings), only={lid} if lid else None, limit=limit)


def agenda(store: GraphStore, settings: Settings, *, today: date | None = None, sinds: str | date | None = None,
           suggestions: bool = True, viewer: User | None = None) -> dict[str, Any]:
    """The agenda of the next ambassadeursoverleg; ``sinds`` = the last meeting (default one month ago)."""
    today = _today(today)
    since = _parse_date(sinds, today, "sinds") if sinds else agenda_mod.month_before(today)
    items = lifecycle.load(store, today, settings.leerpunt_review_days)
    sugg = []
    if suggestions:
        new = {lp["id"] for lp in items if lp.get("datum") and str(lp["datum"]) >= since.isoformat()}
        sugg = recurrence.suggest(items, get_embedder(settings), only=new) if new else []
    out = agenda_mod.build(views.leerpunten(items, viewer), today, since, sugg)
    out["review_dagen"] = settings.leerpunt_review_days
    return out


def list_csv(listing: dict[str, Any]) -> str:
    return agenda_mod.to_csv(agenda_mod.rows(listing["leerpunten"]), agenda_mod.CSV_FIELDS[1:])


def agenda_csv(data: dict[str, Any]) -> str:
    return agenda_mod.agenda_csv(data)


def status_vocabulary() -> list[dict[str, Any]]:
    return [{"code": sc.code, "label": sc.label, "open": sc.open, "uitleg": sc.uitleg}
            for sc in leerpunt_status.status_codes().values()]


__all__ = ["agenda", "agenda_csv", "change_log_path", "link_recurrence", "list_csv", "list_leerpunten",
           "read_change_log", "set_status", "show_leerpunt", "status_vocabulary", "suggest_recurrences", "valid_code"]
