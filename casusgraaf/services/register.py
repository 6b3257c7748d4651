"""Registering a case in the browser (DOMAIN.md §8.4, docs/REGISTRATION.md): the NLP pre-fills, the
regievoerder confirms, removes, corrects or adds, and the case is saved as a case record with ``status:
lopend``; later it is closed (uitkomst, kon_verder, datum_afronding).

Every decision on a suggestion is appended to ``<data dir>/registratie/correcties.jsonl`` (mode 0600, one JSON
object a line, never rewritten) with ``bron: regievoerder``, who and when: labelled data for the quality sets
(``casusgraaf correcties --jsonl``). Removed suggestions go into the record's ``afgewezen`` field, so
extraction never adds them back (ingest/mapping.py); kept, corrected and added ones are registered facts.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from casusgraaf.accounts import User
from casusgraaf.config import Settings
from casusgraaf.errors import BadInput, NotFound, Refused
from casusgraaf.files import append_locked, exclusive_lock, private_dir
from casusgraaf.graph import GraphStore, load_query
from casusgraaf.ingest.readers import ReadItem
from casusgraaf.models import gazetteer, taxonomy
from casusgraaf.models.records import CaseRecord, leerpunt_id
from casusgraaf.models.resolve import get_resolver
from casusgraaf.privacy import get_gate
from casusgraaf.services.ingest import ingest_items
from casusgraaf.services.search import Query, SearchEngine, gate_text, run_extract, run_similar
from casusgraaf.services.transfer import case_records
from casusgraaf.services.views import require_text

SOORTEN = ("wet", "regeling", "organisatie", "leefgebied", "knelpunt", "leerpunt")
SOORT_LABELS = {"wet": "Wetten", "regeling": "Regelingen", "organisatie": "Organisaties",
                "leefgebied": "Leefgebieden", "knelpunt": "Knelpunt (categorie)", "leerpunt": "Leerpunten"}
ACTIES = ("kept", "removed", "added", "corrected")
KON_VERDER = ("ja", "deels", "nee", "onbekend", "n.v.t.")
VOCABULAIRE = ("wet", "organisatie", "leefgebied", "knelpunt")
ID_RE = re.compile(r"^(\d{4})-(\d{3,})$")
MAX_NAAM = 500


class Keuze(BaseModel):
    """One decision of the regievoerder: a suggestion kept, removed or corrected, or an addition."""

    soort: str = Field(description="wet, regeling, organisatie, leefgebied, knelpunt of leerpunt")
    naam: str = Field(description="canonieke naam (knelpunt: categorie; leerpunt: de tekst)")
    actie: str = Field(description="kept, removed, added of corrected")
    voorstel: str | None = Field(default=None, description="bij corrected: de voorgestelde naam die vervangen wordt")


class Registratie(BaseModel):
    tekst: str = Field(description="de beschrijving (gaat eerst door de privacy-poort)")
    titel: str | None = None
    datum_aanmelding: date | None = Field(default=None, description="standaard vandaag")
    indiener_type: str | None = None
    keuzes: list[Keuze] = Field(default_factory=list, description="beslissingen over de voorstellen en "
                                "toevoegingen; voorstellen zonder beslissing blijven extractie")


class Afronding(BaseModel):
    uitkomst: str = Field(description="hoe de casus afliep, bv. 'knelpunt opgelost'")
    kon_verder: str = Field(description="ja, deels, nee, onbekend of n.v.t.")
    datum_afronding: date | None = Field(default=None, description="standaard vandaag")


class RegistratieRefused(Refused):
    """A name the regievoerder typed holds personal data; the message names types and fields, never values."""


# -- suggestions ---------------------------------------------------------------------------------------

def suggest(store: GraphStore, settings: Settings, tekst: str, engine: SearchEngine | None = None,
            viewer: User | None = None, vandaag: date | None = None, k: int = 5) -> dict[str, Any]:
    """Suggestions for a new case text (gated first) and the similar cases beside them.

    ``voorstellen``: one per (soort, naam), with method, confidence and the first span in the text."""
    require_text(viewer, "een casus registreren")
    if not tekst.strip():
        raise BadInput("vul eerst een beschrijving van de casus in: het tekstveld is leeg")
    jaar = (vandaag or date.today()).year
    out = run_extract(settings, tekst, jaar=jaar)  # SearchRefused when the gate refuses
    resolver = get_resolver()
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for e in out["entities"]:
        if e.get("negated"):
            continue
        soort, naam = e["type"], e["canonical"]
        if soort in ("wet", "regeling"):
            naam = resolver.wet(naam)["naam"]
        elif soort == "organisatie":
            naam = resolver.organisatie(naam)["naam"]
        elif soort == "leefgebied":
            naam = resolver.leefgebied(naam)
        elif soort not in ("knelpunt", "leerpunt"):
            continue
        cur = found.get((soort, naam))
        if cur is None:
            found[(soort, naam)] = {"soort": soort, "naam": naam, "methode": e["method"],
                                    "confidence": e["confidence"], "surface": e["surface"], "start": e["start"],
                                    "end": e["end"]}
        else:
            cur["confidence"] = max(cur["confidence"], e["confidence"])
    order = {s: i for i, s in enumerate(SOORTEN)}
    voorstellen = sorted(found.values(), key=lambda v: (order[v["soort"]], v["start"]))
    used = out.get("tekst", tekst)
    similar = run_similar(store, settings, Query(text=used, k=k), engine, viewer)["results"]
    return {"voorstellen": voorstellen, "taxonomie": taxonomy.taxonomy_for_year(jaar),
            "redacted": out["redacted"], "vergelijkbaar": similar}


def vocabulaire(soort: str, q: str = "", limit: int = 20) -> list[str]:
    """Names for autocomplete from the gazetteers and the current taxonomy (``q``: part of a name or alias)."""
    if soort not in VOCABULAIRE:
        raise BadInput(f"onbekende soort; kies uit {', '.join(VOCABULAIRE)}")
    names = _names(soort)
    needle = " ".join(q.casefold().split())
    if not needle:
        return [n for n, _ in names[:limit]]
    starts = [n for n, keys in names if any(k.startswith(needle) for k in keys)]
    inside = [n for n, keys in names if n not in starts and any(needle in k for k in keys)]
    return (starts + inside)[:limit]


def _names(soort: str) -> list[tuple[str, tuple[str, ...]]]:
    if soort == "wet":
        entries = gazetteer.all_wetten()
    elif soort == "organisatie":
        entries = [e for e in gazetteer.all_organisaties() if e.soort != "gemeente" or e.canonical == "gemeente"]
    elif soort == "leefgebied":
        lijst = taxonomy.taxonomy_for_year(date.today().year)
        return [(naam, (naam.casefold(),)) for naam in sorted(taxonomy.leefgebieden_lijst(lijst))]
    else:
        tax = taxonomy.load_taxonomies()[taxonomy.taxonomy_for_year(date.today().year)]
        return [(c.naam, (c.naam.casefold(), c.code.casefold())) for c in tax.categories]
    out: dict[str, tuple[str, ...]] = {}
    for e in entries:
        out.setdefault(e.canonical, tuple(n.casefold() for n in (e.canonical, *e.names)))
    return sorted(out.items(), key=lambda kv: kv[0].casefold())


# -- saving --------------------------------------------------------------------------------------------

def corrections_path(settings: Settings) -> Path:
    return settings.data_dir / "registratie" / "correcties.jsonl"


def register(store: GraphStore, settings: Settings, reg: Registratie, user: User,
             vandaag: date | None = None) -> dict[str, Any]:
    """Save a new case (``status: lopend``) with the regievoerder's decisions; returns its id and the ingest
    counts. Nothing is stored when the gate refuses the text or a typed name, or when a decision is invalid."""
    require_text(user, "een casus registreren")
    if not reg.tekst.strip():
        raise BadInput("vul eerst een beschrijving van de casus in: het tekstveld is leeg")
    keuzes = _valid(reg.keuzes, vandaag)
    gate_text(reg.tekst, settings)  # SearchRefused: types only, nothing stored
    today = vandaag or date.today()
    fields: dict[str, Any] = {"wetten": [], "organisaties": [], "leefgebieden": [], "knelpunten": [],
                              "leerpunten": [], "afgewezen": []}
    tax = taxonomy.taxonomy_for_year(today.year)
    for kz in keuzes:
        if kz.actie in ("removed", "corrected") and (kz.voorstel or kz.naam):
            fields["afgewezen"].append({"soort": kz.soort, "naam": kz.voorstel if kz.actie == "corrected"
                                        else kz.naam})
        if kz.actie == "removed":
            continue
        if kz.soort in ("wet", "regeling"):
            fields["wetten"].append(kz.naam)
        elif kz.soort == "organisatie":
            fields["organisaties"].append(kz.naam)
        elif kz.soort == "leefgebied":
            fields["leefgebieden"].append(kz.naam)
        elif kz.soort == "knelpunt":
            fields["knelpunten"].append({"taxonomie": tax, "categorie": kz.naam})
        else:
            fields["leerpunten"].append({"tekst": kz.naam})
    record_data: dict[str, Any] = {
        "tekst": reg.tekst, "titel": (reg.titel or "").strip() or None, "status": "lopend",
        "datum_aanmelding": (reg.datum_aanmelding or today).isoformat(),
        **{k: list(dict.fromkeys(v)) if k in ("wetten", "organisaties", "leefgebieden") else v
           for k, v in fields.items() if v}}
    if reg.indiener_type:
        record_data["indiener"] = {"type": reg.indiener_type}
    if not user.lokaal:  # lokale modus has one implicit user: no owner to tell apart
        record_data["regievoerder"] = user.naam
    base = settings.data_dir / "registratie"
    private_dir(base)
    with exclusive_lock(base / ".lock"):  # one id per registration, also with two servers on one data dir
        case_id = next_case_id(store, today.year)
        record = _record({"id": case_id, **record_data})
        result, _clean = get_gate(redact=settings.privacy_hard == "redact").check_record(record)
        if result.action == "quarantine":
            raise RegistratieRefused("een ingevulde naam of titel bevat persoonsgegevens (" + result.summary()
                                     + "); haal ze weg en probeer opnieuw. Er is niets opgeslagen.")
        report = ingest_items(store, settings, [ReadItem("casussen/nieuw", None, record=record)])
        if case_id not in report.case_ids or report.quarantined or report.failed:
            why = "; ".join(p.reason for p in report.problems) or "onbekende reden"
            raise BadInput(f"de casus kon niet worden opgeslagen: {why}")
        n = _log(settings, case_id, keuzes, user)
    return {"id": case_id, "status": "lopend", "correcties": n, "ingest": report.to_dict()}


def _record(data: dict[str, Any]) -> CaseRecord:
    from pydantic import ValidationError

    try:
        return CaseRecord.model_validate(data)
    except ValidationError as exc:
        where = ", ".join(".".join(str(p) for p in e["loc"]) for e in exc.errors())
        raise BadInput(f"de registratie klopt niet in: {where}; controleer deze velden") from None


def _valid(keuzes: list[Keuze], vandaag: date | None) -> list[Keuze]:
    resolver = get_resolver()
    tax = taxonomy.taxonomy_for_year((vandaag or date.today()).year)
    out: list[Keuze] = []
    for i, kz in enumerate(keuzes, start=1):
        naam = " ".join(kz.naam.split())
        if kz.soort not in SOORTEN:
            raise BadInput(f"keuze {i}: onbekende soort; kies uit {', '.join(SOORTEN)}")
        if kz.actie not in ACTIES:
            raise BadInput(f"keuze {i}: onbekende actie; kies uit {', '.join(ACTIES)}")
        if not naam or len(naam) > MAX_NAAM:
            raise BadInput(f"keuze {i} ({kz.soort}): de naam is leeg of langer dan {MAX_NAAM} tekens")
        if kz.actie == "corrected" and not (kz.voorstel and kz.voorstel.strip()):
            raise BadInput(f"keuze {i}: een correctie noemt ook het voorstel dat zij vervangt ('voorstel')")
        if kz.soort == "knelpunt" and kz.actie != "removed":
            cat = resolver.category(tax, naam)
            if cat is None:
                raise BadInput(f"keuze {i}: deze knelpuntcategorie staat niet in {tax}; kies uit: "
                               + resolver.category_choices(tax))
            naam = cat["naam"]
        out.append(kz.model_copy(update={"naam": naam, "voorstel": " ".join((kz.voorstel or "").split()) or None}))
    return out


def next_case_id(store: GraphStore, jaar: int) -> str:
    """The next free ``JJJJ-NNN`` id of ``jaar`` (three digits, more when a year passes 999 cases)."""
    highest = 0
    for row in store.run(load_query("search_load_ids")):
        m = ID_RE.match(str(row["id"]))
        if m and int(m.group(1)) == jaar:
            highest = max(highest, int(m.group(2)))
    return f"{jaar}-{highest + 1:03d}"


def _log(settings: Settings, case_id: str, keuzes: list[Keuze], user: User) -> int:
    path = corrections_path(settings)
    private_dir(path.parent)
    op = datetime.now(UTC).isoformat(timespec="seconds")
    lines = []
    for kz in keuzes:
        entry = {"case_id": case_id, "soort": kz.soort, "naam": kz.naam, "actie": kz.actie, "bron": "regievoerder",
                 "door": user.naam, "op": op}
        if kz.voorstel:
            entry["voorstel"] = kz.voorstel
        lines.append(json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n")
    if lines:
        append_locked(path, "".join(lines))
    return len(lines)


# -- closing -------------------------------------------------------------------------------------------

def close_case(store: GraphStore, settings: Settings, case_id: str, afronding: Afronding, user: User,
               vandaag: date | None = None) -> dict[str, Any]:
    """Close a case: uitkomst, kon_verder and datum_afronding on its registered record, ``status: afgerond``,
    re-ingested in place. Suggestions removed at registration stay removed."""
    require_text(user, "een casus afronden")
    uitkomst = " ".join(afronding.uitkomst.split())
    if not uitkomst:
        raise BadInput("vul de uitkomst in (bijvoorbeeld 'knelpunt opgelost')")
    if len(uitkomst) > 200:
        raise BadInput("de uitkomst is langer dan 200 tekens; vat haar korter samen")
    if afronding.kon_verder not in KON_VERDER:
        raise BadInput("kon verder: deze waarde wordt niet begrepen; kies uit "
                       + ", ".join(KON_VERDER))
    found = list(case_records(store, [case_id]))
    if not found:
        raise NotFound(f"casus {case_id} bestaat niet")
    data = found[0]
    afgerond = afronding.datum_afronding or vandaag or date.today()
    begin = data.get("datum_aanmelding")
    if begin and afgerond < date.fromisoformat(str(begin)):
        raise BadInput(f"de datum van afronding ({afgerond}) ligt voor de aanmelding ({begin})")
    data.update(uitkomst=uitkomst, kon_verder=afronding.kon_verder, datum_afronding=afgerond.isoformat(),
                status="afgerond")
    removed = [{"soort": c["soort"], "naam": c.get("voorstel") or c["naam"]} for c in read_corrections(settings)
               if c["case_id"] == case_id and c["actie"] in ("removed", "corrected")]
    if removed:
        data["afgewezen"] = removed
    record = _record(data)
    result, _clean = get_gate(redact=settings.privacy_hard == "redact").check_record(record)
    if result.action == "quarantine":
        raise RegistratieRefused("de uitkomst bevat persoonsgegevens (" + result.summary() + "); haal ze weg en "
                                 "probeer opnieuw. Er is niets opgeslagen.")
    report = ingest_items(store, settings, [ReadItem("casussen/afronden", None, record=record)])
    if report.quarantined or report.failed:
        raise BadInput("de casus kon niet worden bijgewerkt: " + "; ".join(p.reason for p in report.problems))
    return {"id": case_id, "status": "afgerond", "uitkomst": uitkomst, "kon_verder": afronding.kon_verder,
            "datum_afronding": afgerond.isoformat(), "ingest": report.to_dict()}


# -- the corrections as labelled data ------------------------------------------------------------------

def read_corrections(settings: Settings) -> list[dict[str, Any]]:
    path = corrections_path(settings)
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def export_corrections(settings: Settings, store: GraphStore | None = None, met_tekst: bool = False
                       ) -> list[dict[str, Any]]:
    """The corrections as labelled rows (oldest first): case id, soort, naam, actie, voorstel, door, op.

    A leerpunt's name is a sentence of the case: without ``met_tekst`` it is replaced by its id
    (``leerpunt_id``). ``met_tekst`` (needs ``store``) adds each case's (gated) text as ``tekst``."""
    rows = []
    texts: dict[str, str | None] = {}
    for c in read_corrections(settings):
        row = {k: c.get(k) for k in ("case_id", "soort", "naam", "actie", "voorstel", "bron", "door", "op")}
        if c["soort"] == "leerpunt":
            row["leerpunt_id"] = leerpunt_id(c["case_id"], c["naam"])
            if not met_tekst:
                row["naam"] = None
                row["voorstel"] = None
        if met_tekst and store is not None:
            if c["case_id"] not in texts:
                hit = store.run(load_query("case_detail"), {"id": c["case_id"]})
                texts[c["case_id"]] = hit[0]["tekst"] if hit else None
            row["tekst"] = texts[c["case_id"]]
        rows.append(row)
    return rows


__all__ = ["ACTIES", "KON_VERDER", "SOORTEN", "SOORT_LABELS", "Afronding", "Keuze", "Registratie",
           "RegistratieRefused", "close_case", "corrections_path", "export_corrections", "next_case_id",
           "read_corrections", "register", "suggest", "vocabulaire"]
