// params: {"rows": [{"case_id": "2024-001", "id": "2024-001#k1", "category_id": "jr2024:wet-en-regelgeving", "taxonomie": "jr2024", "categorie": "Wet- en regelgeving", "subtype": null, "omschrijving": null, "bron": "registratie", "methode": "registratie", "confidence": 1.0, "surfaces": [], "starts": [], "ends": []}]}
UNWIND $rows AS row
MATCH (c:Casus {id: row.case_id})
CREATE (k:Knelpunt {id: row.id, taxonomie: row.taxonomie, categorie: row.categorie, subtype: row.subtype,
                    omschrijving: row.omschrijving, bron: row.bron})
CREATE (c)-[r:HEEFT_KNELPUNT {bron: row.bron, methode: row.methode, confidence: row.confidence,
                              surfaces: row.surfaces, starts: row.starts, ends: row.ends}]->(k)
WITH k, row
MATCH (cat:KnelpuntCategorie {id: row.category_id})
MERGE (k)-[:IN_CATEGORIE]->(cat)
