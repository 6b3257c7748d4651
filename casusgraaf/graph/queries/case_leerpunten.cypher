// params: {"ids": ["does-not-exist"]}
// The leerpunten of cases, with what became of them: the latest follow-up entry (date, code, text).
MATCH (c:Casus)-[:LEVERDE_LEERPUNT]->(l:Leerpunt)
WHERE c.id IN $ids
OPTIONAL MATCH (l)-[:BELEGD_BIJ]->(o:Organisatie)
WITH c, l, collect(DISTINCT o.naam) AS eigenaren
OPTIONAL MATCH (l)-[:HEEFT_OPVOLGING]->(e:Opvolging)
WITH c, l, eigenaren, e ORDER BY e.datum DESC, e.vastgelegd_op DESC, e.volgnr DESC
WITH c, l, eigenaren, collect(CASE WHEN e IS NULL THEN NULL
                                   ELSE {datum: e.datum, code: e.code, tekst: e.tekst} END) AS entries
RETURN c.id AS case_id, l.id AS id, l.tekst AS tekst, l.status AS status, l.status_code AS status_code,
       l.categorie AS categorie, l.orde AS orde, l.bron AS bron,
       CASE WHEN size(eigenaren) = 0 THEN NULL ELSE reduce(s = '', n IN eigenaren |
            s + CASE WHEN s = '' THEN '' ELSE ', ' END + n) END AS belegd_bij,
       eigenaren, l.regisseur AS regisseur, size(entries) AS n_opvolging,
       CASE WHEN size(entries) = 0 THEN NULL ELSE entries[0] END AS laatste
ORDER BY l.datum, l.id
