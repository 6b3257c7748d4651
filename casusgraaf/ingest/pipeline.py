"""Ingest: files → records → privacy gate → extraction → embeddings → graph, and a change set.

Idempotent by case id + content hash: an unchanged record is skipped, a changed one is rewritten in
place, a bad one is reported (file:line, what to fix) without stopping or losing the good ones.
The content hash is written last, after every link: a run that fails half-way leaves the old (or no)
hash, so the next run sees the case as changed and writes it again. Keeping the derived indexes in
step with the returned :class:`ChangeSet` is the service layer's job (``services/ingest.py``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from casusgraaf.config import Settings
from casusgraaf.embedding import get_embedder
from casusgraaf.graph import GraphStore, load_query
from casusgraaf.graph.vectors import VectorFile
from casusgraaf.graph.vectors import encode as encode_vector
from casusgraaf.ingest.mapping import CaseRows, build_rows
from casusgraaf.ingest.readers import ReadItem, iter_records
from casusgraaf.models import vocabulary
from casusgraaf.models.records import CaseRecord
from casusgraaf.models.resolve import get_resolver
from casusgraaf.nlp import extract
from casusgraaf.privacy import get_gate
from casusgraaf.privacy.quarantine import Quarantine
from casusgraaf.progress import Progress

log = logging.getLogger(__name__)

BATCH_SIZE = 1000  # records read, checked and written at a time (memory is flat in the input size)


@dataclass
class ChangeSet:
    """What a write changed, for the derived indexes: new or changed case vectors, removed ids."""

    upserted: dict[str, np.ndarray] = field(default_factory=dict)
    removed: list[str] = field(default_factory=list)
    refs: dict[str, str] = field(default_factory=dict)  # case id -> its row in the vector sidecar
    model: str | None = None  # the embedding model of the upserted vectors

    def __bool__(self) -> bool:
        return bool(self.upserted or self.removed)


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
    changes: ChangeSet = field(default_factory=ChangeSet, repr=False)

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


def ingest_paths(store: GraphStore, settings: Settings, paths: Iterable[str | Path], *, redact: bool = False,
                 progress: bool = False) -> IngestReport:
    """Read every file under ``paths`` and write its records to the graph (indexes: see services)."""
    return ingest_items(store, settings, iter_records(paths), redact=redact, progress=progress)


def ingest_items(store: GraphStore, settings: Settings, items: Iterable[ReadItem], *, redact: bool = False,
                 progress: bool = False, batch_size: int | None = None) -> IngestReport:
    """Hash first: a record whose content hash equals the stored one is unchanged and goes no further (no
    privacy gate, no NLP, no model). New and changed records pass the gate, then :func:`_write`.

    ``items`` is consumed in batches of ``batch_size`` (default :data:`BATCH_SIZE`): memory stays flat in the size of the input (only ids and
    vectors of the changed cases are kept for the change set). The hash is taken over the record as read (before
    any redaction), so an unchanged redacted record is recognised too. A later version of the same id in one
    run wins (with a warning)."""
    report = IngestReport()
    gate = get_gate(redact=redact or settings.privacy_hard == "redact")
    quarantine = Quarantine(settings.quarantine_dir)
    seen: set[str] = set()
    unchanged: set[str] = set()
    written: dict[str, None] = {}  # ids written in this run, in order
    for batch in _batches(items, batch_size or BATCH_SIZE):
        accepted, hashes, existing = _check_batch(store, batch, gate, quarantine, report, seen, unchanged)
        if accepted:
            _write(store, settings, list(accepted.values()), hashes, existing, report, progress)
            written.update(dict.fromkeys(accepted))
    unchanged -= written.keys()  # a later duplicate equal to what this run wrote earlier
    report.unchanged = len(unchanged)
    report.case_ids = sorted(unchanged) + list(written)
    return report


def _batches(items: Iterable[ReadItem], size: int) -> Iterator[list[ReadItem]]:
    batch: list[ReadItem] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _check_batch(store: GraphStore, batch: list[ReadItem], gate, quarantine: Quarantine, report: IngestReport,
                 seen: set[str], unchanged: set[str]
                 ) -> tuple[dict[str, tuple[ReadItem, CaseRecord, str]], dict[str, str], dict[str, str]]:
    """Hash lookup for one batch (one query per 1,000 ids), then the privacy gate for what changed."""
    ids = list(dict.fromkeys(it.record.id for it in batch if it.record is not None))
    existing = _existing_hashes(store, ids) if ids else {}
    hashes: dict[str, str] = {}
    accepted: dict[str, tuple[ReadItem, CaseRecord, str]] = {}
    for item in batch:
        for w in item.warnings:
            report.problems.append(Problem(item.where, "waarschuwing", w))
        if item.record is None:
            report.failed += 1
            report.problems.append(Problem(item.where, "fout", item.error or "onleesbaar"))
            continue
        rid, h = item.record.id, item.record.content_hash()
        hashes[rid] = h  # the last version of an id counts
        if rid in seen:
            report.problems.append(Problem(item.where, "waarschuwing",
                                           "dit casus-id kwam eerder in deze invoer voor; de laatste versie telt"))
        seen.add(rid)
        if existing.get(rid) == h:
            unchanged.add(rid)
            accepted.pop(rid, None)
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
        unchanged.discard(rid)
        accepted[clean.id] = (item, clean, result.action)
    return accepted, {rid: hashes[rid] for rid in accepted}, existing


def _existing_hashes(store: GraphStore, ids: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    query = load_query("ingest_case_hashes")
    for i in range(0, len(ids), 1000):
        for row in store.run(query, {"ids": ids[i:i + 1000]}):
            out[row["id"]] = row["hash"]
    return out


def _write(store: GraphStore, settings: Settings, accepted: list[tuple[ReadItem, CaseRecord, str]],
           hashes: dict[str, str], existing: dict[str, str], report: IngestReport, progress: bool) -> None:
    """Write new and changed records (already through the gate). ``hashes``: the content hash of each record as
    read; ``existing``: the stored hashes (a half-written case has None and is rewritten)."""
    if not report.ingested and not report.updated:  # first batch of this run that writes
        store.ensure_schema()
        seed_ontology(store)
    todo = [rec for _item, rec, _action in accepted]
    where = {rec.id: item.where for item, rec, _action in accepted}
    privacy = {rec.id: ("redact" if action == "redact" else "pass") for _item, rec, action in accepted}

    resolver = get_resolver()
    embedder = get_embedder(settings)
    now = datetime.now(UTC).isoformat(timespec="seconds")
    with Progress(enabled=progress) as bar:
        vectors = embed_in_batches(embedder, [rec.tekst for rec in todo], bar)
        entities = [extract(rec.tekst, jaar=rec.effective_jaar, embedder=embedder, vector=vec)
                    for rec, vec in bar.track(list(zip(todo, vectors, strict=True)),
                                              description="Entiteiten herkennen")]
        # The vectors go to the sidecar first (durable), the graph rows name their rows (graph/vectors.py).
        refs = VectorFile(settings).append(vectors, embedder.model_id)
        rows = [build_rows(rec, ents, hashes[rec.id], encode_vector(vec), resolver, privacy=privacy[rec.id],
                           embedding_model=embedder.model_id, ingevoerd_op=now)
                for rec, ents, vec in zip(todo, entities, vectors, strict=True)]
        for r, ref in zip(rows, refs, strict=True):
            r.props["embedding_ref"] = ref
        for r in rows:
            report.problems += [Problem(where[r.case_id], "waarschuwing", w) for w in r.warnings]
        changed = [{"id": rec.id} for rec in todo if rec.id in existing]
        if changed:
            # A kill from here until the hashes are written leaves the case without one: rewritten next run
            # (with the old hash it would count as unchanged when the old version came back, its links lost).
            store.write(load_query("ingest_mark_pending"), changed)
            store.write(load_query("ingest_clear_case_details"), changed)
            store.write(load_query("ingest_clear_case_edges"), changed)
        _write_rows(store, rows, bar)
        # Last: the hashes. Until this write the cases count as changed, so a rerun repairs them.
        store.write(load_query("ingest_set_hashes"), [{"id": r.case_id, "hash": r.hash} for r in rows])
        store.run(load_query("state_bump"))
    report.changes.upserted.update({rec.id: vec for rec, vec in zip(todo, vectors, strict=True)})
    report.changes.refs.update({rec.id: ref for rec, ref in zip(todo, refs, strict=True)})
    report.changes.model = embedder.model_id
    report.updated += len(changed)
    report.ingested += len(todo) - len(changed)


def embed_in_batches(embedder, texts: list[str], bar: Progress, batch: int = 32) -> np.ndarray:
    task = bar.add("Embeddings berekenen", total=len(texts))
    parts = []
    for i in range(0, len(texts), batch):
        parts.append(embedder.embed_passages(texts[i:i + batch]))
        bar.advance(task, len(texts[i:i + batch]))
    return np.vstack(parts) if parts else np.zeros((0, embedder.dim), dtype="float32")


def _write_rows(store: GraphStore, rows: list[CaseRows], bar: Progress) -> None:
    kinds = vocabulary.fact_kinds()
    task = bar.add("Graaf schrijven", total=len(rows) * (1 + len(kinds)))
    store.write(load_query("ingest_upsert_cases"), [{"id": r.case_id, "props": r.props} for r in rows])
    bar.advance(task, len(rows))
    for kind, fk in kinds.items():
        batch = [link for r in rows for link in r.links.get(kind, [])]
        if batch:
            store.write(load_query(fk.query), batch)
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


def delete_case(store: GraphStore, case_id: str, settings: Settings | None = None) -> ChangeSet:
    """Remove a case (and the knelpunten and leerpunten it owns) from the graph, and with ``settings`` its
    vector from the sidecar (the row is zeroed); an empty change set when it did not exist."""
    refs = [r["ref"] for r in store.run(load_query("search_load_vector_refs_by_id"), {"ids": [case_id]})]
    rows = store.run(load_query("delete_case"), {"id": case_id})
    if not (rows and rows[0].get("deleted")):
        return ChangeSet()
    store.run(load_query("state_bump"))
    if settings is not None:
        VectorFile(settings).erase(refs)
    return ChangeSet(removed=[case_id])
