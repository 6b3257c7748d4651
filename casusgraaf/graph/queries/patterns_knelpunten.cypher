// params: {"van": null, "tot": null, "bronnen": ["registratie"]}
// patterns (one row per case): knelpunt categories per case (as registered, in the case's own taxonomy), with provenance.
MATCH (c:Casus)-[r:HEEFT_KNELPUNT]->(:Knelpunt)-[:IN_CATEGORIE]->(k:KnelpuntCategorie)
WHERE r.bron IN $bronnen AND ($van IS NULL OR c.jaar >= $van) AND ($tot IS NULL OR c.jaar <= $tot)
RETURN c.id AS id, collect(DISTINCT k.id) AS sleutels
