from __future__ import annotations

from fastapi import APIRouter, Query

from casusgraaf.api.deps import EngineDep, FiltersDep, GraphDep, SettingsDep
from casusgraaf.api.schemas import CaseDetail, CaseList, SimilarOut
from casusgraaf.services.cases import case_detail, list_cases
from casusgraaf.services.search import Query as SimilarQuery
from casusgraaf.services.search import run_similar

router = APIRouter(tags=["casussen"])


@router.get("/cases", summary="Casussen, gepagineerd; filter op jaar")
def cases(store: GraphDep, jaar: int | None = None, page: int = Query(1, ge=1),
          per_page: int = Query(20, ge=1, le=200)) -> CaseList:
    return CaseList.model_validate(list_cases(store, jaar, page, per_page))


@router.get("/cases/{case_id}", summary="Eén casus met entiteiten (met herkomst en posities) en leerpunten")
def case(case_id: str, store: GraphDep) -> CaseDetail:
    return CaseDetail.model_validate(case_detail(store, case_id))


@router.get("/cases/{case_id}/similar", summary="Vergelijkbare casussen voor een bestaande casus")
def case_similar(case_id: str, store: GraphDep, engine: EngineDep, settings: SettingsDep, filters: FiltersDep,
                 k: int = Query(10, ge=1, le=100)) -> SimilarOut:
    q = SimilarQuery(case_ids=[case_id], k=k, filters=filters)
    return SimilarOut.model_validate(run_similar(store, settings, q, engine))
