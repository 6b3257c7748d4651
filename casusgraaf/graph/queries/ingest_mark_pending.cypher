// params: {"rows": [{"id": "2024-001"}]}
// First write for a changed case: drop its hash, so that until ingest_set_hashes runs the case counts as
// half-written and is redone by any later run, also one that brings back the old version of the record.
UNWIND $rows AS row
MATCH (c:Casus {id: row.id})
SET c.hash = null
