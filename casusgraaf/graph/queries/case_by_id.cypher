// params: {"id": "2024-017"}
// One case with its knelpunten (categories) and laws; no embedding in the answer.
MATCH (c:Casus {id: $id})
OPTIONAL MATCH (c)-[:HEEFT_KNELPUNT]->(k:Knelpunt)
OPTIONAL MATCH (k)-[:IN_CATEGORIE]->(cat:KnelpuntCategorie)
WITH c, collect(DISTINCT {id: k.id, omschrijving: k.omschrijving, categorie: cat.naam}) AS knelpunten
OPTIONAL MATCH (c)-[r:RAAKT_WET]->(w:Wet)
RETURN c.id AS id, c.titel AS titel, c.jaar AS jaar, knelpunten,
       collect(DISTINCT {naam: w.naam, bron: r.bron}) AS wetten
