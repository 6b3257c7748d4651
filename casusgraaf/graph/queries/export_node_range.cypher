// params: {"van": 0, "tot": 2000}
// One page of the graph dump: every node with an internal id in [$van, $tot), all its properties (the
// embedding is left out by the adapters; vectors are read through search_load_embeddings).
MATCH (n) WHERE id(n) >= $van AND id(n) < $tot
RETURN id(n) AS nid, n AS node
ORDER BY nid
