// params: {"ids": ["does-not-exist"]}
MATCH (c:Casus)-[:LEVERDE_LEERPUNT]->(l:Leerpunt)
WHERE c.id IN $ids
OPTIONAL MATCH (l)-[:BELEGD_BIJ]->(o:Organisatie)
RETURN c.id AS case_id, l.id AS id, l.tekst AS tekst, l.status AS status, l.status_code AS status_code,
       l.categorie AS categorie, l.orde AS orde, l.bron AS bron, o.naam AS belegd_bij
ORDER BY l.id
