"""Accounts, roles, sessions and rate limits (issue 12).

* ``users``: the account file ``<data_dir>/accounts/gebruikers.json`` (0600): names, roles, an ambassadeur's
  scope, argon2 password hashes and sha256 hashes of API tokens (a token is shown once, never stored);
* ``sessions``: server-side page sessions ``<data_dir>/accounts/sessies.json`` with an idle timeout;
* ``ratelimit``: a token bucket per user and kind (Cypher, similar search), in memory per process.

No accounts at all = *lokale modus*: one implicit local user with every role (:data:`LOCAL_USER`); the
server then only listens on loopback. Nothing here knows HTTP.
"""

from __future__ import annotations

from casusgraaf.accounts.ratelimit import RateLimiter
from casusgraaf.accounts.roles import LOCAL_USER, ROLES, TEXT_ROLES, User, check_role
from casusgraaf.accounts.sessions import Session, SessionStore
from casusgraaf.accounts.users import AccountStore

__all__ = ["LOCAL_USER", "ROLES", "TEXT_ROLES", "AccountStore", "RateLimiter", "Session", "SessionStore", "User",
           "check_role"]
