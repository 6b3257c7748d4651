// params: {"rows": [{"case_id": "2024-001", "id": "2024-001#l1", "tekst": "...", "status": null, "status_code": null, "categorie": null, "orde": null, "soort": "leerpunt", "bron": "registratie", "belegd_bij": "SZW", "belegd_soort": "ministerie", "start": null, "end": null}]}
UNWIND $rows AS row
MATCH (c:Casus {id: row.case_id})
CREATE (l:Leerpunt {id: row.id, tekst: row.tekst, status: row.status, status_code: row.status_code,
                    categorie: row.categorie, orde: row.orde, soort: row.soort, bron: row.bron,
                    jaar: c.jaar, start: row.start, end: row.end})
CREATE (c)-[:LEVERDE_LEERPUNT {bron: row.bron}]->(l)
WITH l, row WHERE row.belegd_bij IS NOT NULL
MERGE (o:Organisatie {naam: row.belegd_bij})
SET o.soort = coalesce(o.soort, row.belegd_soort)
MERGE (l)-[:BELEGD_BIJ]->(o)
