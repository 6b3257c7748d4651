// params: {}
// The embedding model of every case's vector (a rebuild keeps one model's vectors).
MATCH (c:Casus)
RETURN c.id AS id, c.embedding_model AS model
