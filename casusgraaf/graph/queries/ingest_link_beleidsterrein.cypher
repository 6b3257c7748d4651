// params: {"rows": [{"case_id": "2024-001", "code": "SZW", "bron": "registratie"}]}
UNWIND $rows AS row
MATCH (c:Casus {id: row.case_id})
MERGE (b:Beleidsterrein {code: row.code})
MERGE (c)-[r:VALT_ONDER]->(b)
SET r.bron = row.bron
