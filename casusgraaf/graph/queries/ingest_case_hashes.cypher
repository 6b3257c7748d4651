// params: {"ids": ["2024-001"]}
// Content hashes of existing cases, to skip unchanged records on re-ingest.
MATCH (c:Casus) WHERE c.id IN $ids
RETURN c.id AS id, c.hash AS hash
