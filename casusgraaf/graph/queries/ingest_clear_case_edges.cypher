// params: {"rows": [{"id": "2024-001"}]}
UNWIND $rows AS row
MATCH (c:Casus {id: row.id})-[r]->()
DELETE r
