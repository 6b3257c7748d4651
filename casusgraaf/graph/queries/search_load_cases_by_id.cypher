// params: {"ids": ["2024-001"]}
// search_load_cases for some cases only: what a running engine reads to apply a change set.
MATCH (c:Casus) WHERE c.id IN $ids
RETURN c.id AS id, c.tekst AS tekst, c.titel AS titel, c.jaar AS jaar, c.hash AS hash,
       c.indiener_type AS indiener_type, c.uitkomst AS uitkomst
ORDER BY c.id
