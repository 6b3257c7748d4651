// params: {"id": "does-not-exist", "eerder": "does-not-exist-either", "datum": "2026-01-15"}
// A person confirmed that leerpunt $id repeats the earlier leerpunt $eerder (idempotent; who confirmed it is
// in the change log).
MATCH (l:Leerpunt {id: $id}), (e:Leerpunt {id: $eerder})
MERGE (l)-[r:TERUGKEREND_VAN]->(e)
SET r.bron = 'handmatig', r.datum = $datum
RETURN l.id AS id, e.id AS eerder
