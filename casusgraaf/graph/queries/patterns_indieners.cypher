// params: {"van": null, "tot": null}
// patterns: the indiener organisation per case (registered only).
MATCH (c:Casus)-[:INGEDIEND_DOOR]->(o:Organisatie)
WHERE ($van IS NULL OR c.jaar >= $van) AND ($tot IS NULL OR c.jaar <= $tot)
RETURN c.id AS id, o.naam AS naam, o.soort AS soort, o.aangesloten AS aangesloten
