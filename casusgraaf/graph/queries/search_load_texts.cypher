// params: {"ids": ["2024-001"]}
// Texts (and hashes) of some cases, for fitting and filling the lexical index in bounded batches.
MATCH (c:Casus) WHERE c.id IN $ids
RETURN c.id AS id, c.tekst AS tekst, c.hash AS hash
