// params: {"van": 0}
// The lowest and highest internal node id from $van on: where the next page of export_node_range starts.
MATCH (n) WHERE id(n) >= $van
RETURN min(id(n)) AS nid, max(id(n)) AS max_nid
