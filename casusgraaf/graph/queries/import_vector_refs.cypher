// params: {"rows": [{"id": "does-not-exist", "ref": "0123456789ab:0"}]}
// casusgraaf import / migrate: each case's row in the target's vector sidecar (graph/vectors.py), after the
// exported vectors were appended there; the node's own copy came with the node.
UNWIND $rows AS row
MATCH (c:Casus {id: row.id})
SET c.embedding_ref = row.ref
RETURN count(c) AS n
