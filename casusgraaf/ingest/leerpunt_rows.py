"""Leerpunt rows of one case (``graph/queries/ingest_leerpunten.cypher``): a stable id, owners, links and the
registered follow-up entries. The query merges on the id, so re-ingest updates a leerpunt in place and never
touches entries added later (``casusgraaf leerpunt status``); see docs/ARCHITECTURE.md, "Leerpunt lifecycle"."""

from __future__ import annotations

import hashlib
from typing import Any

from casusgraaf.models import leerpunt_status
from casusgraaf.models.records import (
    NIET_BELEGD,
    CaseRecord,
    LeerpuntRecord,
    leerpunt_id,
    normalise_leerpunt_tekst,
)


def owner_group(owners: list[dict]) -> str:
    """ministerie | gemeente | lpd | pmm | overig | meerdere | niet_belegd (DOMAIN.md §4.1)."""
    if not owners:
        return "niet_belegd"
    if len(owners) > 1:
        return "meerdere"
    o = owners[0]
    if (o.get("soort") or "") in ("ministerie", "lpd", "pmm", "gemeente"):
        return o["soort"]
    return "gemeente" if o["naam"].lower().startswith("gemeente") else "overig"


def _orgs(resolver, names: list[str]) -> list[dict]:
    out: dict[str, dict] = {}
    for name in names:
        if name.lower() in NIET_BELEGD:
            continue
        org = resolver.organisatie(name)
        out.setdefault(org["naam"], {"naam": org["naam"], "soort": org["soort"]})
    return list(out.values())


def _entry_id(lid: str, datum: str, tekst: str) -> str:
    digest = hashlib.sha1(f"{lid}\n{datum}\n{normalise_leerpunt_tekst(tekst)}".encode()).hexdigest()[:10]
    return f"{lid}~{digest}"


def _empty_row(cid: str, lid: str, tekst: str, bron: str) -> dict[str, Any]:
    return {"case_id": cid, "id": lid, "tekst": tekst, "datum": None, "status": None, "status_code": None,
            "categorie": None, "orde": None, "soort": "leerpunt", "bron": bron, "directie": None,
            "belegd_groep": "niet_belegd", "regisseur": "PMM", "al_bekend": None, "beleidstraject": None,
            "geverifieerd": None, "stelselvraagstuk": None, "start": None, "end": None, "eigenaren": [],
            "teruggelegd_via": [], "doorgegeven_aan": [], "terugkerend_van": [], "opvolging": []}


def registered_rows(record: CaseRecord, resolver, warnings: list[str]) -> list[dict[str, Any]]:
    """Rows for the leerpunten registered in ``record``; problems are appended to ``warnings``."""
    cid = record.id
    default_datum = record.datum_afronding or record.datum_aanmelding
    rows: dict[str, dict] = {}
    for i, lp in enumerate(record.leerpunten):
        where = f"leerpunten[{i}]"
        lid = leerpunt_id(cid, lp.tekst, lp.id)
        if lid in rows:
            warnings.append(f"{where}: zelfde leerpunt als een eerder leerpunt van deze casus (id {lid}); "
                            "alleen het eerste is opgeslagen. Geef ze elk een eigen tekst of id.")
            continue
        rows[lid] = _registered_row(cid, lid, lp, default_datum, resolver, where, warnings)
    return list(rows.values())


def _registered_row(cid: str, lid: str, lp: LeerpuntRecord, default_datum, resolver, where: str,
                    warnings: list[str]) -> dict[str, Any]:
    row = _empty_row(cid, lid, lp.tekst, "registratie")
    owners = _orgs(resolver, lp.belegd_bij)
    code = leerpunt_status.resolve_code(lp.status_code)
    if lp.status_code and code is None:
        warnings.append(f"{where}: status_code '{lp.status_code}' is onbekend; de statustekst is bewaard, de code "
                        "niet. Kies uit: " + leerpunt_status.code_choices())
    categorie = leerpunt_status.resolve_categorie(lp.categorie)
    if lp.categorie and categorie is None:
        warnings.append(f"{where}: categorie '{lp.categorie}' is geen leerpuntcategorie; bewaard zoals "
                        "geregistreerd. Kies uit: " + leerpunt_status.categorie_choices())
    datum = lp.datum or default_datum
    group = owner_group(owners)
    terug = []
    if lp.terugkerend_van == lid:
        warnings.append(f"{where}: terugkerend_van verwijst naar het leerpunt zelf; genegeerd")
    elif lp.terugkerend_van:
        terug = [lp.terugkerend_van]
    entries = []
    for j, e in enumerate(lp.opvolging):
        ecode = leerpunt_status.resolve_code(e.code)
        if e.code and ecode is None:
            warnings.append(f"{where}.opvolging[{j}]: code '{e.code}' is onbekend; het item is zonder code bewaard. "
                            "Kies uit: " + leerpunt_status.code_choices())
        d = e.datum.isoformat()
        entries.append({"id": _entry_id(lid, d, e.tekst), "datum": d, "code": ecode.code if ecode else None,
                        "tekst": e.tekst, "bron": e.bron or "registratie", "wie": e.wie, "volgnr": j})
    row.update({
        "datum": datum.isoformat() if datum else None, "status": lp.status,
        "status_code": code.code if code else None, "categorie": categorie or lp.categorie, "orde": lp.orde,
        "soort": lp.soort, "directie": lp.directie, "belegd_groep": group,
        "regisseur": "PMM" if group in ("meerdere", "niet_belegd") else owners[0]["naam"],
        "al_bekend": lp.al_bekend, "beleidstraject": lp.beleidstraject, "geverifieerd": lp.geverifieerd,
        "stelselvraagstuk": lp.stelselvraagstuk, "eigenaren": owners,
        "teruggelegd_via": _orgs(resolver, [lp.teruggelegd_via] if lp.teruggelegd_via else []),
        "doorgegeven_aan": _orgs(resolver, lp.doorgegeven_aan), "terugkerend_van": terug, "opvolging": entries})
    return row


def extracted_row(record: CaseRecord, ent, resolver) -> dict[str, Any]:
    """A leerpunt the NLP found in the text of a case that registered none (same id rule as registered ones:
    registering it later with the same text keeps its history)."""
    row = _empty_row(record.id, leerpunt_id(record.id, ent.surface), ent.surface, "extractie")
    owners = _orgs(resolver, [ent.attrs["belegd_bij"]] if ent.attrs.get("belegd_bij") else [])
    datum = record.datum_afronding or record.datum_aanmelding
    group = owner_group(owners)
    row.update({"start": ent.start, "end": ent.end, "eigenaren": owners, "belegd_groep": group,
                "regisseur": "PMM" if group in ("meerdere", "niet_belegd") else owners[0]["naam"],
                "datum": datum.isoformat() if datum else None})
    return row


__all__ = ["extracted_row", "owner_group", "registered_rows"]
