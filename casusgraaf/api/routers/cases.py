from __future__ import annotations

from fastapi import APIRouter, HTTPException, Query

from casusgraaf.api.deps import EngineDep, FiltersDep, GraphDep, SettingsDep
from casusgraaf.graph import load_query
from casusgraaf.search.service import run_similar
from casusgraaf.search.similar import Query as SimilarQuery
from casusgraaf.search.similar import SearchError

router = APIRouter(tags=["casussen"])


def list_cases(store, jaar: int | None, page: int, per_page: int) -> dict:
    params = {"jaar_van": jaar, "jaar_tot": jaar}
    total = store.run(load_query("cases_count"), params)[0]["n"]
    rows = store.run(load_query("cases_list"), {**params, "skip": (page - 1) * per_page, "limit": per_page})
    return {"total": total, "page": page, "per_page": per_page, "cases": rows}


def case_detail(store, case_id: str) -> dict:
    rows = store.run(load_query("case_detail"), {"id": case_id})
    if not rows:
        raise HTTPException(404, f"casus {case_id} bestaat niet")
    case = rows[0]
    case["entiteiten"] = store.run(load_query("case_entities"), {"ids": [case_id]})
    case["leerpunten"] = store.run(load_query("case_leerpunten"), {"ids": [case_id]})
    return case


@router.get("/cases", summary="Casussen, gepagineerd; filter op jaar")
def cases(store: GraphDep, jaar: int | None = None, page: int = Query(1, ge=1),
          per_page: int = Query(20, ge=1, le=200)) -> dict:
    return list_cases(store, jaar, page, per_page)


@router.get("/cases/{case_id}", summary="Eén casus met entiteiten (met herkomst en posities) en leerpunten")
def case(case_id: str, store: GraphDep) -> dict:
    return case_detail(store, case_id)


@router.get("/cases/{case_id}/similar", summary="Vergelijkbare casussen voor een bestaande casus")
def case_similar(case_id: str, store: GraphDep, engine: EngineDep, settings: SettingsDep, filters: FiltersDep,
                 k: int = Query(10, ge=1, le=100)) -> dict:
    q = SimilarQuery(case_ids=[case_id], k=k, filters=filters)
    try:
        return run_similar(store, q, settings, engine)
    except SearchError as exc:
        raise HTTPException(404, str(exc)) from None
