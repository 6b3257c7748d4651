from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from casusgraaf.api.deps import GraphDep, SettingsDep
from casusgraaf.api.schemas import CypherOut, ExtractOut
from casusgraaf.services.analysis import run_cypher
from casusgraaf.services.search import run_extract

router = APIRouter(tags=["analyse"])


class CypherIn(BaseModel):
    query: str = Field(..., description="Alleen-lezen Cypher.")
    params: dict = Field(default_factory=dict)
    limit: int = Field(1000, ge=1, le=10000)


@router.post("/cypher", summary="Alleen-lezen Cypher; schrijvende queries krijgen 403 en veranderen niets")
def cypher(body: CypherIn, store: GraphDep, settings: SettingsDep) -> CypherOut:
    rows = run_cypher(store, settings, body.query, body.params, limit=body.limit)
    return CypherOut(rows=rows, truncated=rows.truncated)


class ExtractIn(BaseModel):
    text: str = Field(..., min_length=1)
    jaar: int | None = None


@router.post("/extract", summary="Entiteiten (wetten, organisaties, leefgebieden, knelpunten, leerpunten) met posities")
def extract(body: ExtractIn, settings: SettingsDep) -> ExtractOut:
    return ExtractOut.model_validate(run_extract(settings, body.text, body.jaar))
