// params: {"rows": [{"id": "does-not-exist"}]}
// Run on the projection: removes cases as graph/queries/delete_case.cypher does (their knelpunten, and the
// leerpunten with follow-up entries that no other case shares), before they are copied afresh.
UNWIND $rows AS row
MATCH (c:Casus {id: row.id})
OPTIONAL MATCH (c)-[:HEEFT_KNELPUNT]->(k:Knelpunt)
DETACH DELETE k
WITH DISTINCT c
OPTIONAL MATCH (c)-[:LEVERDE_LEERPUNT]->(l:Leerpunt)
OPTIONAL MATCH (x:Casus)-[:LEVERDE_LEERPUNT]->(l)
WITH c, l, count(DISTINCT x) AS n_cases
OPTIONAL MATCH (l)-[:HEEFT_OPVOLGING]->(o:Opvolging)
WITH c, l, n_cases, collect(o) AS entries
FOREACH (z IN CASE WHEN n_cases = 1 THEN entries ELSE [] END | DETACH DELETE z)
FOREACH (z IN CASE WHEN n_cases = 1 THEN [l] ELSE [] END | DETACH DELETE z)
WITH DISTINCT c
DETACH DELETE c
