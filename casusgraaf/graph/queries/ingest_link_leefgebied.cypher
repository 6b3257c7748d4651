// params: {"rows": [{"case_id": "2024-001", "naam": "financiën", "bron": "registratie", "methode": "registratie", "confidence": 1.0, "surfaces": [], "starts": [], "ends": []}]}
UNWIND $rows AS row
MATCH (c:Casus {id: row.case_id})
MERGE (l:Leefgebied {naam: row.naam})
MERGE (c)-[r:BETREFT_LEEFGEBIED]->(l)
SET r.bron = row.bron, r.methode = row.methode, r.confidence = row.confidence,
    r.surfaces = row.surfaces, r.starts = row.starts, r.ends = row.ends
