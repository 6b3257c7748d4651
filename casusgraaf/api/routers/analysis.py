from __future__ import annotations

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field

from casusgraaf.api.deps import GraphDep
from casusgraaf.graph.guard import run_readonly
from casusgraaf.search.service import SearchRefused, gate_text

router = APIRouter(tags=["analyse"])


class CypherIn(BaseModel):
    query: str = Field(..., description="Alleen-lezen Cypher.")
    params: dict = Field(default_factory=dict)
    limit: int = Field(1000, ge=1, le=10000)


@router.post("/cypher", summary="Alleen-lezen Cypher; schrijvende queries krijgen 403 en veranderen niets")
def cypher(body: CypherIn, store: GraphDep) -> dict:
    return {"rows": run_readonly(store, body.query, body.params, limit=body.limit)}


class ExtractIn(BaseModel):
    text: str = Field(..., min_length=1)
    jaar: int | None = None


@router.post("/extract", summary="Entiteiten (wetten, organisaties, leefgebieden, knelpunten, leerpunten) met posities")
def extract(body: ExtractIn) -> dict:
    from casusgraaf.ingest.nlp import extract as run_extract

    try:
        text = gate_text(body.text)
    except SearchRefused as exc:
        raise HTTPException(422, str(exc)) from None
    return {"entities": [e.to_dict() for e in run_extract(text, jaar=body.jaar)], "redacted": text != body.text}
