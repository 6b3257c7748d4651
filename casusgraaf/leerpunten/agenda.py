"""The agenda of the next ambassadeursoverleg (DOMAIN.md §4.3): what is new since the last meeting, which
status changed, what is te laat or stil, what recurs (confirmed recurrences first), and the open
stelselvraagstukken. Built from enriched leerpunten (``lifecycle.load``) on a given date."""

from __future__ import annotations

import csv
import io
from datetime import date


def month_before(d: date) -> date:
    """The same day one month earlier (clamped to the month's last day): the monthly meeting rhythm."""
    year, month = (d.year, d.month - 1) if d.month > 1 else (d.year - 1, 12)
    for day in (d.day, 30, 29, 28):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _recurs(lp: dict) -> bool:
    return bool(lp["terugkerend_van"] or lp["later"])


def build(items: list[dict], today: date, sinds: date, suggestions: list[dict] | None = None) -> dict:
    """The agenda as data; every section holds full leerpunten, recurring ones sorted to the top."""
    s, t = sinds.isoformat(), today.isoformat()

    def urgent_first(xs: list[dict]) -> list[dict]:
        return sorted(xs, key=lambda lp: (not _recurs(lp), -(lp["dagen_sinds_laatste"] or 0), lp["id"]))

    nieuw = [lp for lp in items if lp.get("datum") and s <= str(lp["datum"]) <= t]
    new_ids = {lp["id"] for lp in nieuw}
    gewijzigd = [lp for lp in items if lp["id"] not in new_ids
                 and any(s <= str(e["datum"]) <= t for e in lp["opvolging"])]
    return {
        "vandaag": t,
        "sinds": s,
        "nieuw": sorted(nieuw, key=lambda lp: (str(lp["datum"]), lp["id"])),
        "gewijzigd": gewijzigd,
        "terugkerend": urgent_first([lp for lp in items if lp["open"] and _recurs(lp)]),
        "te_bevestigen": suggestions or [],
        "te_laat": urgent_first([lp for lp in items if lp["te_laat"]]),
        "stil": urgent_first([lp for lp in items if lp["stil"]]),
        "stelselvraagstukken": urgent_first([lp for lp in items if lp["open"] and lp.get("stelselvraagstuk")]),
    }


SECTIONS = {"nieuw": "Nieuw sinds vorig overleg", "gewijzigd": "Opvolging sinds vorig overleg",
            "terugkerend": "Terugkerend (bevestigd)", "te_laat": "Te laat", "stil": "Stil (nooit opgevolgd)",
            "stelselvraagstukken": "Stelselvraagstukken"}
"""Agenda sections and their Dutch headings, in meeting order."""

CSV_FIELDS = ["onderdeel", "id", "tekst", "eigenaren", "regisseur", "status", "laatste_datum", "dagen_sinds_laatste",
              "casussen", "terugkerend_van"]


def rows(items: list[dict], onderdeel: str = "") -> list[dict]:
    """Flat rows (one per leerpunt) for CSV."""
    return [{
        "onderdeel": onderdeel, "id": lp["id"], "tekst": lp["tekst"],
        "eigenaren": "; ".join(o["naam"] for o in lp["eigenaren"]) or "niet belegd",
        "regisseur": lp.get("regisseur") or "", "status": lp["code"] or "", "laatste_datum": lp["laatste_datum"] or "",
        "dagen_sinds_laatste": "" if lp["dagen_sinds_laatste"] is None else lp["dagen_sinds_laatste"],
        "casussen": "; ".join(c["id"] for c in lp["casussen"]),
        "terugkerend_van": "; ".join(e["id"] for e in lp["terugkerend_van"]),
    } for lp in items]


def to_csv(flat: list[dict], fields: list[str] | None = None) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=fields or CSV_FIELDS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(flat)
    return buf.getvalue()


def agenda_csv(agenda: dict) -> str:
    flat = []
    for key, label in SECTIONS.items():
        flat += rows(agenda[key], label)
    return to_csv(flat)


__all__ = ["CSV_FIELDS", "SECTIONS", "agenda_csv", "build", "month_before", "rows", "to_csv"]
