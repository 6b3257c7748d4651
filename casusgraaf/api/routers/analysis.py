from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import BaseModel, Field, StringConstraints

from casusgraaf.api.deps import AuditDep, CurrentUser, GraphDep, SettingsDep, limited, requires
from casusgraaf.api.schemas import CypherOut, ExtractOut
from casusgraaf.services.analysis import run_cypher
from casusgraaf.services.search import run_extract

router = APIRouter(tags=["analyse"])


class CypherIn(BaseModel):
    query: str = Field(..., description="Alleen-lezen Cypher.")
    # Names as Cypher identifiers: the FalkorDB client writes them unescaped into its "CYPHER name=value" header
    # (an empty name was a 500 there; found by tests/test_schemathesis.py).
    params: dict[Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")], Any] = Field(
        default_factory=dict, description="Parameters ($naam); namen zijn Cypher-identifiers.")
    limit: int = Field(1000, ge=1, le=10000)


@router.post("/cypher", summary="Alleen-lezen Cypher; schrijvende queries krijgen 403 en veranderen niets",
             dependencies=[requires("analist", "beheerder"), limited("cypher")])
def cypher(body: CypherIn, store: GraphDep, settings: SettingsDep, user: CurrentUser, audit: AuditDep) -> CypherOut:
    rows = run_cypher(store, settings, body.query, body.params, limit=body.limit, viewer=user)
    audit("cypher", {"query_hash": audit.text_hash(body.query), "rijen": len(rows), "limit": body.limit})
    return CypherOut(rows=rows, truncated=rows.truncated)


class ExtractIn(BaseModel):
    text: str = Field(..., min_length=1)
    jaar: int | None = None


@router.post("/extract", summary="Entiteiten (wetten, organisaties, leefgebieden, knelpunten, leerpunten) met posities",
             dependencies=[requires("regievoerder", "analist", "beheerder")])
def extract(body: ExtractIn, settings: SettingsDep) -> ExtractOut:
    return ExtractOut.model_validate(run_extract(settings, body.text, body.jaar))
