// params: {"rows": [{"id": "does-not-exist"}]}
// Run on the projection: drops leerpunten (by their projection key) with their follow-up entries, before
// they are copied afresh with every relationship that touches them.
UNWIND $rows AS row
MATCH (l:Leerpunt {id: row.id})
OPTIONAL MATCH (l)-[:HEEFT_OPVOLGING]->(o:Opvolging)
DETACH DELETE o
WITH DISTINCT l
DETACH DELETE l
