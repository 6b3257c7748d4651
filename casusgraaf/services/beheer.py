"""Beheer use cases: reading the audit trail (newest first, filtered, paged) with the state of its hash chain.

The audit holds no case text by construction (casusgraaf.audit refuses it at write time), so what this returns
is safe to show to a beheerder; reading it is itself an audited action (the router records it)."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from casusgraaf.audit import AuditLog, parse_since
from casusgraaf.config import Settings

COLUMNS = ("seq", "ts", "user", "role", "action", "what", "result_ids", "result", "hash")


def audit_overview(settings: Settings, gebruiker: str | None = None, sinds: str | None = None,
                   actie: str | None = None, page: int = 1, per_page: int = 50) -> dict[str, Any]:
    """A page of audit records, newest first, plus the chain check and the actions and users seen (for the
    filter fields). ``sinds``: JJJJ-MM-DD or an ISO time (BadInput otherwise)."""
    log = AuditLog(settings)
    since = parse_since(sinds) if sinds else None
    everything = log.records()
    chosen = log.records(user=gebruiker or None, since=since, action=actie or None)
    chosen.reverse()
    broken, summary = log.verify()
    start = (page - 1) * per_page
    return {
        "totaal": len(chosen), "page": page, "per_page": per_page,
        "filters": {"gebruiker": gebruiker or None, "sinds": sinds or None, "actie": actie or None},
        "keten": {"intact": broken is None, **summary} if broken is None else
                 {"intact": False, "regel": broken.line, "reden": broken.reason},
        "acties": sorted({str(r.get("action")) for r in everything}),
        "gebruikers": sorted({str(r.get("user")) for r in everything}),
        "records": chosen[start:start + per_page],
    }


def audit_csv(records: list[dict[str, Any]]) -> str:
    """The records as CSV, one line each (``what`` as JSON), the columns of ``casusgraaf audit --csv``."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(COLUMNS)
    for r in records:
        writer.writerow([r.get("seq"), r.get("ts"), r.get("user"), r.get("role"), r.get("action"),
                         json.dumps(r.get("what"), ensure_ascii=False, sort_keys=True),
                         " ".join(r.get("result_ids") or []), r.get("result"), r.get("hash")])
    return buf.getvalue()
