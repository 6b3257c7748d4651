// params: {}
// Every case id, in the engine's order.
MATCH (c:Casus)
RETURN c.id AS id
ORDER BY c.id
