// params: {"van": 0, "tot": 2000}
// One page of the graph dump: every relationship whose start node has an internal id in [$van, $tot).
MATCH (a)-[r]->(b) WHERE id(a) >= $van AND id(a) < $tot
RETURN id(a) AS van, id(b) AS naar, r AS rel
ORDER BY van, naar
