// params: {"rows": [{"case_id": "2024-001", "naam": "UWV", "soort": "landelijke publieke dienstverlener", "bron": "registratie", "methode": "registratie", "confidence": 1.0, "surfaces": [], "starts": [], "ends": []}]}
UNWIND $rows AS row
MATCH (c:Casus {id: row.case_id})
MERGE (o:Organisatie {naam: row.naam})
SET o.soort = coalesce(o.soort, row.soort)
MERGE (c)-[r:BETROKKEN]->(o)
SET r.bron = row.bron, r.methode = row.methode, r.confidence = row.confidence,
    r.surfaces = row.surfaces, r.starts = row.starts, r.ends = row.ends
