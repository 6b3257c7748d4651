// params: {"ids": ["does-not-exist"]}
// Run on the full graph: the nodes that belong to these cases now (the case, its knelpunten, its leerpunten,
// shared ones too, and their follow-up entries), as (label, key) rows for an incremental projection sync.
MATCH (c:Casus) WHERE c.id IN $ids
RETURN 'Casus' AS label, c.id AS id
UNION ALL
MATCH (c:Casus)-[:HEEFT_KNELPUNT]->(k:Knelpunt) WHERE c.id IN $ids
RETURN DISTINCT 'Knelpunt' AS label, k.id AS id
UNION ALL
MATCH (c:Casus)-[:LEVERDE_LEERPUNT]->(l:Leerpunt) WHERE c.id IN $ids
RETURN DISTINCT 'Leerpunt' AS label, l.id AS id
UNION ALL
MATCH (c:Casus)-[:LEVERDE_LEERPUNT]->(:Leerpunt)-[:HEEFT_OPVOLGING]->(o:Opvolging) WHERE c.id IN $ids
RETURN DISTINCT 'Opvolging' AS label, o.id AS id
