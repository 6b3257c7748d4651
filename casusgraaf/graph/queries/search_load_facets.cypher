// params: {}
// Shared-structure facts per case: (kind, key, bron). Knelpunt categories include crosswalk targets.
MATCH (c:Casus)-[r:RAAKT_WET|BETROKKEN|BETREFT_LEEFGEBIED|VALT_ONDER|INGEDIEND_DOOR]->(x)
RETURN c.id AS id, type(r) AS rel, coalesce(x.naam, x.code) AS key, r.bron AS bron
UNION ALL
MATCH (c:Casus)-[r:HEEFT_KNELPUNT]->(:Knelpunt)-[:IN_CATEGORIE]->(cat:KnelpuntCategorie)
RETURN c.id AS id, 'KNELPUNT' AS rel, cat.id AS key, r.bron AS bron
