// params: {"rows": [{"id": "2024-001", "props": {"tekst": "...", "jaar": 2024, "hash": "abc"}}]}
UNWIND $rows AS row
MERGE (c:Casus {id: row.id})
SET c += row.props
