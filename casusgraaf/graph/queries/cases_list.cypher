// params: {"jaar_van": null, "jaar_tot": null, "skip": 0, "limit": 20}
MATCH (c:Casus)
WHERE ($jaar_van IS NULL OR c.jaar >= $jaar_van) AND ($jaar_tot IS NULL OR c.jaar <= $jaar_tot)
RETURN c.id AS id, c.titel AS titel, c.jaar AS jaar, c.indiener_type AS indiener_type, c.uitkomst AS uitkomst
ORDER BY c.id
SKIP $skip LIMIT $limit
