// params: {"ids": ["2024-001"]}
MATCH (c:Casus) WHERE c.id IN $ids
RETURN c.id AS id, c.embedding_ref AS ref
