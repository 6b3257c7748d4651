// params: {"rows": [{"id": "2024-001"}]}
// Before a changed case is rewritten: drop the nodes it owns (knelpunten, leerpunten) and its edges.
UNWIND $rows AS row
MATCH (c:Casus {id: row.id})
OPTIONAL MATCH (c)-[:HEEFT_KNELPUNT]->(k:Knelpunt)
OPTIONAL MATCH (c)-[:LEVERDE_LEERPUNT]->(l:Leerpunt)
DETACH DELETE k, l
