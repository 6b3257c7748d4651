// params: {"id": "does-not-exist", "entry": {"id": "x~1", "datum": "2026-01-15", "code": "IN_VERKENNING", "tekst": "...", "bron": "casusgraaf", "wie": "PMM", "vastgelegd_op": "2026-01-15T10:00:00.000001+00:00"}}
// Appends one follow-up entry to a leerpunt (never changes or removes an earlier one). Each call creates
// its own node, so concurrent calls cannot overwrite each other.
MATCH (l:Leerpunt {id: $id})
CREATE (o:Opvolging {id: $entry.id, datum: $entry.datum, code: $entry.code, tekst: $entry.tekst,
                     bron: $entry.bron, wie: $entry.wie, herkomst: 'casusgraaf',
                     vastgelegd_op: $entry.vastgelegd_op, volgnr: 0})
CREATE (l)-[:HEEFT_OPVOLGING]->(o)
RETURN o.id AS id
