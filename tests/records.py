"""Shared test data: one invented case record that fills every field of the case record format.

The privacy tests plant values in each of its fields; a field added to the record format without a value here
makes `test_record_slots_cover_every_string_the_record_stores` and the leak tests fail.
"""

from __future__ import annotations

import copy
from typing import Any

_FULL: dict[str, Any] = {
    "id": "2023-042", "titel": "Geen ID, geen rekening", "jaar": 2023, "status": "afgerond",
    "datum_aanmelding": "2023-03-01", "datum_afronding": "2023-05-02",
    "indiener": {"type": "gemeente", "organisatie": "Gemeente Eikendam", "aangesloten": True},
    "beleidsterreinen": ["BZK", "SZW"], "leefgebieden": ["financiën"], "wetten": ["Wet BRP"],
    "organisaties": ["SVB", "Dienst Toeslagen"], "interventies": ["dzm"], "doelgroep": ["dakloos"],
    "knelpunten": [{"taxonomie": "jr2023", "categorie": "Wet- en regelgeving", "subtype": "stapeling",
                    "omschrijving": "Zonder geldig identiteitsbewijs stokte de bijstand."}],
    "let_ingezet": False, "op_ingezet": True, "kon_verder": "ja", "uitkomst": "kan verder",
    "leerpunten": [{"id": "LP-2023-042-a", "tekst": "Maak bekend dat een identiteitsonderzoek kan.",
                    "datum": "2023-05-02", "belegd_bij": ["BZK", "bewindvoerder"], "directie": "DG Overheid",
                    "status": "aangekaart bij de ambassadeur", "status_code": "DOORGEGEVEN",
                    "categorie": "Uitvoering", "orde": "tweede", "soort": "leerpunt",
                    "teruggelegd_via": "ambassadeursoverleg", "doorgegeven_aan": ["RvIG"],
                    "terugkerend_van": "LP-2021-007-b", "al_bekend": False, "beleidstraject": "Werk aan Uitvoering",
                    "geverifieerd": True, "stelselvraagstuk": False,
                    "opvolging": [{"datum": "2023-06-01", "code": "DOORGEGEVEN", "tekst": "besproken met BZK",
                                   "bron": "ambassadeursoverleg", "wie": "RvIG"}]}],
    "tekst": "Een man in Eikendam heeft geen geldig identiteitsbewijs. De bewindvoerder schakelde het Loket in.",
    "afgewezen": [{"soort": "organisatie", "naam": "UWV"}], "regievoerder": "rita",
}


def full_record(**overrides: Any) -> dict[str, Any]:
    """A fresh deep copy of the full record, with top-level ``overrides``."""
    return {**copy.deepcopy(_FULL), **overrides}
