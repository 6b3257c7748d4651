"""Write use cases: ingest-and-index, delete, reindex, and releasing a case from quarantine.

The graph is written first (``ingest/pipeline.py``); the derived indexes and the text-free projection for
analyst Cypher then apply the change set. When that step fails, the graph is still right and the next engine
load (or analyst query) rebuilds from it (generation check). A process killed between the two (``kill -9``, a
graph server that died) is repaired by :func:`repair_at_start` in the next process that starts (``serve``, an
ingest): one rebuild of the indexes from the graph, only when they disagree with it (docs/RELIABILITY.md).
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from casusgraaf.audit import AuditLog
from casusgraaf.config import Settings
from casusgraaf.errors import BadInput, CasusgraafError, NotFound
from casusgraaf.files import write_private
from casusgraaf.graph import GraphStore
from casusgraaf.graph.erasure import compact_persistence
from casusgraaf.graph.projection import Projection, ProjectionUnavailable
from casusgraaf.ingest import pipeline
from casusgraaf.ingest.pipeline import ChangeSet, IngestReport
from casusgraaf.ingest.readers import ReadItem, iter_records
from casusgraaf.models.records import CaseRecord
from casusgraaf.privacy import advies, get_gate
from casusgraaf.privacy.quarantine import Quarantine
from casusgraaf.search.indexes import Indexes

log = logging.getLogger(__name__)


def apply_changes(store: GraphStore, settings: Settings, changes: ChangeSet) -> None:
    """Bring FAISS, the lexical index and the text-free projection in step with a graph write."""
    if changes:
        Indexes(settings).apply(store, upserts=changes.upserted, removed=changes.removed, refs=changes.refs,
                                model=changes.model)
        sync_projection(store, settings, [*changes.upserted, *changes.removed])


_repaired: set[str] = set()  # data dirs (and graphs) this process has checked: once per process


def repair_at_start(store: GraphStore, settings: Settings, *, again: bool = False) -> dict:
    """The one repair step at start: when the indexes disagree with the graph (a writer died between its graph
    write and its index update) and no writer is at work, rebuild them, and the projection with them. Runs once
    per process and data dir (``again``: check anyway)."""
    key = f"{settings.data_dir.resolve()}|{settings.graph_uri or ''}|{settings.graph_name}"
    if key in _repaired and not again:
        return {"herstel": "al gecontroleerd"}
    result = Indexes(settings).repair(store)
    if result["herstel"] != "overgeslagen":
        _repaired.add(key)
    if result["herstel"] == "herbouwd":
        result["projectie"] = sync_projection(store, settings)
    return result


def sync_projection(store: GraphStore, settings: Settings, case_ids: list[str] | None = None) -> str:
    """Update the projection for ``case_ids`` (None: rebuild it); "niet beschikbaar" on a Neo4j without
    its second database (analyst Cypher then refuses with the instruction)."""
    try:
        with Projection(store, settings) as projection:
            if case_ids is None:
                projection.rebuild()
                return "herbouwd"
            return projection.sync(case_ids)
    except ProjectionUnavailable:
        log.warning("tekstvrije projectie niet beschikbaar op deze Neo4j (zie docs/SECURITY.md)")
        return "niet beschikbaar"


def ingest_paths(store: GraphStore, settings: Settings, paths: Iterable[str | Path], *, redact: bool = False,
                 progress: bool = False) -> IngestReport:
    """Read files or folders, write their records to the graph and update the indexes."""
    return ingest_items(store, settings, iter_records(paths), redact=redact, progress=progress)


def ingest_items(store: GraphStore, settings: Settings, items: Iterable[ReadItem], *, redact: bool = False,
                 progress: bool = False) -> IngestReport:
    repair_at_start(store, settings)
    with Indexes(settings).writing():  # the writer lease: graph write and index update, as one indexer
        report = pipeline.ingest_items(store, settings, items, redact=redact, progress=progress)
        apply_changes(store, settings, report.changes)
    return report


def delete_case(store: GraphStore, settings: Settings, case_id: str, *, user: str = "cli",
                role: str = "beheerder") -> dict[str, Any]:
    """Erase a case (AVG art. 17): from the graph, the projection, every index, the quarantine and the graph
    engine's files (AOF and snapshot rewritten); the audit records who erased which id (the id only).
    :class:`NotFound` when it is in neither the graph nor the quarantine."""
    with Indexes(settings).writing():
        changes = pipeline.delete_case(store, case_id, settings)
        quarantined = purge_quarantine(settings, case_id)
        if not changes and not quarantined:
            raise NotFound(f"casus {case_id} bestaat niet (niet in de graaf en niet in quarantaine)")
        if changes:
            apply_changes(store, settings, changes)
    compacted = compact_persistence(store)
    AuditLog(settings).record(user, role, "verwijderen", {"graaf": bool(changes), "quarantaine": quarantined},
                              [case_id])
    return {"deleted": case_id, "graaf": bool(changes), "quarantaine": quarantined, "opslag_herschreven": compacted}


def purge_quarantine(settings: Settings, case_id: str) -> int:
    """Remove every quarantine entry of this case id (a JSON record with that id, or a file named after it);
    returns how many."""
    quarantine = Quarantine(settings.quarantine_dir)
    removed = 0
    for entry in quarantine.list():
        qid = entry["qid"]
        try:
            raw = quarantine.show(qid, include_raw=True).get("raw") or ""
        except CasusgraafError:
            continue
        record = _raw_record(raw)
        if (record is not None and record.id == case_id) or Path(str(entry.get("source", ""))).stem == case_id:
            quarantine.remove(qid)
            removed += 1
    return removed


def reindex(store: GraphStore, settings: Settings, progress: bool = False) -> dict:
    """Rebuild FAISS, the lexical index and the text-free projection from the graph (no model run)."""
    stats = Indexes(settings).rebuild(store, progress=progress)
    return {**stats, "projectie": sync_projection(store, settings)}


def findings_out(findings: Iterable[Any]) -> list[dict[str, Any]]:
    """Findings as dicts with what to change; types and positions, never values."""
    return [{**f.to_dict(), "advies": advies(f.type)} for f in findings]


def privacy_check(settings: Settings, paths: Iterable[str | Path], *, redact: bool = False) -> dict[str, Any]:
    """What the gate would do with every record under ``paths``, storing nothing: counts and, per record with
    findings, file:line, action and findings (types and positions, never values)."""
    gate = get_gate(redact=redact or settings.privacy_hard == "redact")
    items: list[dict[str, Any]] = []
    counts = {"records": 0, "schoon": 0, "redact": 0, "quarantaine": 0, "fouten": 0}
    for item in iter_records(paths):
        if item.record is None:
            counts["fouten"] += 1
            items.append({"waar": item.where, "bron": item.source, "regel": item.line, "fout": item.error})
            continue
        counts["records"] += 1
        result, _ = gate.check_record(item.record)
        counts[{"pass": "schoon", "redact": "redact", "quarantine": "quarantaine"}[result.action]] += 1
        if result.blocking:
            # an id that itself carries personal data is not repeated
            rid = None if any(f.field == "id" for f in result.findings) else item.record.id
            items.append({"waar": item.where, "bron": item.source, "regel": item.line, "id": rid,
                          "actie": result.action, "samenvatting": result.summary(),
                          "bevindingen": findings_out(result.blocking)})
    return {"aantallen": counts, "meldingen": items}


def _raw_record(raw: str) -> CaseRecord | None:
    try:
        return CaseRecord.model_validate(json.loads(raw))
    except (ValueError, TypeError):  # a txt/docx record is not JSON: no id to match on
        return None


def release_quarantined(store: GraphStore, settings: Settings, qid: str, file: Path | None = None, *,
                        redact: bool = False) -> dict[str, Any]:
    """Take a case out of quarantine when it now passes the gate, and ingest it.

    With ``file``: the case with the same id in the corrected file (or the only case in it). Without: the
    stored record itself (after a policy change, or with ``redact``). The quarantine entry is removed only
    after the ingest stored the record; otherwise it stays, and the result says why (``vrijgegeven: False``).
    """
    quarantine = Quarantine(settings.quarantine_dir)
    entry = quarantine.show(qid, include_raw=True)
    stored = _raw_record(entry["raw"])
    redact = redact or settings.privacy_hard == "redact"
    if file is not None:
        records = [it.record for it in iter_records([file]) if it.record is not None]
        candidates = [r for r in records if r.id == stored.id] if stored is not None else (
            records if len(records) == 1 else [])
        if len(candidates) != 1:
            raise BadInput(f"in {file} staat niet precies één casus"
                           + (f" met id '{stored.id}'" if stored is not None else "")
                           + "; geef het aangepaste bronbestand op.")
        record = candidates[0]
    elif stored is None:
        raise BadInput(f"de casus in quarantaine is geen JSON-record; pas de bron aan ({entry['source']}) en "
                       f"draai 'casusgraaf quarantine release {qid} --file BRON'.")
    else:
        record = stored
    where = f"{entry['source']}:{entry['line']}" if entry.get("line") else entry["source"]
    result, _clean = get_gate(redact=redact).check_record(record)
    if result.action == "quarantine":
        return {"qid": qid, "vrijgegeven": False, "bron": where, "ruwe_casus": entry["path"],
                "samenvatting": result.summary(), "bevindingen": findings_out(result.blocking),
                "instructie": f"pas de bron aan en draai 'casusgraaf quarantine release {qid} --file BRON'"}
    # Ingest exactly the checked record, with the same gate setting, from a private temp file.
    tmp = quarantine.dir / f".release-{secrets.token_hex(4)}.jsonl"
    write_private(tmp, record.model_dump_json(exclude_none=True) + "\n")
    try:
        report = ingest_paths(store, settings, [tmp], redact=redact)
    finally:
        tmp.unlink(missing_ok=True)
    if report.quarantined or record.id not in report.case_ids:
        return {"qid": qid, "vrijgegeven": False, "bron": where, "ruwe_casus": entry["path"],
                "ingest": report.to_dict(),
                "instructie": "de casus is niet opgeslagen en blijft in quarantaine; zie de meldingen"}
    quarantine.remove(qid)
    return {"qid": qid, "vrijgegeven": True, "actie": result.action, "ingest": report.to_dict()}
