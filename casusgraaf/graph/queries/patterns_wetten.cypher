// params: {"van": null, "tot": null, "bronnen": ["registratie"]}
// patterns (one row per case): laws and benefits per case, with provenance (benefits are resolved to their law in Python).
MATCH (c:Casus)-[r:RAAKT_WET]->(w:Wet)
WHERE r.bron IN $bronnen AND ($van IS NULL OR c.jaar >= $van) AND ($tot IS NULL OR c.jaar <= $tot)
RETURN c.id AS id, collect(DISTINCT w.naam) AS sleutels
