"""The four roles and the user as the rest of the code sees it."""

from __future__ import annotations

from dataclasses import dataclass, field

from casusgraaf.errors import BadInput

ROLES = {
    "regievoerder": "casussen met gepseudonimiseerde tekst, vergelijkbare casussen, leerpunten",
    "analist": "aggregaten, codes en samenvattingen, alleen-lezen Cypher over een tekstvrije graaf; nooit tekst",
    "ambassadeur": "patronen, de agenda, leerpunten; status wijzigen binnen het eigen ministerie of de "
                   "eigen organisatie (scope); nooit tekst",
    "beheerder": "accounts, quarantaine, inlezen, audit; ziet alles wat een regievoerder ziet",
}
"""Role → what it may do (docs/SECURITY.md has the route table)."""

TEXT_ROLES = frozenset({"regievoerder", "beheerder"})
"""Roles that may read (pseudonymised) case text: sentences, snippets, spans. The others get codes and
aggregates only, enforced in the service layer."""


def check_role(rol: str) -> str:
    """The role name, or :class:`BadInput` naming the valid ones."""
    r = rol.strip().lower()
    if r not in ROLES:
        raise BadInput(f"rol '{rol[:40]}' bestaat niet; kies uit {', '.join(ROLES)}")
    return r


@dataclass(frozen=True)
class User:
    """An authenticated user. ``scope``: the canonical ministry or organisation of an ambassadeur."""

    naam: str
    rollen: frozenset[str]
    scope: str | None = None
    lokaal: bool = False
    token_id: str | None = field(default=None, compare=False)

    @property
    def sees_text(self) -> bool:
        return bool(self.rollen & TEXT_ROLES)

    def has_any(self, roles: frozenset[str] | set[str]) -> bool:
        return bool(self.rollen & roles)

    @property
    def rol(self) -> str:
        """The roles as one string, comma-separated (as the audit trail records them)."""
        return ",".join(sorted(self.rollen))


LOCAL_USER = User(naam="lokaal", rollen=frozenset(ROLES), lokaal=True)
"""The implicit user of *lokale modus* (no accounts): every role, loopback only."""
