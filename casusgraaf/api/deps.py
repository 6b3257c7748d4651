"""Dependencies as typed aliases: routers read like their docs.

Authentication and roles: every route declares who may call it with ``dependencies=[requires("analist",
"beheerder")]`` (tests/test_roles.py fails on a route without one, apart from the few open routes).
``CurrentUser`` is the user of the request: from ``Authorization: Bearer <token>`` (scripts, the API), from
the session cookie (pages and their JSON twins), or the implicit local user when the data dir has no
accounts (*lokale modus*). No or bad credentials: :class:`LoginRequired` (401 under /api, a redirect to
/login on pages); a role that may not: 403.
"""

from __future__ import annotations

import hmac
import json
from typing import Annotated, Any, Literal

from fastapi import Depends, HTTPException, Query, Request

from casusgraaf.accounts import LOCAL_USER, User
from casusgraaf.config import Settings
from casusgraaf.graph import GraphStore
from casusgraaf.services.search import Filters, SearchEngine


def get_settings_dep(request: Request) -> Settings:
    return request.app.state.settings


def get_graph(request: Request) -> GraphStore:
    return request.app.state.store


def get_engine(request: Request) -> SearchEngine:
    state = request.app.state
    with state.engine_lock:
        if state.engine is None:
            state.engine = SearchEngine(state.store, state.settings)
    return state.engine


def filters_from_query(jaar_van: int | None = None, jaar_tot: int | None = None, wet: list[str] = Query([]),
                       organisatie: list[str] = Query([]), leefgebied: list[str] = Query([]),
                       knelpunt: list[str] = Query([]), indiener_type: str | None = None,
                       uitkomst: str | None = None) -> Filters:
    """Search filters from query parameters (list parameters repeat: ``?wet=Wmo 2015&wet=Jeugdwet``)."""
    return Filters(jaar_van=jaar_van, jaar_tot=jaar_tot, wet=wet, organisatie=organisatie, leefgebied=leefgebied,
                   knelpunt=knelpunt, indiener_type=indiener_type, uitkomst=uitkomst)


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
GraphDep = Annotated[GraphStore, Depends(get_graph)]
EngineDep = Annotated[SearchEngine, Depends(get_engine)]
FiltersDep = Annotated[Filters, Depends(filters_from_query)]


# -- authentication and roles ------------------------------------------------------------------------

SESSION_COOKIE = "cg_sessie"
ALL_ROLES = ("regievoerder", "analist", "ambassadeur", "beheerder")
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


CLI_USER = User(naam="cli:lokaal", rollen=frozenset({"beheerder"}))
"""Who a CLI command is on a running server (the token of ``api.json``); the audit records this name."""


class LoginRequired(Exception):
    """No valid credentials: 401 with ``WWW-Authenticate: Bearer`` under /api, a redirect to /login on pages."""


def current_user(request: Request) -> User:
    """The user of this request (cached per request by FastAPI); sets ``request.state.user`` and, for pages,
    ``request.state.csrf`` (the token forms send back) and ``request.state.lokaal``."""
    state = request.app.state
    if state.accounts.empty():
        request.state.user, request.state.csrf, request.state.lokaal = LOCAL_USER, state.local_csrf, True
        request.state.via = "lokaal"
        return LOCAL_USER
    header = request.headers.get("authorization")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise LoginRequired("gebruik 'Authorization: Bearer <token>' (maak een token met "
                                "'casusgraaf gebruiker token NAAM')")
        cli_token = getattr(state, "cli_token", None)
        if cli_token and hmac.compare_digest(token.strip().encode(), cli_token.encode()):
            # A CLI command on this machine (cli/_remote.py): it read the token from the private api.json, so
            # it can read the data dir itself; it acts as the beheerder it already is.
            request.state.user, request.state.via = CLI_USER, "cli"
            return CLI_USER
        user = state.accounts.verify_token(token.strip())
        if user is None:
            raise LoginRequired("dit token is onbekend of ingetrokken, of het account staat uit")
        request.state.user, request.state.via = user, "token"
        return user
    sid = request.cookies.get(SESSION_COOKIE)
    if sid:
        session = state.sessions.get(sid)
        found = state.accounts.get(session.naam) if session is not None else None
        if session is not None and found is None:  # account switched off: the session ends now
            state.sessions.delete(sid)
        if found is not None and session is not None:
            request.state.user, request.state.csrf, request.state.via = found, session.csrf, "sessie"
            return found
        raise LoginRequired("uw sessie is verlopen; log opnieuw in")
    raise LoginRequired("inloggen vereist (pagina's: /login; API: 'Authorization: Bearer <token>')")


