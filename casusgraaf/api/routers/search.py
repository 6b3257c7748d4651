from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel, Field

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
from casusgraaf.api.schemas import KeywordOut, SimilarOut
from casusgraaf.services.search import Filters, run_keyword, run_similar
from casusgraaf.services.search import Query as SimilarQuery

router = APIRouter(tags=["zoeken"])


class SimilarIn(BaseModel):
    text: str | None = Field(None, description="Beschrijving van een nieuwe casus (gaat eerst door de privacy-poort).")
    case_ids: list[str] = Field(default_factory=list, description="Bestaande casussen als zoekvraag.")
    k: int = Field(10, ge=1, le=100)
    filters: Filters = Field(default_factory=Filters)


@router.post("/similar", summary="Vergelijkbare casussen voor een tekst of een set casussen",
             dependencies=[requires("regievoerder", "beheerder"), limited("similar")])
def similar(body: SimilarIn, store: GraphDep, engine: EngineDep, settings: SettingsDep, user: CurrentUser,
            audit: AuditDep) -> SimilarOut:
    if bool(body.text and body.text.strip()) == bool(body.case_ids):
        raise HTTPException(422, "geef precies één van 'text' of 'case_ids'")
    q = SimilarQuery(case_ids=body.case_ids, text=body.text, k=body.k, filters=body.filters)
    what: dict[str, Any] = {"tekst_hash": audit.text_hash(body.text)} if body.text else {"case_ids": body.case_ids[:50]}
    what.update(k=body.k, filters=body.filters.model_dump(exclude_defaults=True))
    out = run_similar(store, settings, q, engine, user)
    audit("zoeken", what, [r["case_id"] for r in out["results"]])
    return SimilarOut.model_validate(out)


@router.get("/search", summary="Trefwoorden met gemarkeerde fragmenten en facetten (jaar, leefgebied, wet, …)",
            dependencies=[requires("regievoerder", "beheerder")])
def search(engine: EngineDep, settings: SettingsDep, filters: FiltersDep, user: CurrentUser, audit: AuditDep,
           q: str = Query(..., min_length=2, description="Trefwoorden; alle moeten voorkomen."),
           limit: int = Query(20, ge=1, le=200), offset: int = Query(0, ge=0)) -> KeywordOut:
    out = run_keyword(engine, settings, q, filters, limit=limit, offset=offset, viewer=user)
    audit("trefwoorden", {"q_hash": audit.text_hash(q), "filters": filters.model_dump(exclude_defaults=True),
                          "offset": offset}, [h["case_id"] for h in out["hits"]])
    return KeywordOut.model_validate(out)
