// params: {"ids": ["2024-001"]}
// What was registered for each case, to write it back as a case record (casusgraaf export, casussen.jsonl):
// only facts with bron 'registratie' (extracted ones are derived again by ingest). The leerpunten come from
// leerpunt_list with the ids returned here.
MATCH (c:Casus) WHERE c.id IN $ids
OPTIONAL MATCH (c)-[:RAAKT_WET {bron: 'registratie'}]->(w:Wet)
WITH c, collect(DISTINCT w.naam) AS wetten
OPTIONAL MATCH (c)-[:BETROKKEN {bron: 'registratie'}]->(o:Organisatie)
WITH c, wetten, collect(DISTINCT o.naam) AS organisaties
OPTIONAL MATCH (c)-[:BETREFT_LEEFGEBIED {bron: 'registratie'}]->(lg:Leefgebied)
WITH c, wetten, organisaties, collect(DISTINCT lg.naam) AS leefgebieden
OPTIONAL MATCH (c)-[:VALT_ONDER]->(b:Beleidsterrein)
WITH c, wetten, organisaties, leefgebieden, collect(DISTINCT b.code) AS beleidsterreinen
OPTIONAL MATCH (c)-[:INGEDIEND_DOOR]->(ind:Organisatie)
WITH c, wetten, organisaties, leefgebieden, beleidsterreinen,
     collect(DISTINCT CASE WHEN ind IS NULL THEN NULL
                           ELSE {organisatie: ind.naam, aangesloten: ind.aangesloten} END) AS indieners
OPTIONAL MATCH (c)-[:HEEFT_KNELPUNT {bron: 'registratie'}]->(k:Knelpunt)
WITH c, wetten, organisaties, leefgebieden, beleidsterreinen, indieners,
     collect(DISTINCT CASE WHEN k IS NULL THEN NULL
                           ELSE {id: k.id, taxonomie: k.taxonomie, categorie: k.categorie, subtype: k.subtype,
                                 omschrijving: k.omschrijving} END) AS knelpunten
OPTIONAL MATCH (c)-[:LEVERDE_LEERPUNT {bron: 'registratie'}]->(l:Leerpunt)
RETURN c AS casus, wetten, organisaties, leefgebieden, beleidsterreinen, indieners, knelpunten,
       collect(DISTINCT l.id) AS leerpunten
ORDER BY c.id
