"""Leerpunten as followed-up objects: read them with their history, derive status, age, *te laat* and
*stil* on a given date, filter, append an entry, confirm a recurrence. Plain functions over the GraphStore
through named queries; the clock is always a parameter (``today``), never read here."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta
from typing import Any

from casusgraaf.graph import GraphStore, load_query
from casusgraaf.models import leerpunt_status
from casusgraaf.models.resolve import get_resolver

GROUPS = {"ministerie": "ministerie", "gemeente": "gemeente", "lpd": "LPD", "pmm": "PMM", "overig": "overig",
          "meerdere": "meerdere eigenaren", "niet_belegd": "niet belegd"}
"""Owner groups (DOMAIN.md §4.1) and their Dutch labels."""


def _fold(s: str) -> str:
    s = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "", s.lower())


def _iso(d: Any) -> date | None:
    if isinstance(d, date):
        return d
    try:
        return date.fromisoformat(str(d)) if d else None
    except ValueError:
        return None


def _entry_key(e: dict) -> tuple:
    return (str(e.get("datum") or ""), str(e.get("vastgelegd_op") or ""), e.get("volgnr") or 0, e.get("id") or "")


# Leerpunt properties the graph leaves out when they are null; callers always see every key.
_FIELDS = ("tekst", "datum", "status", "status_code", "categorie", "orde", "soort", "bron", "jaar", "directie",
           "belegd_groep", "regisseur", "al_bekend", "beleidstraject", "geverifieerd", "stelselvraagstuk")


def enrich(row: dict, today: date, review_days: int) -> dict:
    """One row of ``leerpunt_list`` → the leerpunt as callers see it (history newest last, derived state)."""
    node = dict.fromkeys(_FIELDS)
    node.update({k: v for k, v in row["leerpunt"].items() if not k.startswith("_")})
    entries = sorted(row.get("opvolging") or [], key=_entry_key)
    for e in entries:
        sc = leerpunt_status.resolve_code(e.get("code"))
        e["label"] = sc.label if sc else None
    coded = [e for e in entries if e.get("code")]
    code = coded[-1]["code"] if coded else node.get("status_code")
    sc = leerpunt_status.resolve_code(code)
    is_open = sc.open if sc else True  # no status: nobody closed it
    last = _iso(entries[-1]["datum"]) if entries else None
    since = (today - last).days if last else None
    drawn = _iso(node.get("datum"))
    overdue = bool(is_open and last is not None and last < today - timedelta(days=review_days))
    silent = bool(is_open and not entries)
    return {
        **node,
        "eigenaren": row.get("eigenaren") or [],
        "belegd_groep_label": GROUPS.get(node.get("belegd_groep") or "niet_belegd", node.get("belegd_groep")),
        "teruggelegd_via": row.get("teruggelegd_via") or [],
        "doorgegeven_aan": row.get("doorgegeven_aan") or [],
        "casussen": sorted(row.get("casussen") or [], key=lambda c: (str(c.get("datum_afronding") or ""), c["id"])),
        "wetten": sorted(row.get("wetten") or []),
        "opvolging": entries,
        "terugkerend_van": row.get("terugkerend_van") or [],
        "later": row.get("later") or [],
        "code": sc.code if sc else None,
        "label": sc.label if sc else "geen status",
        "open": is_open,
        "laatste_datum": last.isoformat() if last else None,
        "dagen_sinds_laatste": since,
        "leeftijd_dagen": (today - drawn).days if drawn else None,
        "te_laat": overdue,
        "stil": silent,
        "signaal": "te laat" if overdue else ("stil" if silent else None),
    }


def load(store: GraphStore, today: date, review_days: int, ids: list[str] | None = None) -> list[dict]:
    """Every leerpunt (or those in ``ids``), enriched for ``today``."""
    rows = store.run(load_query("leerpunt_list"), {"ids": ids})
    return [enrich(r, today, review_days) for r in rows]


def all_ids(store: GraphStore) -> list[str]:
    return [r["id"] for r in store.run(load_query("leerpunt_ids"))]


def matches_owner(lp: dict, eigenaar: str) -> bool:
    """``eigenaar`` is an owner's name (any alias the gazetteer knows), an owner group (ministerie, gemeente,
    lpd, pmm, meerdere, niet belegd) or the regisseur (PMM also finds the multi-owner leerpunten)."""
    key = _fold(eigenaar)
    for group, label in GROUPS.items():
        if key in (_fold(group), _fold(label)):
            return lp.get("belegd_groep") == group or (group == "pmm" and _fold(lp.get("regisseur") or "") == "pmm")
    canonical = _fold(get_resolver().organisatie(eigenaar)["naam"])
    names = {_fold(o["naam"]) for o in lp["eigenaren"]} | {_fold(lp.get("regisseur") or "")}
    return key in names or canonical in names


def select(items: list[dict], *, eigenaar: str | None = None, code: str | None = None, te_laat: bool = False,
           stil: bool = False) -> list[dict]:
    """Filter enriched leerpunten; ``code`` must already be a valid code."""
    out = items
    if eigenaar:
        out = [lp for lp in out if matches_owner(lp, eigenaar)]
    if code:
        out = [lp for lp in out if lp["code"] == code]
    if te_laat:
        out = [lp for lp in out if lp["te_laat"]]
    if stil:
        out = [lp for lp in out if lp["stil"]]
    return out


def per_owner(items: list[dict]) -> list[dict]:
    """Counts per owner (a multi-owner leerpunt counts for each owner; unowned ones under 'niet belegd'),
    ministries first."""
    groups: dict[str, dict] = {}
    for lp in items:
        owners = lp["eigenaren"] or [{"naam": "niet belegd", "soort": None}]
        for o in owners:
            g = groups.setdefault(o["naam"], {"eigenaar": o["naam"], "soort": o.get("soort"), "totaal": 0,
                                              "open": 0, "te_laat": 0, "stil": 0, "per_code": {}})
            g["totaal"] += 1
            g["open"] += lp["open"]
            g["te_laat"] += lp["te_laat"]
            g["stil"] += lp["stil"]
            key = lp["code"] or "GEEN"
            g["per_code"][key] = g["per_code"].get(key, 0) + 1
    order = {"ministerie": 0, "lpd": 1, "gemeente": 2, "pmm": 3}
    return sorted(groups.values(), key=lambda g: (order.get(g["soort"] or "", 2 if g["eigenaar"].lower().startswith(
        "gemeente") else 4), -g["totaal"], g["eigenaar"]))


def add_entry(store: GraphStore, leerpunt: str, entry: dict) -> str | None:
    """Append one follow-up entry (``id``, ``datum``, ``code``, ``tekst``, ``bron``, ``wie``,
    ``vastgelegd_op``); None when the leerpunt does not exist."""
    rows = store.run(load_query("leerpunt_add_opvolging"), {"id": leerpunt, "entry": entry})
    return rows[0]["id"] if rows else None


def link_recurrence(store: GraphStore, leerpunt: str, eerder: str, datum: str) -> bool:
    rows = store.run(load_query("leerpunt_link_recurrence"), {"id": leerpunt, "eerder": eerder, "datum": datum})
    return bool(rows)


__all__ = ["GROUPS", "add_entry", "all_ids", "enrich", "link_recurrence", "load", "matches_owner", "per_owner",
           "select"]
