// params: {"van": null, "tot": null, "bronnen": ["registratie"]}
// patterns (one row per case): beleidsterreinen (ministries) per case.
MATCH (c:Casus)-[r:VALT_ONDER]->(b:Beleidsterrein)
WHERE coalesce(r.bron, 'registratie') IN $bronnen AND ($van IS NULL OR c.jaar >= $van) AND ($tot IS NULL OR c.jaar <= $tot)
RETURN c.id AS id, collect(DISTINCT b.code) AS sleutels
