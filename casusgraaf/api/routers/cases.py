from __future__ import annotations

from fastapi import APIRouter, Query

from casusgraaf.api.deps import (
    AuditDep,
    CurrentUser,
    EngineDep,
    FiltersDep,
    GraphDep,
    SettingsDep,
    limited,
    requires,
)
from casusgraaf.api.schemas import CaseDetail, CaseList, SimilarOut
from casusgraaf.services.cases import case_detail, list_cases
from casusgraaf.services.search import Query as SimilarQuery
from casusgraaf.services.search import run_similar

router = APIRouter(tags=["casussen"])


@router.get("/cases", summary="Casussen, gepagineerd; filter op jaar",
            dependencies=[requires("regievoerder", "analist", "beheerder")])
def cases(store: GraphDep, user: CurrentUser, jaar: int | None = None, page: int = Query(1, ge=1),
          per_page: int = Query(20, ge=1, le=200)) -> CaseList:
    return CaseList.model_validate(list_cases(store, jaar, page, per_page, user))


@router.get("/cases/{case_id}", summary="Eén casus met entiteiten (met herkomst en posities) en leerpunten; "
            "analisten krijgen geen tekst, posities of zinnen", dependencies=[requires("regievoerder", "analist", "beheerder")])
def case(case_id: str, store: GraphDep, user: CurrentUser, audit: AuditDep) -> CaseDetail:
    out = CaseDetail.model_validate(case_detail(store, case_id, user))
    audit("casus_bekijken", {"casus": case_id, "tekst": user.sees_text}, [case_id])
    return out


@router.get("/cases/{case_id}/similar", summary="Vergelijkbare casussen voor een bestaande casus",
            dependencies=[requires("regievoerder", "beheerder"), limited("similar")])
def case_similar(case_id: str, store: GraphDep, engine: EngineDep, settings: SettingsDep, filters: FiltersDep,
                 user: CurrentUser, audit: AuditDep, k: int = Query(10, ge=1, le=100)) -> SimilarOut:
    q = SimilarQuery(case_ids=[case_id], k=k, filters=filters)
    out = run_similar(store, settings, q, engine, user)
    audit("zoeken", {"case_ids": [case_id], "k": k, "filters": filters.model_dump(exclude_defaults=True)},
          [r["case_id"] for r in out["results"]])
    return SimilarOut.model_validate(out)
