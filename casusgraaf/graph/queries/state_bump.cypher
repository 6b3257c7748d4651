// params: {}
// Every write bumps a generation counter; servers reload derived indexes when it changes.
MERGE (m:Meta {key: 'state'})
SET m.generation = coalesce(m.generation, 0) + 1
RETURN m.generation AS generation
