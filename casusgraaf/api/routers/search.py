from __future__ import annotations

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel, Field

from casusgraaf.api.deps import EngineDep, FiltersDep, GraphDep, SettingsDep
from casusgraaf.search.service import SearchRefused, run_similar
from casusgraaf.search.similar import Filters, SearchError
from casusgraaf.search.similar import Query as SimilarQuery

router = APIRouter(tags=["zoeken"])


class SimilarIn(BaseModel):
    text: str | None = Field(None, description="Beschrijving van een nieuwe casus (gaat eerst door de privacy-poort).")
    case_ids: list[str] = Field(default_factory=list, description="Bestaande casussen als zoekvraag.")
    k: int = Field(10, ge=1, le=100)
    filters: Filters = Field(default_factory=Filters)


@router.post("/similar", summary="Vergelijkbare casussen voor een tekst of een set casussen")
def similar(body: SimilarIn, store: GraphDep, engine: EngineDep, settings: SettingsDep) -> dict:
    if bool(body.text and body.text.strip()) == bool(body.case_ids):
        raise HTTPException(422, "geef precies één van 'text' of 'case_ids'")
    q = SimilarQuery(case_ids=body.case_ids, text=body.text, k=body.k, filters=body.filters)
    try:
        return run_similar(store, q, settings, engine)
    except SearchRefused as exc:
        raise HTTPException(422, str(exc)) from None
    except SearchError as exc:
        raise HTTPException(404, str(exc)) from None


@router.get("/search", summary="Trefwoorden met gemarkeerde fragmenten en facetten (jaar, leefgebied, wet, …)")
def search(engine: EngineDep, filters: FiltersDep,
           q: str = Query(..., min_length=2, description="Trefwoorden; alle moeten voorkomen."),
           limit: int = Query(20, ge=1, le=200), offset: int = Query(0, ge=0)) -> dict:
    from casusgraaf.search.keyword import keyword_search

    return keyword_search(engine, q, filters, limit=limit, offset=offset)
