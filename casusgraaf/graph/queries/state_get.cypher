// params: {}
OPTIONAL MATCH (m:Meta {key: 'state'})
RETURN coalesce(m.generation, 0) AS generation
