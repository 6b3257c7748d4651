"""What each role may see, applied where the data leaves the service layer (docs/SECURITY.md, roles).

Only users with a text role (:data:`casusgraaf.accounts.TEXT_ROLES`: regievoerder, beheerder) see case text
in any form: ``tekst``, the title (it quotes the case), sentences (``zinnen``), snippets, surfaces and offsets
into the text, a knelpunt's free description, and leerpunten that the NLP lifted out of the text (``bron:
extractie``: their text *is* a sentence of the case). Analysts and ambassadeurs get the same answers with
those fields removed: ids, codes, names from the taxonomies and gazetteers, leerpunten as registered with
their follow-up, dates and counts. ``viewer=None`` (the
CLI, internal callers) sees everything.
"""

from __future__ import annotations

from typing import Any

from casusgraaf.accounts import User
from casusgraaf.errors import Forbidden

TEXT_ONLY = "(tekst uit de casus; alleen voor regievoerders)"
_SPAN_KEYS = ("surfaces", "starts", "ends")


def sees_text(viewer: User | None) -> bool:
    return viewer is None or viewer.sees_text


def require_text(viewer: User | None, what: str) -> None:
    """Refuse a use case that exists to show case text (similar search, keyword snippets)."""
    if not sees_text(viewer):
        raise Forbidden(f"{what} toont casustekst; dat mogen alleen regievoerders en beheerders")


def untitled(c: dict[str, Any], viewer: User | None) -> dict[str, Any]:
    """A case reference (list row, a leerpunt's case) without its title."""
    return c if sees_text(viewer) or "titel" not in c else {**c, "titel": None}


def leerpunt(lp: dict[str, Any], viewer: User | None) -> dict[str, Any]:
    """A leerpunt (any shape: list, detail, agenda, case) without text lifted from a case or case titles."""
    if sees_text(viewer):
        return lp
    out = dict(lp)
    if lp.get("bron") == "extractie":
        out["tekst"] = TEXT_ONLY
    if "casussen" in lp:
        out["casussen"] = [untitled(c, viewer) for c in lp["casussen"] or []]
    return out


def leerpunten(items: list[dict[str, Any]], viewer: User | None) -> list[dict[str, Any]]:
    return [leerpunt(lp, viewer) for lp in items]


def entity(e: dict[str, Any]) -> dict[str, Any]:
    """An entity link without positions or surfaces in the text, and a knelpunt without its description."""
    out = {k: v for k, v in e.items() if k not in _SPAN_KEYS}
    if out.get("rel") == "HEEFT_KNELPUNT":
        out["artikel"] = None  # holds the knelpunt's free-text omschrijving
    return out


def case(c: dict[str, Any], viewer: User | None) -> dict[str, Any]:
    """One case (``services.cases.case_detail``) as ``viewer`` may see it."""
    if sees_text(viewer):
        return c
    out = {k: v for k, v in c.items() if k not in ("tekst", "titel")}
    out["entiteiten"] = [entity(e) for e in c.get("entiteiten", [])]
    out["leerpunten"] = leerpunten(c.get("leerpunten", []), viewer)
    return out



def may_change_leerpunt(lp: dict[str, Any], viewer: User | None) -> bool:
    """Regievoerders and beheerders change every leerpunt; an ambassadeur only those owned (``eigenaren``)
    by the ministry or organisation of their scope."""
    if viewer is None or viewer.has_any({"regievoerder", "beheerder"}):
        return True
    if "ambassadeur" not in viewer.rollen or not viewer.scope:
        return False
    return viewer.scope.casefold() in {str(o.get("naam", "")).casefold() for o in lp.get("eigenaren") or []}


def require_change(lp: dict[str, Any], viewer: User | None) -> None:
    if not may_change_leerpunt(lp, viewer):
        owners = ", ".join(o["naam"] for o in lp.get("eigenaren") or []) or "niet belegd"
        scope = viewer.scope if viewer is not None else None
        raise Forbidden(f"leerpunt {lp['id']} is belegd bij {owners}; met uw scope ({scope or 'geen'}) mag u "
                        "alleen leerpunten van uw eigen ministerie of organisatie wijzigen")
