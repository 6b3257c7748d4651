// params: {"generation": 0, "knopen": 0, "relaties": 0}
// Run on the projection after a rebuild or sync.
MERGE (m:Meta {key: 'projectie'})
SET m.generation = $generation, m.knopen = $knopen, m.relaties = $relaties
