// params: {"rows": [{"id": "2024-001"}]}
// Before a changed case is rewritten: drop its knelpunten, and only those of its leerpunten that carry
// nothing but what ingest writes again (no follow-up entries, no other case, no recurrence link pointing at
// them, no confirmed link of their own). Every other leerpunt keeps its node, id and history: ingest then
// merges onto it (graph/queries/ingest_leerpunten.cypher).
UNWIND $rows AS row
MATCH (c:Casus {id: row.id})
OPTIONAL MATCH (c)-[:HEEFT_KNELPUNT]->(k:Knelpunt)
DETACH DELETE k
WITH DISTINCT c
OPTIONAL MATCH (c)-[:LEVERDE_LEERPUNT]->(l:Leerpunt)
WHERE NOT (l)-[:HEEFT_OPVOLGING]->(:Opvolging)
  AND NOT (:Leerpunt)-[:TERUGKEREND_VAN]->(l)
  AND NOT (l)-[:TERUGKEREND_VAN {bron: 'handmatig'}]->(:Leerpunt)
OPTIONAL MATCH (x:Casus)-[:LEVERDE_LEERPUNT]->(l)
WITH l, count(DISTINCT x) AS n_cases
FOREACH (z IN CASE WHEN n_cases = 1 THEN [l] ELSE [] END | DETACH DELETE z)
