"""The ontology in models/schema.yaml is what ingest writes: no undeclared property, no declared one that
nothing writes. A fully registered record (every field of the case record set) is ingested for real."""

from __future__ import annotations

import json

from casusgraaf.models import vocabulary
from casusgraaf.services.ingest import ingest_paths

FULL = {
    "id": "2024-900", "titel": "Wajong en bijzondere bijstand", "jaar": 2024, "status": "afgerond",
    "datum_aanmelding": "2024-03-02", "datum_afronding": "2024-05-20",
    "indiener": {"type": "gemeente", "organisatie": "Gemeente Eikendam", "aangesloten": True},
    "beleidsterreinen": ["SZW", "VWS"], "leefgebieden": ["financiën", "wonen"],
    "knelpunten": [{"taxonomie": "jr2024", "categorie": "Wet- en regelgeving", "subtype": "lacunes",
                    "omschrijving": "De Participatiewet en de Wajong sluiten niet op elkaar aan."}],
    "wetten": ["Participatiewet"], "organisaties": ["UWV"], "interventies": ["netwerkfunctie"],
    "let_ingezet": False, "op_ingezet": False, "kon_verder": "ja", "uitkomst": "kon verder",
    "doelgroep": ["jongvolwassene"],
    "leerpunten": [{"tekst": "Leg de samenloop van Wajong en bijstand vast in een werkinstructie.",
                    "belegd_bij": "SZW", "status": "in verkenning", "status_code": "IN_VERKENNING",
                    "categorie": "Wet- en regelgeving", "orde": "tweede", "soort": "leerpunt",
                    "id": "LP2024-900-A", "datum": "2024-05-27", "directie": "directie Participatie",
                    "teruggelegd_via": "SZW", "doorgegeven_aan": ["UWV"], "terugkerend_van": "LP2019-001-ID",
                    "al_bekend": True, "beleidstraject": "werkagenda", "geverifieerd": True,
                    "stelselvraagstuk": False,
                    "opvolging": [{"datum": "2024-06-10", "code": "IN_VERKENNING", "tekst": "In verkenning.",
                                   "bron": "ambassadeursoverleg", "wie": "ambassadeur SZW"}]}],
    "regievoerder": "rita", "afgewezen": [{"soort": "organisatie", "naam": "Belastingdienst"}],
    "tekst": ("Een jongvolwassene in Eikendam kreeg na afwijzing van de Wajong-aanvraag door het UWV geen inkomen. "
              "De gemeente vroeg bijzondere bijstand aan op grond van artikel 35 Participatiewet. De schulden "
              "liepen op en de huur kwam in gevaar. Leerpunt: het UWV en de gemeente moeten eerder overleggen."),
}
# A second, sparse record lets extraction fill in facts (bron extractie, spans) and extracted leerpunten.
SPARSE = {"id": "2024-901", "jaar": 2024, "tekst": FULL["tekst"]}


def _written(store) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    nodes: dict[str, set[str]] = {}
    for row in store.run("MATCH (n) RETURN labels(n) AS labels, keys(n) AS keys"):
        for label in row["labels"]:
            nodes.setdefault(label, set()).update(row["keys"])
    rels: dict[str, set[str]] = {}
    for row in store.run("MATCH ()-[r]->() RETURN type(r) AS t, keys(r) AS keys"):
        rels.setdefault(row["t"], set()).update(row["keys"])
    return nodes, rels


def test_ingest_writes_exactly_what_the_schema_declares(fresh_env, tmp_path):
    settings, store = fresh_env
    src = tmp_path / "vol.jsonl"
    src.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in (FULL, SPARSE)) + "\n", encoding="utf-8")
    report = ingest_paths(store, settings, [src])
    assert report.ingested == 2, report.to_dict()
    schema = vocabulary.schema()
    nodes, rels = _written(store)

    for label, written in nodes.items():
        assert label in schema["nodes"], f"label {label} is written but not declared"
        props = schema["nodes"][label]["properties"]
        declared = {p for p, spec in props.items() if spec.get("alleen_in") != "projectie"}
        assert written <= declared, f"{label}: written but not declared: {sorted(written - declared)}"
        assert declared <= written, f"{label}: declared but never written: {sorted(declared - written)}"
    assert set(schema["nodes"]) <= set(nodes), f"declared labels never written: {set(schema['nodes']) - set(nodes)}"
    # the projection's bookkeeping (alleen_in: projectie) is written there, by the sync after the ingest
    from casusgraaf.graph.projection import Projection

    with Projection(store, settings) as projection:
        projection.ensure_current()
        state = projection.recorded_state()
    only_there = {p for p, spec in schema["nodes"]["Meta"]["properties"].items() if spec.get("alleen_in")}
    assert only_there == {"knopen", "relaties"} and state is not None and only_there <= set(state)

    for rel, written in rels.items():
        assert rel in schema["relationships"], f"relationship {rel} is written but not declared"
        declared = set(schema["relationships"][rel].get("properties") or {})
        assert written <= declared, f"{rel}: written but not declared: {sorted(written - declared)}"
        assert declared <= written, f"{rel}: declared but never written: {sorted(declared - written)}"


def test_every_fact_kind_names_a_declared_relationship_and_label():
    schema = vocabulary.schema()
    for fk in vocabulary.fact_kinds().values():
        assert fk.relationship in schema["relationships"], fk
        assert fk.label in schema["nodes"], fk
        assert fk.query, fk
