"""Ingest: files → records → privacy gate → extraction → embeddings → graph → derived indexes.

Idempotent by case id + content hash: an unchanged record is skipped, a changed one is rewritten in
place, a bad one is reported (file:line, what to fix) without stopping or losing the good ones.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from casusgraaf.config import Settings, get_settings
from casusgraaf.graph import GraphStore, load_query, open_store
from casusgraaf.ingest.mapping import CaseRows, build_rows
from casusgraaf.ingest.readers import ReadItem, iter_records
from casusgraaf.ingest.resolve import get_resolver
from casusgraaf.models.records import CaseRecord
from casusgraaf.progress import Progress

log = logging.getLogger(__name__)

LINK_QUERIES = {
    "wet": "ingest_link_wet",
    "organisatie": "ingest_link_organisatie",
    "leefgebied": "ingest_link_leefgebied",
    "beleidsterrein": "ingest_link_beleidsterrein",
    "indiener": "ingest_link_indiener",
    "knelpunt": "ingest_knelpunten",
    "leerpunt": "ingest_leerpunten",
}


@dataclass
class Problem:
    where: str
    kind: str  # "fout" | "quarantaine" | "waarschuwing"
    reason: str

    def to_dict(self) -> dict:
        return {"waar": self.where, "soort": self.kind, "reden": self.reason}


@dataclass
class IngestReport:
    ingested: int = 0
    updated: int = 0
    unchanged: int = 0
    quarantined: int = 0
    redacted: int = 0
    failed: int = 0
    problems: list[Problem] = field(default_factory=list)
    case_ids: list[str] = field(default_factory=list)

    @property
    def stored(self) -> int:
        return self.ingested + self.updated + self.unchanged

    @property
    def nothing_ingested(self) -> bool:
        return self.stored == 0 and (self.failed > 0 or self.quarantined > 0 or not self.case_ids)

    def to_dict(self) -> dict:
        return {
            "ingested": self.ingested, "updated": self.updated, "unchanged": self.unchanged,
            "quarantined": self.quarantined, "redacted": self.redacted, "failed": self.failed,
            "problems": [p.to_dict() for p in self.problems],
        }


def ingest_paths(paths: Iterable[str | Path], settings: Settings | None = None, *, redact: bool = False,
                 progress: bool = False, store: GraphStore | None = None) -> IngestReport:
    """Read every file under ``paths`` and ingest its records."""
    return ingest_items(iter_records(paths), settings, redact=redact, progress=progress, store=store)


def ingest_items(items: Iterable[ReadItem], settings: Settings | None = None, *, redact: bool = False,
                 progress: bool = False, store: GraphStore | None = None) -> IngestReport:
    from casusgraaf.ingest.privacy import get_gate
    from casusgraaf.ingest.quarantine import Quarantine

    settings = settings or get_settings()
    report = IngestReport()
    gate = get_gate(redact=redact or settings.privacy_hard == "redact")
    quarantine = Quarantine(settings.quarantine_dir)

    accepted: dict[str, tuple[ReadItem, CaseRecord]] = {}
    for item in items:
        for w in item.warnings:
            report.problems.append(Problem(item.where, "waarschuwing", w))
        if item.record is None:
            report.failed += 1
            report.problems.append(Problem(item.where, "fout", item.error or "onleesbaar"))
            continue
        result, clean = gate.check_record(item.record)
        if clean is None:
            qid = quarantine.put(item.raw or item.record.model_dump_json(), item.source, item.line,
                                 result.findings)
            report.quarantined += 1
            report.problems.append(Problem(
                item.where, "quarantaine",
                f"persoonsgegevens gevonden ({result.summary()}); verwijder of anonimiseer ze en lees opnieuw in, "
                f"of gebruik --redact. Bekijk met `casusgraaf quarantine show {qid}`."))
            continue
        if result.action == "redact":
            report.redacted += 1
        if clean.id in accepted:
            report.problems.append(Problem(item.where, "waarschuwing",
                                           f"casus-id {clean.id} komt vaker voor; de laatste versie telt"))
        accepted[clean.id] = (item, clean)

    if not accepted:
        return report

    own_store = store is None
    store = store or open_store(settings)
    try:
        _write(store, settings, list(accepted.values()), report, progress)
    finally:
        if own_store:
            store.close()
    return report


def _existing_hashes(store: GraphStore, ids: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    query = load_query("ingest_case_hashes")
    for i in range(0, len(ids), 1000):
        for row in store.run(query, {"ids": ids[i:i + 1000]}):
            out[row["id"]] = row["hash"]
    return out


def _write(store: GraphStore, settings: Settings, accepted: list[tuple[ReadItem, CaseRecord]],
           report: IngestReport, progress: bool) -> None:
    from casusgraaf.ingest.nlp import extract
    from casusgraaf.search.embed import get_embedder
    from casusgraaf.search.indexes import Indexes

    store.ensure_schema()
    seed_ontology(store)
    records = [rec for _item, rec in accepted]
    hashes = {rec.id: rec.content_hash() for rec in records}
    existing = _existing_hashes(store, list(hashes))
    todo = [rec for rec in records if existing.get(rec.id) != hashes[rec.id]]
    report.unchanged = len(records) - len(todo)
    report.case_ids = [rec.id for rec in records]
    if not todo:
        return

    resolver = get_resolver()
    embedder = get_embedder(settings)
    with Progress(enabled=progress) as bar:
        vectors = embed_in_batches(embedder, [rec.tekst for rec in todo], bar)
        entities = [extract(rec.tekst, jaar=rec.effective_jaar, embedder=embedder, vector=vec)
                    for rec, vec in bar.track(list(zip(todo, vectors, strict=True)),
                                              description="Entiteiten herkennen")]
        rows = [build_rows(rec, ents, hashes[rec.id], [float(x) for x in vec], resolver)
                for rec, ents, vec in zip(todo, entities, vectors, strict=True)]
        changed = [{"id": rec.id} for rec in todo if rec.id in existing]
        if changed:
            store.write(load_query("ingest_clear_case_details"), changed)
            store.write(load_query("ingest_clear_case_edges"), changed)
        _write_rows(store, rows, bar)
        store.run(load_query("state_bump"))
        Indexes(settings).apply(store, upserts={rec.id: vec for rec, vec in zip(todo, vectors, strict=True)})
    report.updated = len(changed)
    report.ingested = len(todo) - len(changed)


def embed_in_batches(embedder, texts: list[str], bar: Progress, batch: int = 32):
    import numpy as np

    task = bar.add("Embeddings berekenen", total=len(texts))
    parts = []
    for i in range(0, len(texts), batch):
        parts.append(embedder.embed_passages(texts[i:i + batch]))
        bar.advance(task, len(texts[i:i + batch]))
    return np.vstack(parts) if parts else np.zeros((0, embedder.dim), dtype="float32")


def _write_rows(store: GraphStore, rows: list[CaseRows], bar: Progress) -> None:
    task = bar.add("Graaf schrijven", total=len(rows) * (1 + len(LINK_QUERIES)))
    store.write(load_query("ingest_upsert_cases"), [{"id": r.case_id, "props": r.props} for r in rows])
    bar.advance(task, len(rows))
    for kind, qname in LINK_QUERIES.items():
        batch = [link for r in rows for link in r.links.get(kind, [])]
        if batch:
            store.write(load_query(qname), batch)
        bar.advance(task, len(rows))


def seed_ontology(store: GraphStore) -> None:
    """Taxonomy categories, their crosswalk and the leefgebieden as nodes (idempotent)."""
    from casusgraaf.models import taxonomy

    cats = [
        {"id": c.id, "taxonomie": c.taxonomie, "code": c.code, "naam": c.naam,
         "niveau": getattr(c, "niveau", None), "beschrijving": getattr(c, "beschrijving", None)}
        for tax in taxonomy.load_taxonomies().values() for c in tax.categories
    ]
    store.write(load_query("ontology_categories"), cats)
    store.write(load_query("ontology_crosswalk"), [{"van": a, "naar": b} for a, b in taxonomy.crosswalk()])
    store.write(load_query("ontology_leefgebieden"),
                [{"naam": lg.naam, "lijsten": list(getattr(lg, "lijsten", []) or [])}
                 for lg in taxonomy.leefgebieden()])


def delete_case(case_id: str, settings: Settings | None = None, store: GraphStore | None = None) -> bool:
    """Remove a case from the graph and every derived index. Returns False when it did not exist."""
    from casusgraaf.search.indexes import Indexes

    settings = settings or get_settings()
    own_store = store is None
    store = store or open_store(settings)
    try:
        rows = store.run(load_query("delete_case"), {"id": case_id})
        deleted = bool(rows and rows[0].get("deleted"))
        if deleted:
            store.run(load_query("state_bump"))
            Indexes(settings).apply(store, removed=[case_id])
        return deleted
    finally:
        if own_store:
            store.close()
