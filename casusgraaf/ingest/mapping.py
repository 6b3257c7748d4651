"""Turn one (privacy-checked) case record plus its extracted entities into graph rows.

Registered beats extracted: a registered fact keeps ``bron: "registratie"``; when extraction found the
same entity its spans are attached for highlighting, but nothing registered is overwritten or dropped.
Extracted facts carry ``bron: "extractie"``, the method, confidence and spans.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from casusgraaf.ingest import leerpunt_rows
from casusgraaf.models.records import CaseRecord, normalise_leerpunt_tekst


@dataclass
class CaseRows:
    """Everything one case writes: node properties, rows per fact kind (``models/schema.yaml``, ``facts``),
    the content hash (written last, see ``ingest/pipeline.py``) and warnings for the ingest report."""

    case_id: str
    props: dict[str, Any]
    hash: str = ""
    links: dict[str, list[dict]] = field(default_factory=lambda: defaultdict(list))
    warnings: list[str] = field(default_factory=list)


def _looptijd_weken(record: CaseRecord) -> int | None:
    if record.datum_aanmelding and record.datum_afronding:
        days = (record.datum_afronding - record.datum_aanmelding).days
        return max(0, round(days / 7)) if days >= 0 else None
    return None


def case_props(record: CaseRecord, embedding: list[float] | str | None, *, privacy: str = "pass",
               embedding_model: str | None = None, ingevoerd_op: str | None = None) -> dict[str, Any]:
    """Casus node properties. The content hash is not among them: it is written after every link."""
    indiener = record.indiener
    props: dict[str, Any] = {
        "tekst": record.tekst,
        "titel": record.titel,
        "jaar": record.effective_jaar,
        "status": record.status,
        "datum_aanmelding": record.datum_aanmelding.isoformat() if record.datum_aanmelding else None,
        "datum_afronding": record.datum_afronding.isoformat() if record.datum_afronding else None,
        "looptijd_weken": _looptijd_weken(record),
        "indiener_type": indiener.type if indiener else None,
        "interventies": record.interventies or None,
        "let_ingezet": record.let_ingezet,
        "op_ingezet": record.op_ingezet,
        "kon_verder": record.kon_verder,
        "uitkomst": record.uitkomst,
        "regievoerder": record.regievoerder,
        # kept on the node so that an export brings the removals back (services/transfer.py)
        "afgewezen": [f"{a.soort}:{a.naam}" for a in record.afgewezen] if record.afgewezen else None,
        "doelgroep": record.doelgroep or None,
        "privacy": privacy,
        "embedding": embedding,
        "embedding_model": embedding_model,
        "ingevoerd_op": ingevoerd_op,
    }
    return props


class _Links:
    """Collects links per (kind, key), merging registered and extracted evidence."""

    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], dict] = {}

    def add(self, kind: str, key: str, base: dict, bron: str, methode: str, confidence: float,
            span: tuple[str, int, int] | None = None) -> None:
        row = self.rows.get((kind, key))
        if row is None:
            row = dict(base, bron=bron, methode=methode, confidence=confidence, surfaces=[], starts=[], ends=[])
            self.rows[(kind, key)] = row
        elif bron == "registratie" and row["bron"] != "registratie":
            row.update(bron="registratie", methode="registratie", confidence=1.0)
        elif row["bron"] == "extractie":
            row["confidence"] = max(row["confidence"], confidence)
            # Keep the first artikel found; an extracted article never replaces a registered one.
            for k, v in base.items():
                if row.get(k) is None and v is not None:
                    row[k] = v
        else:  # registered row, extracted evidence: attach artikel if registration had none
            if row.get("artikel") is None and base.get("artikel"):
                row["artikel"] = base["artikel"]
            if row["methode"] == "registratie":
                row["methode"] = "registratie+" + methode
        if span is not None and span[1] not in row["starts"]:
            row["surfaces"].append(span[0])
            row["starts"].append(span[1])
            row["ends"].append(span[2])


def _rejected(record: CaseRecord, resolver) -> set[tuple[str, str]]:
    """(fact kind, key) of every suggestion the regievoerder removed (record field ``afgewezen``)."""
    out: set[tuple[str, str]] = set()
    for a in record.afgewezen or []:
        if a.soort in ("wet", "regeling"):
            out.add(("wet", resolver.wet(a.naam)["naam"]))
        elif a.soort == "organisatie":
            out.add(("organisatie", resolver.organisatie(a.naam)["naam"]))
        elif a.soort == "leefgebied":
            out.add(("leefgebied", resolver.leefgebied(a.naam)))
        elif a.soort == "knelpunt":
            out.add(("knelpunt", a.naam.strip().casefold()))
        else:
            out.add(("leerpunt", normalise_leerpunt_tekst(a.naam)))
    return out


def _is_rejected(ent, rejected: set[tuple[str, str]], resolver) -> bool:
    if ent.type in ("wet", "regeling"):
        return ("wet", resolver.wet(ent.canonical)["naam"]) in rejected
    if ent.type == "organisatie":
        return ("organisatie", resolver.organisatie(ent.canonical)["naam"]) in rejected
    if ent.type == "leefgebied":
        return ("leefgebied", resolver.leefgebied(ent.canonical)) in rejected
    if ent.type == "knelpunt":
        names = {ent.canonical, ent.attrs.get("category_id"), ent.attrs.get("code")}
        return any(("knelpunt", str(n).strip().casefold()) in rejected for n in names if n)
    if ent.type == "leerpunt":
        return ("leerpunt", normalise_leerpunt_tekst(ent.canonical)) in rejected
    return False


def build_rows(record: CaseRecord, entities: list, content_hash: str,
               embedding: list[float] | str | None, resolver, **props: Any) -> CaseRows:
    """Map a record and its extracted entities (``casusgraaf.nlp.Entity``) to graph rows.

    ``resolver`` normalises registered names (see :class:`casusgraaf.models.resolve.Resolver`); ``props``
    are passed on to :func:`case_props`.
    """
    cid = record.id
    rows = CaseRows(cid, case_props(record, embedding, **props), hash=content_hash)
    links = _Links()

    for name in record.wetten:
        wet = resolver.wet(name)
        links.add("wet", wet["naam"], {"case_id": cid, **wet, "artikel": None},
                  "registratie", "registratie", 1.0)
    for name in record.organisaties:
        org = resolver.organisatie(name)
        links.add("organisatie", org["naam"], {"case_id": cid, **org},
                  "registratie", "registratie", 1.0)
    for name in record.leefgebieden:
        links.add("leefgebied", resolver.leefgebied(name), {"case_id": cid, "naam": resolver.leefgebied(name)},
                  "registratie", "registratie", 1.0)
    for code in record.beleidsterreinen:
        rows.links["beleidsterrein"].append({"case_id": cid, "code": resolver.beleidsterrein(code),
                                             "bron": "registratie"})
    if record.indiener and record.indiener.organisatie:
        org = resolver.organisatie(record.indiener.organisatie, default_soort=record.indiener.type)
        rows.links["indiener"].append({"case_id": cid, "naam": org["naam"], "soort": org["soort"],
                                       "aangesloten": record.indiener.aangesloten})

    for i, kp in enumerate(record.knelpunten, start=1):
        cat = resolver.category(kp.taxonomie, kp.categorie)
        if cat is None:
            rows.warnings.append(
                f"knelpunten[{i - 1}]: categorie '{kp.categorie}' staat niet in taxonomie '{kp.taxonomie}'; het "
                "knelpunt is opgeslagen zonder categorie en telt niet mee in trends. Kies uit: "
                + resolver.category_choices(kp.taxonomie))
        rows.links["knelpunt"].append({
            "case_id": cid, "id": f"{cid}#k{i}", "category_id": cat["id"] if cat else None,
            "taxonomie": kp.taxonomie, "categorie": cat["naam"] if cat else kp.categorie,
            "subtype": kp.subtype, "omschrijving": kp.omschrijving, "bron": "registratie",
            "methode": "registratie", "confidence": 1.0, "surfaces": [], "starts": [], "ends": []})
    # Leerpunten: stable ids and their registered follow-up (ingest/leerpunt_rows.py).
    rows.links["leerpunt"].extend(leerpunt_rows.registered_rows(record, resolver, rows.warnings))

    extracted_knelpunten: dict[str, dict] = {}
    extracted_leerpunten: list[dict] = []
    rejected = _rejected(record, resolver)
    for ent in entities:
        if getattr(ent, "negated", False) or (rejected and _is_rejected(ent, rejected, resolver)):
            continue
        span = (ent.surface, ent.start, ent.end)
        if ent.type in ("wet", "regeling"):
            wet = resolver.wet(ent.canonical, soort="regeling" if ent.type == "regeling" else "wet",
                               bwb_id=ent.bwb_id)
            links.add("wet", wet["naam"], {"case_id": cid, **wet, "artikel": ent.artikel},
                      "extractie", ent.method, ent.confidence, span)
        elif ent.type == "organisatie":
            org = resolver.organisatie(ent.canonical, default_soort=ent.attrs.get("soort"))
            links.add("organisatie", org["naam"], {"case_id": cid, **org},
                      "extractie", ent.method, ent.confidence, span)
        elif ent.type == "leefgebied":
            naam = resolver.leefgebied(ent.canonical)
            links.add("leefgebied", naam, {"case_id": cid, "naam": naam}, "extractie", ent.method,
                      ent.confidence, span)
        elif ent.type == "knelpunt" and not record.knelpunten:
            cat_id = ent.attrs.get("category_id") or ent.canonical
            cur = extracted_knelpunten.get(cat_id)
            if cur is None or ent.confidence > cur["confidence"]:
                extracted_knelpunten[cat_id] = {"ent": ent, "confidence": ent.confidence}
        elif ent.type == "leerpunt" and not record.leerpunten:
            extracted_leerpunten.append({"ent": ent})

    for i, (cat_id, item) in enumerate(sorted(extracted_knelpunten.items()), start=1):
        ent = item["ent"]
        cat = resolver.category_by_id(cat_id)
        rows.links["knelpunt"].append({
            "case_id": cid, "id": f"{cid}#x{i}", "category_id": cat_id,
            "taxonomie": ent.attrs.get("taxonomie") or (cat or {}).get("taxonomie"),
            "categorie": (cat or {}).get("naam", ent.canonical), "subtype": None, "omschrijving": None,
            "bron": "extractie", "methode": ent.method, "confidence": ent.confidence,
            "surfaces": [ent.surface] if ent.surface else [], "starts": [ent.start] if ent.surface else [],
            "ends": [ent.end] if ent.surface else []})
    seen_leerpunten: set[str] = set()
    for item in extracted_leerpunten:
        row = leerpunt_rows.extracted_row(record, item["ent"], resolver)
        if row["id"] not in seen_leerpunten:
            seen_leerpunten.add(row["id"])
            rows.links["leerpunt"].append(row)

    for (kind, _key), row in links.rows.items():
        rows.links[kind].append(row)
    return rows
