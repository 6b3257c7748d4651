"""Right to erasure (AVG art. 17): `casusgraaf delete ID` leaves the case's text in no file of the data dir:
not the graph server's AOF or snapshot, the projection, the dense or lexical index, the quarantine. The
audit records the deletion by id only. Real embedded FalkorDB, real model, real files (read as bytes)."""

from __future__ import annotations

import json
from pathlib import Path

from casusgraaf.audit import AuditLog
from casusgraaf.graph.projection import Projection
from casusgraaf.privacy.quarantine import Quarantine
from casusgraaf.services.ingest import delete_case, ingest_paths
from tests.records import full_record

TEXT = ("Een zelfstandig bloembollenkweker uit de polder bij Zwaluwmeer raakte zijn kas kwijt na een storm "
        "en viel daarna tussen de regelingen voor ondernemers en de bijstand in; de kwekerij stond stil.")
TITEL = "Kweker na stormschade zonder inkomen tussen twee regelingen"
LEERPUNT = "Laat de regeling voor getroffen ondernemers aansluiten op de bijstand voor zelfstandigen."
OPVOLGING = "Besproken in het overleg over ondernemersregelingen bij het ministerie."
OTHER = "Een tweede casus over een heel andere kwestie blijft staan en wordt niet gewist door de opdracht."


def substrings(text: str, size: int = 24, step: int = 8) -> list[bytes]:
    return [text[i:i + size].encode() for i in range(0, len(text) - size, step)]


def files_containing(root: Path, needles: list[bytes]) -> dict[str, list[bytes]]:
    hits: dict[str, list[bytes]] = {}
    for path in root.rglob("*"):
        if path.is_file() and not path.is_socket():
            data = path.read_bytes()
            found = [n for n in needles if n in data]
            if found:
                hits[str(path.relative_to(root))] = found
    return hits


def test_delete_erases_the_text_from_every_file(fresh_env, tmp_path):
    settings, store = fresh_env
    # snapshots compress strings (LZF) by default: a grep would miss a text that is still there
    store._command("CONFIG", "SET", "rdbcompression", "no")
    rec = full_record(id="2024-077", tekst=TEXT, titel=TITEL)
    rec["leerpunten"][0].update(id="LP-2024-077-a", tekst=LEERPUNT, terugkerend_van=None)
    rec["leerpunten"][0]["opvolging"][0]["tekst"] = OPVOLGING
    other = full_record(id="2024-078", tekst=OTHER, leerpunten=[])
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps(rec, ensure_ascii=False) + "\n" + json.dumps(other, ensure_ascii=False) + "\n")
    report = ingest_paths(store, settings, [src])
    assert report.ingested == 2
    # the same case once more with a BSN in it: quarantined (its raw text is kept there)
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({**rec, "tekst": TEXT + " BSN 123456782."}, ensure_ascii=False) + "\n")
    assert ingest_paths(store, settings, [bad]).quarantined == 1
    with Projection(store, settings) as p:
        p.ensure_current()
    store._command("SAVE")

    needles = [n for t in (TEXT, TITEL, LEERPUNT, OPVOLGING) for n in substrings(t)]
    before = files_containing(settings.data_dir, needles)
    assert "graph/dump.rdb" in before and any(k.startswith("graph/appendonlydir/") for k in before), before
    assert any(k.startswith("quarantine/") for k in before), before

    result = delete_case(store, settings, "2024-077", user="cli:tester")
    assert result["graaf"] and result["quarantaine"] == 1 and result["opslag_herschreven"]
    store._command("SAVE")

    assert files_containing(settings.data_dir, needles) == {}
    # the other case is untouched, everywhere
    assert files_containing(settings.data_dir, substrings(OTHER))
    assert store.read("MATCH (c:Casus) RETURN c.id AS id") == [{"id": "2024-078"}]
    assert len(Quarantine(settings.quarantine_dir)) == 0
    with Projection(store, settings) as p:
        assert p.store.read("MATCH (c:Casus) RETURN c.id AS id") == [{"id": "2024-078"}]

    log = AuditLog(settings)
    (entry,) = [r for r in log.records() if r["action"] == "verwijderen"]
    assert entry["user"] == "cli:tester" and entry["result_ids"] == ["2024-077"]
    assert entry["what"] == {"graaf": True, "quarantaine": 1}
    assert log.verify()[0] is None
