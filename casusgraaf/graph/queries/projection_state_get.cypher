// params: {}
// Run on the projection: the source graph's generation and counts it was made from (none: never made).
OPTIONAL MATCH (m:Meta {key: 'projectie'})
RETURN m.generation AS generation, m.knopen AS knopen, m.relaties AS relaties
