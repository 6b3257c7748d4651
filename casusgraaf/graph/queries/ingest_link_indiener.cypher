// params: {"rows": [{"case_id": "2024-001", "naam": "Gemeente Eikendam", "soort": "gemeente", "aangesloten": true}]}
UNWIND $rows AS row
MATCH (c:Casus {id: row.case_id})
MERGE (o:Organisatie {naam: row.naam})
SET o.soort = coalesce(o.soort, row.soort), o.aangesloten = coalesce(row.aangesloten, o.aangesloten)
MERGE (c)-[r:INGEDIEND_DOOR]->(o)
SET r.bron = 'registratie'
