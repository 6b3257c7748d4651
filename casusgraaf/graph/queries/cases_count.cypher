// params: {"jaar_van": null, "jaar_tot": null}
MATCH (c:Casus)
WHERE ($jaar_van IS NULL OR c.jaar >= $jaar_van) AND ($jaar_tot IS NULL OR c.jaar <= $jaar_tot)
RETURN count(c) AS n
