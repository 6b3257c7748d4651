// params: {"van": null, "tot": null}
// patterns: one row per case in a year range (null = open), with the fields the figures use.
MATCH (c:Casus)
WHERE ($van IS NULL OR c.jaar >= $van) AND ($tot IS NULL OR c.jaar <= $tot)
RETURN c.id AS id, c.jaar AS jaar, c.looptijd_weken AS looptijd_weken, c.indiener_type AS indiener_type,
       c.uitkomst AS uitkomst, c.status AS status, c.datum_afronding AS datum_afronding,
       c.datum_aanmelding AS datum_aanmelding, c.interventies AS interventies
