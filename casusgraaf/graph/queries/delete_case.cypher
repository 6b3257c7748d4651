// params: {"id": "does-not-exist"}
// Removes a case with the knelpunten and leerpunten it owns; shared nodes (wetten, organisaties) stay.
MATCH (c:Casus {id: $id})
OPTIONAL MATCH (c)-[:HEEFT_KNELPUNT]->(k:Knelpunt)
OPTIONAL MATCH (c)-[:LEVERDE_LEERPUNT]->(l:Leerpunt)
DETACH DELETE k, l, c
RETURN count(DISTINCT c) AS deleted
