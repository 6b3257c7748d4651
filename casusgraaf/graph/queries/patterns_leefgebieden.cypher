// params: {"van": null, "tot": null, "bronnen": ["registratie"]}
// patterns (one row per case): leefgebieden per case (canonical names, see models/taxonomies/leefgebieden.yaml), with provenance.
MATCH (c:Casus)-[r:BETREFT_LEEFGEBIED]->(l:Leefgebied)
WHERE r.bron IN $bronnen AND ($van IS NULL OR c.jaar >= $van) AND ($tot IS NULL OR c.jaar <= $tot)
RETURN c.id AS id, collect(DISTINCT l.naam) AS sleutels
