// params: {"ids": ["2024-001"]}
// search_load_facets for some cases only (a running engine applying a change set).
MATCH (c:Casus)-[r:RAAKT_WET|BETROKKEN|BETREFT_LEEFGEBIED|VALT_ONDER|INGEDIEND_DOOR]->(x) WHERE c.id IN $ids
RETURN c.id AS id, type(r) AS rel, coalesce(x.naam, x.code) AS key, r.bron AS bron
UNION ALL
MATCH (c:Casus)-[r:HEEFT_KNELPUNT]->(:Knelpunt)-[:IN_CATEGORIE]->(cat:KnelpuntCategorie) WHERE c.id IN $ids
RETURN c.id AS id, 'KNELPUNT' AS rel, cat.id AS key, r.bron AS bron
