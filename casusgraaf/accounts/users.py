"""The account file: users, roles, scope, argon2 password hashes, hashed API tokens.

``<data_dir>/accounts/gebruikers.json``, mode 0600 in a 0700 directory, rewritten atomically under an
exclusive lock (the CLI may change it while the server runs; the server re-reads it when it changed).
Passwords are hashed with argon2id (argon2-cffi); an API token is 32 random bytes, shown once and stored as
its sha256 (a high-entropy secret needs no slow hash).
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import secrets
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from casusgraaf.accounts.roles import User, check_role
from casusgraaf.errors import BadInput, NotFound
from casusgraaf.files import exclusive_lock, private_dir, write_private

NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,39}$")
MIN_PASSWORD = 12
TOKEN_PREFIX = "cg_"
_hasher = PasswordHasher()


@functools.cache
def _dummy() -> str:
    """Verified against when the name is unknown, so a wrong name costs as long as a wrong password. Made on
    first use, not at import: every CLI command imports this module, few verify a password."""
    return _hasher.hash(secrets.token_urlsafe(16))


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def resolve_scope(scope: str) -> str:
    """The canonical name of a ministry or organisation (``szw`` → ``SZW``, ``uwv`` → ``UWV``)."""
    from casusgraaf.models.resolve import get_resolver

    s = scope.strip()
    if not s or len(s) > 100:
        raise BadInput("--scope: geef de naam van een ministerie of organisatie (bv. SZW, UWV)")
    return str(get_resolver().organisatie(s)["naam"])


class AccountStore:
    """The users of one data dir. Every method re-reads the file when it changed on disk."""

    def __init__(self, data_dir: Path) -> None:
        self.dir = Path(data_dir) / "accounts"
        self.path = self.dir / "gebruikers.json"
        self._stamp: tuple[int, int] | None = None
        self._data: dict[str, Any] = {"gebruikers": {}}
        self._tokens: dict[str, str] = {}

    # -- reading ---------------------------------------------------------------------------------
    def _load(self) -> dict[str, Any]:
        try:
            st = self.path.stat()
        except FileNotFoundError:
            self._stamp, self._data, self._tokens = None, {"gebruikers": {}}, {}
            return self._data
        stamp = (st.st_mtime_ns, st.st_size)
        if stamp != self._stamp:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            self._data = data
            self._tokens = {t["sha256"]: naam for naam, u in data["gebruikers"].items() for t in u.get("tokens", [])}
            self._stamp = stamp
        return self._data

    def empty(self) -> bool:
        """No account at all: *lokale modus*."""
        return not self._load()["gebruikers"]

    def names(self) -> list[str]:
        return sorted(self._load()["gebruikers"])

    def get(self, naam: str) -> User | None:
        """The active user ``naam`` (None when unknown or disabled)."""
        u = self._load()["gebruikers"].get(naam)
        if u is None or not u.get("actief", True):
            return None
        return User(naam=naam, rollen=frozenset(u["rollen"]), scope=u.get("scope"))

    def list(self) -> list[dict[str, Any]]:
        """Every account without secrets: name, roles, scope, active, created, number of tokens."""
        out = []
        for naam, u in sorted(self._load()["gebruikers"].items()):
            out.append({"naam": naam, "rollen": sorted(u["rollen"]), "scope": u.get("scope"),
                        "actief": u.get("actief", True), "gemaakt": u.get("gemaakt"),
                        "wachtwoord": bool(u.get("wachtwoord")), "tokens": len(u.get("tokens", []))})
        return out

    def verify_password(self, naam: str, wachtwoord: str) -> User | None:
        """The user when ``wachtwoord`` is right and the account active; None otherwise (same cost)."""
        u = self._load()["gebruikers"].get(naam)
        stored = (u or {}).get("wachtwoord") or _dummy()
        try:
            _hasher.verify(stored, wachtwoord)
        except (VerificationError, InvalidHashError):
            return None
        if u is None or not u.get("wachtwoord"):
            return None
        if _hasher.check_needs_rehash(stored):
            self._update(naam, lambda rec: rec.update(wachtwoord=_hasher.hash(wachtwoord)))
        return self.get(naam)

    def verify_token(self, token: str) -> User | None:
        """The active user owning API token ``token``, or None (unknown, revoked, disabled)."""
        if not token.startswith(TOKEN_PREFIX):
            return None
        digest = token_hash(token)
        self._load()
        naam = self._tokens.get(digest)
        if naam is None:
            return None
        user = self.get(naam)
        if user is None:
            return None
        tid = next(t["id"] for t in self._data["gebruikers"][naam]["tokens"] if t["sha256"] == digest)
        return User(naam=user.naam, rollen=user.rollen, scope=user.scope, token_id=tid)

    # -- writing ---------------------------------------------------------------------------------
    def _update(self, naam: str | None, change) -> Any:
        """Apply ``change(record)`` (or ``change(users)`` when ``naam`` is None) under the lock and save."""
        private_dir(self.dir)
        with exclusive_lock(self.dir / ".lock"):
            self._stamp = None
            users = self._load()["gebruikers"]
            if naam is None:
                result = change(users)
            else:
                if naam not in users:
                    known = ", ".join(sorted(users)) or "geen"
                    raise NotFound(f"gebruiker '{naam[:40]}' bestaat niet (bestaande gebruikers: {known})")
                result = change(users[naam])
            write_private(self.path, json.dumps({"versie": 1, "gebruikers": users}, ensure_ascii=False, indent=1))
            self._stamp = None
        return result

    def add(self, naam: str, rollen: Iterable[str], wachtwoord: str | None, scope: str | None = None) -> dict:
        """A new account; ambassadeurs need a scope. Returns the public record."""
        naam = naam.strip().lower()
        if not NAME.match(naam):
            raise BadInput(f"gebruikersnaam '{naam[:40]}': 2-40 tekens, kleine letters, cijfers, punt, streepje "
                           "of liggend streepje, beginnend met een letter of cijfer")
        roles = sorted({check_role(r) for r in rollen})
        if not roles:
            raise BadInput("geef minstens één rol (--rol)")
        scope_name = resolve_scope(scope) if scope else None
        if "ambassadeur" in roles and not scope_name:
            raise BadInput("een ambassadeur heeft een scope nodig: --scope MINISTERIE_OF_ORGANISATIE (bv. SZW)")
        hashed = _hasher.hash(_check_password(wachtwoord)) if wachtwoord is not None else None

        def create(users: dict) -> None:
            if naam in users:
                raise BadInput(f"gebruiker '{naam}' bestaat al; wijzig rollen met 'casusgraaf gebruiker rol'")
            users[naam] = {"rollen": roles, "scope": scope_name, "wachtwoord": hashed, "actief": True,
                           "gemaakt": _now(), "tokens": []}

        self._update(None, create)
        return next(u for u in self.list() if u["naam"] == naam)

    def set_password(self, naam: str, wachtwoord: str) -> None:
        hashed = _hasher.hash(_check_password(wachtwoord))
        self._update(naam, lambda rec: rec.update(wachtwoord=hashed))

    def disable(self, naam: str) -> None:
        """Switch the account off: no login, its tokens stop working (its sessions end at the next request)."""
        self._update(naam, lambda rec: rec.update(actief=False))

    def set_roles(self, naam: str, add: Iterable[str] = (), remove: Iterable[str] = (),
                  scope: str | None = None) -> dict:
        plus = {check_role(r) for r in add}
        minus = {check_role(r) for r in remove}
        scope_name = resolve_scope(scope) if scope else None

        def change(rec: dict) -> None:
            roles = (set(rec["rollen"]) | plus) - minus
            if not roles:
                raise BadInput("een gebruiker houdt minstens één rol; zet het account uit met "
                               "'casusgraaf gebruiker disable'")
            if scope_name:
                rec["scope"] = scope_name
            if "ambassadeur" in roles and not rec.get("scope"):
                raise BadInput("een ambassadeur heeft een scope nodig: --scope MINISTERIE_OF_ORGANISATIE")
            rec["rollen"] = sorted(roles)

        self._update(naam, change)
        return next(u for u in self.list() if u["naam"] == naam)

    def new_token(self, naam: str) -> str:
        """A new API token for ``naam``: returned once, only its hash is kept."""
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        entry = {"id": "t_" + secrets.token_hex(4), "sha256": token_hash(token), "gemaakt": _now()}

        def change(rec: dict) -> None:
            if not rec.get("actief", True):
                raise BadInput(f"gebruiker '{naam}' staat uit; een token heeft dan geen zin")
            rec.setdefault("tokens", []).append(entry)

        self._update(naam, change)
        return token

    def revoke_tokens(self, naam: str) -> int:
        """Revoke every API token of ``naam``; returns how many there were."""
        def change(rec: dict) -> int:
            n = len(rec.get("tokens", []))
            rec["tokens"] = []
            return n

        return int(self._update(naam, change))


def _check_password(wachtwoord: str | None) -> str:
    if wachtwoord is None or len(wachtwoord) < MIN_PASSWORD:
        raise BadInput(f"het wachtwoord is te kort: minstens {MIN_PASSWORD} tekens")
    if len(wachtwoord) > 1024:
        raise BadInput("het wachtwoord is te lang (maximaal 1024 tekens)")
    return wachtwoord
