// params: {"id": "does-not-exist"}
// Removes a case with its knelpunten, and the leerpunten (with their follow-up entries) that no other case
// shares; a leerpunt shared with another case stays. Shared nodes (wetten, organisaties) stay.
MATCH (c:Casus {id: $id})
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
RETURN count(DISTINCT c) AS deleted
