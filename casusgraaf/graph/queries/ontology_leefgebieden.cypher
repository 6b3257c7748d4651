// params: {"rows": [{"naam": "financiën", "lijsten": ["ac2023", "jr2024"]}]}
UNWIND $rows AS row
MERGE (l:Leefgebied {naam: row.naam})
SET l.lijsten = row.lijsten
