"""Security headers on every response and a cross-site check on every state-changing request.

* ``Content-Security-Policy``: scripts, styles, images and forms only from this site, no inline script or
  style, no framing (``frame-ancestors 'none'``); the offline /docs and /redoc get inline styles (Swagger
  UI and ReDoc set them), a downloaded report its own inline CSS by hash (:func:`inline_style_csp`);
* ``X-Content-Type-Options: nosniff``, ``Referrer-Policy: same-origin``, ``X-Frame-Options: DENY``;
* ``Cache-Control: no-store`` on everything but static files: a page with case text stays out of caches;
* a POST/PUT/PATCH/DELETE that a browser marks as cross-site (``Sec-Fetch-Site``) or whose ``Origin`` is
  another host is refused with 403 before it reaches a route. This protects the API tokens' and *lokale
  modus*'s doors; forms with a session cookie also carry a CSRF token (api/deps.py).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from urllib.parse import urlsplit

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
       "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
DOCS_CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
            "font-src 'self' data:; worker-src 'self' blob:; connect-src 'self'; object-src 'none'; "
            "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
DOCS_PATHS = ("/docs", "/redoc")
STATIC_PREFIXES = ("/static/", "/docs-assets/")
FIXED = {"x-content-type-options": "nosniff", "referrer-policy": "same-origin", "x-frame-options": "DENY",
         "cross-origin-opener-policy": "same-origin"}
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_STYLE = re.compile(r"<style>(.*?)</style>", re.S)


def inline_style_csp(html: str) -> str:
    """The CSP for a self-contained document whose only inline content is its ``<style>`` blocks (by hash)."""
    hashes = " ".join("'sha256-" + base64.b64encode(hashlib.sha256(m.group(1).encode("utf-8")).digest()).decode()
                      + "'" for m in _STYLE.finditer(html))
    return CSP.replace("style-src 'self'", f"style-src 'self' {hashes}".rstrip())


def cross_site(scope: Scope) -> bool:
    """A browser said this request comes from another site (Sec-Fetch-Site), or its Origin is another host."""
    headers = Headers(scope=scope)
    if headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
        return True
    origin = headers.get("origin")
    if not origin or origin == "null":
        return False
    return urlsplit(origin).netloc.lower() != headers.get("host", "").lower()


class SecurityMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        if scope["method"] not in SAFE_METHODS and cross_site(scope):
            body = json.dumps({"detail": "verzoek van een andere site geweigerd (CSRF-bescherming); gebruik "
                                         "casusgraaf zelf of de API met een token"}).encode()
            await send({"type": "http.response.start", "status": 403,
                        "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})
            return
        csp = DOCS_CSP if path in DOCS_PATHS else CSP
        static = path.startswith(STATIC_PREFIXES)

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for k, v in FIXED.items():
                    headers.setdefault(k, v)
                headers.setdefault("content-security-policy", csp)
                if not static:
                    headers.setdefault("cache-control", "no-store")
            await send(message)

        await self.app(scope, receive, with_headers)
