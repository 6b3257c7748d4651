// params: {"ids": ["does-not-exist"]}
// Linked entities with provenance, for case pages (highlighting) and explanations.
MATCH (c:Casus)-[r:RAAKT_WET|BETROKKEN|BETREFT_LEEFGEBIED|VALT_ONDER|INGEDIEND_DOOR]->(x)
WHERE c.id IN $ids
RETURN c.id AS case_id, type(r) AS rel, coalesce(x.naam, x.code) AS naam, x.soort AS soort, r.bron AS bron,
       r.methode AS methode, r.confidence AS confidence, r.artikel AS artikel,
       r.surfaces AS surfaces, r.starts AS starts, r.ends AS ends
UNION ALL
MATCH (c:Casus)-[r:HEEFT_KNELPUNT]->(k:Knelpunt)-[:IN_CATEGORIE]->(cat:KnelpuntCategorie)
WHERE c.id IN $ids
RETURN c.id AS case_id, 'HEEFT_KNELPUNT' AS rel, cat.id AS naam, cat.naam AS soort, r.bron AS bron,
       r.methode AS methode, r.confidence AS confidence, k.omschrijving AS artikel,
       r.surfaces AS surfaces, r.starts AS starts, r.ends AS ends
