from __future__ import annotations

from fastapi import APIRouter

from casusgraaf import __version__
from casusgraaf.api.deps import GraphDep
from casusgraaf.graph import load_query

router = APIRouter(tags=["systeem"])


@router.get("/health", summary="Gezondheid: graaf bereikbaar, aantal casussen")
def health(store: GraphDep) -> dict:
    n = store.run(load_query("cases_count"), {"jaar_van": None, "jaar_tot": None})[0]["n"]
    return {"status": "ok", "version": __version__, "backend": store.backend, "cases": n}
