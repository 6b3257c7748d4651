// params: {}
// Everything the in-memory search engine needs, one row per case.
MATCH (c:Casus)
RETURN c.id AS id, c.tekst AS tekst, c.titel AS titel, c.jaar AS jaar, c.hash AS hash,
       c.indiener_type AS indiener_type, c.uitkomst AS uitkomst
ORDER BY c.id