CurrentUser = Annotated[User, Depends(current_user)]


async def _check_csrf(request: Request, user: User) -> None:
    """A state-changing request with a session cookie must carry the session's CSRF token (form field
    ``csrf_token`` or header ``X-CSRF-Token``). Tokens and lokale modus are not cookie-borne: the security
    middleware refuses cross-site requests for them (Origin / Sec-Fetch-Site)."""
    if getattr(request.state, "via", None) != "sessie":
        return
    given = request.headers.get("x-csrf-token")
    if given is None and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")):
        value = (await request.form()).get("csrf_token")
        given = value if isinstance(value, str) else None
    if not given or not hmac.compare_digest(given, request.state.csrf):
        raise HTTPException(403, "het formulier is verlopen of komt niet van deze site (CSRF-token ontbreekt of "
                                 "klopt niet); herlaad de pagina en probeer het opnieuw")


def requires(*roles: str) -> Any:
    """``Depends`` for a route that users with any of ``roles`` may call (403 for the others)."""
    allowed = frozenset(roles)

    async def check(request: Request, user: CurrentUser) -> User:
        if not user.has_any(allowed):
            raise HTTPException(403, f"uw rol ({user.rol.replace(',', ', ')}) geeft geen toegang tot dit "
                                     f"onderdeel; toegestaan: {', '.join(sorted(allowed))}")
        if request.method not in SAFE_METHODS:
            await _check_csrf(request, user)
        return user

    check.roles = allowed  # type: ignore[attr-defined]  # read by tests/test_roles.py
    return Depends(check)


def limited(kind: Literal["cypher", "similar"]) -> Any:
    """``Depends`` for a per-user rate limit (settings ``rate_limit_<kind>`` per minute): 429 + Retry-After."""

    def check(request: Request, user: CurrentUser) -> None:
        per_minute = getattr(request.app.state.settings, f"rate_limit_{kind}")
        wait = request.app.state.limiter.take(user.naam, kind, per_minute)
        if wait:
            what = {"cypher": "Cypher-query's", "similar": "zoekvragen naar vergelijkbare casussen"}[kind]
            raise HTTPException(429, f"te veel {what}: maximaal {per_minute} per minuut per gebruiker "
                                     f"(CASUSGRAAF_RATE_LIMIT_{kind.upper()}); probeer het over {wait} s opnieuw",
                                headers={"Retry-After": str(wait)})

    return Depends(check)


# -- audit ---------------------------------------------------------------------------------------------

class Audit:
    """Records one action of the current user in the audit trail (casusgraaf.audit); free text goes in as
    :meth:`text_hash`, never as itself."""

    def __init__(self, request: Request, user: User) -> None:
        self.log = getattr(request.app.state, "audit", None)
        self.user = user

    def text_hash(self, text: str) -> str | None:
        return self.log.text_hash(text) if self.log is not None else None

    def __call__(self, action: str, what: dict[str, Any], result_ids: list[str] | None = None,
                 result: str = "ok") -> None:
        if self.log is None:
            return
        from casusgraaf.audit import AuditRefused

        ids = list(result_ids or [])
        try:
            self.log.record(self.user.naam, self.user.rol, action, what, ids, result)
        except AuditRefused:  # user input in ``what`` (a filter, an id) that the audit may not hold: its hash
            self.log.record(self.user.naam, self.user.rol, action,
                            {"what_hash": self.log.text_hash(json.dumps(what, sort_keys=True, default=str))}, ids,
                            result)


def audit_dep(request: Request, user: CurrentUser) -> Audit:
    return Audit(request, user)


AuditDep = Annotated[Audit, Depends(audit_dep)]
