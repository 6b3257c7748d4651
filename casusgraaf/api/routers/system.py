from __future__ import annotations

from fastapi import APIRouter, Request

from casusgraaf import __version__
from casusgraaf.api.deps import GraphDep
from casusgraaf.api.schemas import Health
from casusgraaf.services.cases import count_cases

router = APIRouter(tags=["systeem"])


@router.get("/health", summary="Gezondheid: graaf bereikbaar, aantal casussen; 'warming' zolang modellen laden")
def health(request: Request, store: GraphDep) -> Health:
    warm = getattr(request.app.state, "warm", None)
    status = "warming" if warm is not None and request.app.state.settings.warm_start and not warm.done.is_set() \
        else "ok"
    return Health(status=status, version=__version__, backend=store.backend, cases=count_cases(store))
