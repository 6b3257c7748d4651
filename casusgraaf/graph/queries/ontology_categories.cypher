// params: {"rows": [{"id": "jr2024:overige", "taxonomie": "jr2024", "code": "Overige", "naam": "Overige", "niveau": null, "beschrijving": null}]}
UNWIND $rows AS row
MERGE (k:KnelpuntCategorie {id: row.id})
SET k.taxonomie = row.taxonomie, k.code = row.code, k.naam = row.naam, k.niveau = row.niveau,
    k.beschrijving = row.beschrijving
