// params: {"van": null, "tot": null, "bronnen": ["registratie"]}
// patterns: leerpunten per case with their owners (belegd_bij, possibly several) and follow-up status.
MATCH (c:Casus)-[:LEVERDE_LEERPUNT]->(l:Leerpunt)
WHERE coalesce(l.bron, 'registratie') IN $bronnen AND ($van IS NULL OR c.jaar >= $van) AND ($tot IS NULL OR c.jaar <= $tot)
OPTIONAL MATCH (l)-[:BELEGD_BIJ]->(o:Organisatie)
RETURN c.id AS id, l.id AS leerpunt, l.status_code AS status_code, l.categorie AS categorie,
       collect(DISTINCT o.naam) AS eigenaren
