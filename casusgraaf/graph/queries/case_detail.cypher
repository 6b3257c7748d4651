// params: {"id": "does-not-exist"}
MATCH (c:Casus {id: $id})
RETURN c.id AS id, c.titel AS titel, c.tekst AS tekst, c.jaar AS jaar, c.status AS status,
       c.datum_aanmelding AS datum_aanmelding, c.datum_afronding AS datum_afronding,
       c.looptijd_weken AS looptijd_weken, c.indiener_type AS indiener_type, c.interventies AS interventies,
       c.let_ingezet AS let_ingezet, c.kon_verder AS kon_verder, c.uitkomst AS uitkomst, c.doelgroep AS doelgroep
