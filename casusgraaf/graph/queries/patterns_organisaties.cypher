// params: {"van": null, "tot": null, "bronnen": ["registratie"], "uitgesloten": ["pmm"]}
// patterns (one row per case): betrokken organisaties per case; soorten in $uitgesloten (the Loket/PMM itself) are left out.
MATCH (c:Casus)-[r:BETROKKEN]->(o:Organisatie)
WHERE r.bron IN $bronnen AND NOT coalesce(o.soort, '') IN $uitgesloten AND ($van IS NULL OR c.jaar >= $van) AND ($tot IS NULL OR c.jaar <= $tot)
RETURN c.id AS id, collect(DISTINCT o.naam) AS sleutels
