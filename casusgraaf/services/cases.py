"""Reading cases: lists, one case with its entities and leerpunten, the health figures."""

from __future__ import annotations

from casusgraaf.accounts import User
from casusgraaf.errors import NotFound
from casusgraaf.graph import GraphStore, load_query
from casusgraaf.services import views


def list_cases(store: GraphStore, jaar: int | None = None, page: int = 1, per_page: int = 20,
               viewer: User | None = None) -> dict:
    """A page of cases (id, titel, jaar, indiener, uitkomst); without titles for a viewer without a text role."""
    params = {"jaar_van": jaar, "jaar_tot": jaar}
    total = store.run(load_query("cases_count"), params)[0]["n"]
    rows = store.run(load_query("cases_list"), {**params, "skip": (page - 1) * per_page, "limit": per_page})
    return {"total": total, "page": page, "per_page": per_page, "cases": [views.untitled(r, viewer) for r in rows]}


def case_detail(store: GraphStore, case_id: str, viewer: User | None = None) -> dict:
    """One case with its entities and leerpunten; without text for a ``viewer`` without a text role."""
    rows = store.run(load_query("case_detail"), {"id": case_id})
    if not rows:
        raise NotFound(f"casus {case_id} bestaat niet")
    case = rows[0]
    case["entiteiten"] = store.run(load_query("case_entities"), {"ids": [case_id]})
    case["leerpunten"] = store.run(load_query("case_leerpunten"), {"ids": [case_id]})
    return views.case(case, viewer)


def count_cases(store: GraphStore) -> int:
    return int(store.run(load_query("cases_count"), {"jaar_van": None, "jaar_tot": None})[0]["n"])
