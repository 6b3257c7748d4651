// params: {}
// Where each case's vector is in the sidecar file (graph/vectors.py; null: only the node's own copy), and its model.
MATCH (c:Casus)
RETURN c.id AS id, c.embedding_ref AS ref, c.embedding_model AS model
