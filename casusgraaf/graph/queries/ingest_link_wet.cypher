// params: {"rows": [{"case_id": "2024-001", "naam": "Participatiewet", "soort": "wet", "bwb_id": null, "bron": "registratie", "methode": "registratie", "confidence": 1.0, "artikel": null, "surfaces": [], "starts": [], "ends": []}]}
UNWIND $rows AS row
MATCH (c:Casus {id: row.case_id})
MERGE (w:Wet {naam: row.naam})
SET w.soort = coalesce(w.soort, row.soort), w.bwb_id = coalesce(w.bwb_id, row.bwb_id)
MERGE (c)-[r:RAAKT_WET]->(w)
SET r.bron = row.bron, r.methode = row.methode, r.confidence = row.confidence, r.artikel = row.artikel,
    r.surfaces = row.surfaces, r.starts = row.starts, r.ends = row.ends
