"""Login and logout for the pages: /login (form and POST), POST /logout.

The login form carries a CSRF token that is also in a short-lived cookie (double submit: a page on another
site can neither read nor set it). A good password starts a server-side session (casusgraaf.accounts) in an
``HttpOnly``, ``SameSite=Lax`` cookie, ``Secure`` over https or with CASUSGRAAF_COOKIE_SECURE. Failed
logins are rate limited per name and recorded in the audit trail, like logins.
"""

from __future__ import annotations

import hmac
import secrets
from pathlib import Path

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from casusgraaf.accounts import User
from casusgraaf.api.deps import SESSION_COOKIE

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=Path(__file__).parent.parent / "web" / "templates")

LOGIN_CSRF_COOKIE = "cg_login"
LOGIN_ATTEMPTS_PER_MINUTE = 10


def _secure(request: Request) -> bool:
    return request.url.scheme == "https" or request.app.state.settings.cookie_secure


def safe_next(target: str | None) -> str:
    """Only a path on this site (``/…``, not ``//host`` or ``/\\host``): no open redirect after login."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")) or len(target) > 500:
        return "/"
    return target


def landing(user: User, target: str) -> str:
    """Where to go after login: ``target``, but a user without case access starts at the agenda."""
    if target == "/" and not user.has_any({"regievoerder", "analist", "beheerder"}):
        return "/agenda"
    return target


def _form(request: Request, error: str | None = None, status: int = 200, naam: str = "",
          target: str = "/") -> Response:
    token = secrets.token_urlsafe(24)
    resp = templates.TemplateResponse(request, "login.html", {
        "error": error, "login_csrf": token, "naam": naam, "next": target,
        "lokale_modus": request.app.state.accounts.empty(),
        "idle": request.app.state.settings.session_idle_minutes}, status_code=status)
    resp.set_cookie(LOGIN_CSRF_COOKIE, token, max_age=3600, path="/login", httponly=True, samesite="strict",
                    secure=_secure(request))
    return resp


def _audit(request: Request, user: str, role: str, action: str, what: dict, result: str = "ok") -> None:
    log = getattr(request.app.state, "audit", None)
    if log is not None:
        log.record(user, role, action, what, [], result)


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str | None = None) -> Response:
    return _form(request, target=safe_next(next))


@router.post("/login", response_class=HTMLResponse)
def login(request: Request, naam: str = Form("", max_length=100), wachtwoord: str = Form("", max_length=1024),
          csrf_token: str = Form("", max_length=200), next: str = Form("/", max_length=500)) -> Response:
    state = request.app.state
    target = safe_next(next)
    naam = naam.strip().lower()
    expected = request.cookies.get(LOGIN_CSRF_COOKIE)
    if not expected or not hmac.compare_digest(csrf_token, expected):
        return _form(request, "Het inlogformulier is verlopen; probeer het opnieuw.", 403, naam, target)
    if state.accounts.empty():
        return _form(request, "Er zijn nog geen accounts (lokale modus); maak er een met "
                              "'casusgraaf gebruiker add NAAM --rol beheerder'.", 400, naam, target)
    wait = state.limiter.take(f"login:{naam}", "login", LOGIN_ATTEMPTS_PER_MINUTE)
    if wait:
        resp = _form(request, f"Te veel inlogpogingen voor deze naam; probeer het over {wait} s opnieuw.", 429,
                     naam, target)
        resp.headers["Retry-After"] = str(wait)
        return resp
    user = state.accounts.verify_password(naam, wachtwoord) if naam and wachtwoord else None
    if user is None:
        known = naam in state.accounts.names()
        who = naam if known else "onbekend"
        what = {} if known else {"naam_hash": state.audit.text_hash(naam) if getattr(state, "audit", None) else None}
        _audit(request, who, "onbekend", "inloggen_mislukt", what, "geweigerd")
        return _form(request, "Onbekende naam of onjuist wachtwoord (of het account staat uit).", 401, naam, target)
    sid, _session = state.sessions.create(user.naam)
    _audit(request, user.naam, user.rol, "inloggen", {"via": "formulier"})
    resp = RedirectResponse(landing(user, target), status_code=303)
    resp.set_cookie(SESSION_COOKIE, sid, path="/", httponly=True, samesite="lax", secure=_secure(request))
    resp.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return resp


@router.post("/logout")
def logout(request: Request, csrf_token: str = Form("", max_length=200)) -> Response:
    """End the session (its CSRF token must match: another site cannot log you out) and go to /login."""
    sid = request.cookies.get(SESSION_COOKIE)
    session = request.app.state.sessions.get(sid) if sid else None
    if session is not None and not hmac.compare_digest(csrf_token, session.csrf):
        return RedirectResponse("/", status_code=303)
    if sid:
        request.app.state.sessions.delete(sid)
    resp = RedirectResponse("/login", status_code=303)
    resp.delete_cookie(SESSION_COOKIE, path="/")
    return resp
