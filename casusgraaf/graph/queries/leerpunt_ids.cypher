// params: {}
MATCH (l:Leerpunt)
WHERE l.tekst IS NOT NULL
RETURN l.id AS id
ORDER BY id
