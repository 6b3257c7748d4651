from __future__ import annotations

from fastapi import APIRouter

from casusgraaf import __version__
from casusgraaf.api.deps import GraphDep
from casusgraaf.api.schemas import Health
from casusgraaf.services.cases import count_cases

router = APIRouter(tags=["systeem"])


@router.get("/health", summary="Gezondheid: graaf bereikbaar, aantal casussen")
def health(store: GraphDep) -> Health:
    return Health(status="ok", version=__version__, backend=store.backend, cases=count_cases(store))
