// params: {"rows": [{"van": "ac2023:3", "naar": "jr2024:samenwerking"}]}
UNWIND $rows AS row
MATCH (a:KnelpuntCategorie {id: row.van}), (b:KnelpuntCategorie {id: row.naar})
MERGE (a)-[r:KOMT_OVEREEN_MET]->(b)
SET r.afgeleid = true
