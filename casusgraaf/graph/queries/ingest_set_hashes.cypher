// params: {"rows": [{"id": "2024-001", "hash": "abc"}]}
// Written last by ingest, after every link: a case without its new hash counts as changed and is redone.
UNWIND $rows AS row
MATCH (c:Casus {id: row.id})
SET c.hash = row.hash
