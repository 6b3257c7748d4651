"""What each role may see, applied where the data leaves the service layer (docs/SECURITY.md, roles).

Only users with a text role (:data:`casusgraaf.accounts.TEXT_ROLES`: regievoerder, beheerder) see case text
in any form: ``tekst``, the title (it quotes the case), sentences (``zinnen``), the solution section of a
similar case (``wat_werkte``), snippets, surfaces and offsets into the text, a knelpunt's free description, and
leerpunten that the NLP lifted out of the text (``bron: extractie``: their text *is* a sentence of the case).
Analysts and ambassadeurs get the same answers with those fields removed: ids, codes, names from the
taxonomies and gazetteers, leerpunten as registered with their follow-up, dates and counts. Similar search
exists to show text, so it refuses them outright (:func:`require_text`). ``viewer=None`` (the CLI, internal
callers) sees everything.
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
    """A case reference (list row, a leerpunt's case) without its title (and without the account that
    registered it: that is for the case team)."""
    if sees_text(viewer) or not ({"titel", "regievoerder"} & c.keys()):
        return c
    return {**{k: v for k, v in c.items() if k != "regievoerder"}, "titel": None}


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



def _own_case(lp: dict[str, Any], viewer: User) -> bool:
    """A regievoerder's own leerpunt: one of its cases was registered by them, or has no registering account
    (imported history: the team's shared caseload, sharpened together in the signalenoverleg)."""
    cases = lp.get("casussen") or []
    return not cases or any(c.get("regievoerder") in (None, viewer.naam) for c in cases)


def may_change_leerpunt(lp: dict[str, Any], viewer: User | None) -> bool:
    """Beheerders change every leerpunt; a regievoerder those of their own cases (:func:`_own_case`); an
    ambassadeur those owned (``eigenaren``) by the ministry or organisation of their scope."""
    if viewer is None or "beheerder" in viewer.rollen:
        return True
    if "regievoerder" in viewer.rollen and _own_case(lp, viewer):
        return True
    if "ambassadeur" not in viewer.rollen or not viewer.scope:
        return False
    return viewer.scope.casefold() in {str(o.get("naam", "")).casefold() for o in lp.get("eigenaren") or []}


def require_change(lp: dict[str, Any], viewer: User | None) -> None:
    if viewer is not None and "regievoerder" in viewer.rollen and not may_change_leerpunt(lp, viewer):
        raise Forbidden(f"leerpunt {lp['id']} hoort bij een casus die een andere regievoerder registreerde; die "
                        "regievoerder of een beheerder legt de opvolging vast")
    if not may_change_leerpunt(lp, viewer):
        owners = ", ".join(o["naam"] for o in lp.get("eigenaren") or []) or "niet belegd"
        scope = viewer.scope if viewer is not None else None
        raise Forbidden(f"leerpunt {lp['id']} is belegd bij {owners}; met uw scope ({scope or 'geen'}) mag u "
                        "alleen leerpunten van uw eigen ministerie of organisatie wijzigen")
