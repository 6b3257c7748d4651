"""Roles: every route declares who may call it (the walker), a matrix of every route × every role × no
credentials, no case text for analysts and ambassadeurs in any response, the ambassadeur's scope on
leerpunt changes, and the rate limits. On the real sample corpus (shared, read-only: nothing here writes)."""

from __future__ import annotations

import html
import json

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from casusgraaf.accounts import ROLES, AccountStore
from casusgraaf.api.app import create_app

# Routes anyone may call: health, login/logout, the API documentation and static files.
OPEN = {("GET", "/api/health"), ("GET", "/login"), ("POST", "/login"), ("POST", "/logout"), ("GET", "/docs"),
        ("GET", "/redoc"), (None, "/openapi.json"), (None, "/static"), (None, "/docs-assets")}
SCOPE = "SZW"
WINDOW = 30


def _roles_of(dependant) -> frozenset[str] | None:
    for d in dependant.dependencies:
        if hasattr(d.call, "roles"):
            return d.call.roles
        found = _roles_of(d)
        if found is not None:
            return found
    return None


def route_table(app: FastAPI) -> list[tuple[str | None, str, frozenset[str] | None]]:
    """(method, path, declared roles) of every route; method None for a mount or a plain Starlette route."""
    out: list[tuple[str | None, str, frozenset[str] | None]] = []
    for r in app.routes:
        items = list(r.effective_route_contexts()) if hasattr(r, "effective_route_contexts") else [r]
        for c in items:
            if getattr(c, "dependant", None) is None:
                out.append((None, c.path, None))
                continue
            out.extend((m, c.path, _roles_of(c.dependant)) for m in sorted(c.methods))
    return out


def undeclared(app: FastAPI) -> list[str]:
    return [f"{m or '*'} {p}" for m, p, roles in route_table(app) if roles is None and (m, p) not in OPEN]


def test_every_route_declares_its_roles():
    from casusgraaf.config import Settings

    app = create_app(Settings())
    table = route_table(app)
    assert len(table) >= 35
    assert undeclared(app) == [], "routes without requires(...): declare the roles (api/deps.py)"
    for _m, p, roles in table:
        assert roles is None or roles <= set(ROLES), p


def test_the_walker_sees_an_undeclared_route():
    from casusgraaf.api.deps import requires
    from casusgraaf.config import Settings

    app = create_app(Settings())
    app.get("/api/vergeten")(lambda: {})
    app.get("/api/goed", dependencies=[requires("analist")])(lambda: {})
    assert undeclared(app) == ["GET /api/vergeten"]
    assert ("GET", "/api/goed", frozenset({"analist"})) in route_table(app)


# -- the matrix on the sample corpus ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def env(corpus_env, tmp_path_factory):
    """The corpus app with one account per role (accounts, sessions and audit in a separate dir, so the
    shared corpus data dir stays in lokale modus for the other test modules)."""
    from casusgraaf.audit import AuditLog
    from casusgraaf.services import leerpunten as lp_svc

    settings, store, _ = corpus_env
    side = settings.model_copy(update={"data_dir": tmp_path_factory.mktemp("roles") / "data"})
    app = create_app(settings.model_copy(update={"warm_start": False}), store=store)
    app.state.accounts = accounts = AccountStore(side.data_dir)
    app.state.audit = AuditLog(side)
    tokens = {}
    for role in ROLES:
        accounts.add(role[:3], [role], None, scope=SCOPE if role == "ambassadeur" else None)
        tokens[role] = accounts.new_token(role[:3])
    items = lp_svc.list_leerpunten(store, settings)["leerpunten"]
    ours = next(lp["id"] for lp in items if [o["naam"] for o in lp["eigenaren"]] == [SCOPE])
    theirs = next(lp["id"] for lp in items if lp["eigenaren"] and SCOPE not in [o["naam"] for o in lp["eigenaren"]])
    cid = store.run("MATCH (c:Casus) RETURN c.id AS id ORDER BY c.id LIMIT 1")[0]["id"]
    texts = [r["t"] for r in store.run("MATCH (c:Casus) WHERE c.tekst IS NOT NULL RETURN c.tekst AS t")]
    # What analysts and ambassadeurs may see although the same words may stand in a text: the registered
    # summaries (leerpunten as registered and their follow-up; not the titles) and the vocabulary (laws, organisations,
    # leefgebieden, beleidsterreinen, knelpunt categories). Leerpunten lifted from the text are not among them.
    summaries = [r["t"] for r in store.run(
        "MATCH (x) WHERE (x:Wet OR x:Organisatie OR x:Leefgebied OR x:Beleidsterrein OR x:KnelpuntCategorie) "
        "AND x.naam IS NOT NULL RETURN x.naam AS t")]
    for lp in items:
        if lp.get("bron") != "extractie":
            summaries += [lp["tekst"] or ""] + [e.get("tekst") or "" for e in lp["opvolging"]]
    with TestClient(app, follow_redirects=False) as client:
        yield {"client": client, "tokens": tokens, "ours": ours, "theirs": theirs, "cid": cid, "texts": texts,
               "summaries": summaries, "items": items, "store": store, "settings": settings}


def requests_for(e: dict) -> dict[tuple[str, str], dict]:
    """One concrete request per declared route; write routes get a body that fails after the role and scope
    checks (an unknown status code, a leerpunt recurring from itself), so the matrix changes nothing."""
    cid, lid = e["cid"], e["ours"]
    return {
        ("GET", "/api/cases"): {},
        ("GET", "/api/cases/{case_id}"): {"url": f"/api/cases/{cid}"},
        ("GET", "/api/cases/{case_id}/similar"): {"url": f"/api/cases/{cid}/similar", "params": {"k": 3}},
        ("POST", "/api/similar"): {"json": {"case_ids": [cid], "k": 3}},
        ("GET", "/api/search"): {"params": {"q": "woonplaatsbeginsel"}},
        ("POST", "/api/cypher"): {"json": {"query": "MATCH (c:Casus) RETURN count(c) AS n"}},
        ("POST", "/api/extract"): {"json": {"text": "De gemeente vroeg bijzondere bijstand aan bij het UWV."}},
        ("GET", "/api/patronen/trends"): {},
        ("GET", "/api/patronen/samenloop"): {},
        ("GET", "/api/patronen/complexiteit"): {},
        ("GET", "/api/patronen/terugkerend"): {},
        ("GET", "/api/patronen/opkomend"): {},
        ("GET", "/api/patronen/{soort}/csv"): {"url": "/api/patronen/trends/csv"},
        ("GET", "/api/rapport/{jaar}"): {"url": "/api/rapport/2024"},
        ("GET", "/api/rapport/{jaar}/csv"): {"url": "/api/rapport/2024/csv"},
        ("GET", "/api/leerpunten"): {},
        ("GET", "/api/leerpunt-statussen"): {},
        ("GET", "/api/leerpunten/{leerpunt_id}"): {"url": f"/api/leerpunten/{lid}"},
        ("POST", "/api/leerpunten/{leerpunt_id}/status"): {"url": f"/api/leerpunten/{lid}/status",
                                                            "json": {"code": "BESTAAT_NIET", "tekst": "x"}},
        ("POST", "/api/leerpunten/{leerpunt_id}/koppel"): {"url": f"/api/leerpunten/{lid}/koppel",
                                                            "json": {"terugkerend_van": lid}},
        ("GET", "/api/leerpunten/{leerpunt_id}/suggesties"): {"url": f"/api/leerpunten/{lid}/suggesties"},
        ("GET", "/api/agenda"): {"params": {"suggesties": "false"}},
        ("GET", "/"): {},
        ("GET", "/casussen/{case_id}"): {"url": f"/casussen/{cid}"},
        ("GET", "/zoeken"): {},
        ("POST", "/zoeken"): {"data": {"tekst": "Een gezin met schulden viel tussen de Wmo en de Participatiewet.",
                                       "k": 3}},
        ("GET", "/trefwoorden"): {"params": {"q": "inburgering"}},
        ("GET", "/patronen"): {},
        ("GET", "/cijfers"): {},
        ("GET", "/cijfers/{jaar}"): {"url": "/cijfers/2024"},
        ("GET", "/leerpunten"): {},
        ("GET", "/leerpunten/{leerpunt_id}"): {"url": f"/leerpunten/{lid}"},
        ("GET", "/agenda"): {},
        ("GET", "/api/entiteiten/{soort}/{naam}"): {"url": "/api/entiteiten/wet/Participatiewet"},
        ("GET", "/api/entiteiten/{soort}/{naam}/csv"): {"url": "/api/entiteiten/wet/Participatiewet/csv"},
        ("GET", "/wetten/{naam}"): {"url": "/wetten/Participatiewet"},
        ("GET", "/organisaties/{naam}"): {"url": "/organisaties/UWV"},
        ("GET", "/leefgebieden/{naam}"): {"url": "/leefgebieden/wonen"},
        ("GET", "/api/audit"): {"params": {"per_page": 5}},
        ("GET", "/api/audit/csv"): {"params": {"actie": "cypher"}},
        ("GET", "/beheer/audit"): {},
        ("POST", "/api/cases/voorstellen"): {"json": {"tekst": "   "}},
        ("POST", "/api/cases"): {"json": {"tekst": "   "}},
        ("POST", "/api/cases/{case_id}/afronden"): {"url": f"/api/cases/{cid}/afronden",
                                                    "json": {"uitkomst": "opgelost", "kon_verder": "misschien"}},
        ("GET", "/api/vocabulaire/{soort}"): {"url": "/api/vocabulaire/wet", "params": {"q": "wmo"}},
        ("GET", "/casussen/nieuw"): {},
        ("POST", "/casussen/nieuw"): {"data": {"tekst": "   ", "actie": "voorstellen"}},
        ("GET", "/casussen/{case_id}/afronden"): {"url": f"/casussen/{cid}/afronden"},
        ("POST", "/casussen/{case_id}/afronden"): {"url": f"/casussen/{cid}/afronden",
                                                   "data": {"uitkomst": "opgelost", "kon_verder": "misschien"}},
    }


def call(client: TestClient, method: str, path: str, spec: dict, token: str | None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.request(method, spec.get("url", path), params=spec.get("params"), json=spec.get("json"),
                          data=spec.get("data"), headers=headers)


def test_matrix_every_route_every_role_and_no_credentials(env):
    client = env["client"]
    table = [(m, p, roles) for m, p, roles in route_table(client.app) if roles is not None]
    specs = requests_for(env)
    missing = [f"{m} {p}" for m, p, _ in table if (m, p) not in specs]
    assert not missing, f"the matrix has no request for: {missing}"
    wrong = []
    for m, p, roles in table:
        spec = specs[(m, p)]
        anon = call(client, m, p, spec, None)
        if p.startswith("/api"):
            ok = anon.status_code == 401
        else:
            ok = anon.status_code == 303 and anon.headers["location"].startswith("/login?next=")
        if not ok:
            wrong.append(f"{m} {p} without credentials: {anon.status_code}")
        for role, token in env["tokens"].items():
            r = call(client, m, p, spec, token)
            allowed = role in roles
            if allowed and (r.status_code in (401, 403) or r.status_code >= 500):
                wrong.append(f"{m} {p} as {role}: {r.status_code} (allowed) {r.text[:120]}")
            if not allowed and r.status_code != 403:
                wrong.append(f"{m} {p} as {role}: {r.status_code} (should be 403)")
    assert wrong == []


def _windows(texts: list[str]) -> set[str]:
    return {t[i:i + WINDOW] for t in texts for i in range(len(t) - WINDOW + 1)}


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in _strings(k) + _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def leaks(body: str, content_type: str, windows: set[str]) -> list[str]:
    """Every 30-character piece of case text in a response (JSON strings, or the unescaped HTML/CSV)."""
    parts = _strings(json.loads(body)) if content_type.startswith("application/json") else [html.unescape(body)]
    found = []
    for s in parts:
        for i in range(len(s) - WINDOW + 1):
            if s[i:i + WINDOW] in windows:
                found.append(s[i:i + WINDOW])
                break
    return found


def test_no_case_text_for_analist_and_ambassadeur(env):
    client, specs = env["client"], requests_for(env)
    windows = _windows(env["texts"]) - _windows([f" {s} " for s in env["summaries"]])  # with the spaces around
    assert len(windows) > 10000
    table = route_table(client.app)
    extracted = [lp["id"] for lp in env["items"] if lp.get("bron") == "extractie"]
    assert extracted, "the sample has leerpunten lifted from the text by the NLP"
    # The check can fail: the regievoerder's case view holds the text.
    mine = call(client, "GET", "", {"url": f"/api/cases/{env['cid']}"}, env["tokens"]["regievoerder"])
    assert leaks(mine.text, mine.headers["content-type"], windows)
    seen, problems = 0, []
    for role in ("analist", "ambassadeur"):
        token = env["tokens"][role]
        todo = [(m, p, specs[(m, p)]) for m, p, roles in table if roles and role in roles]
        todo += [("GET", "", {"url": f"/api/leerpunten/{x}"}) for x in extracted[:5]]
        todo += [("GET", "", {"url": f"/leerpunten/{x}"}) for x in extracted[:5]]
        if role == "analist":  # every case, as JSON and as page
            ids = [r["id"] for r in env["store"].run("MATCH (c:Casus) RETURN c.id AS id")]
            todo += [("GET", "", {"url": f"/api/cases/{i}"}) for i in ids]
            todo += [("GET", "", {"url": f"/casussen/{i}"}) for i in ids]
        for m, p, spec in todo:
            r = call(client, m, p, spec, token)
            if r.status_code in (301, 302, 303, 307, 308):
                continue
            seen += 1
            found = leaks(r.text, r.headers.get("content-type", ""), windows)
            if found:
                problems.append(f"{role} {m} {spec.get('url', p)}: {found[0]!r}")
    assert seen > 200
    assert problems == []


def test_ambassadeur_scope_on_leerpunt_changes(env):
    client, token = env["client"], env["tokens"]["ambassadeur"]
    auth = {"Authorization": f"Bearer {token}"}
    bad_code = {"code": "BESTAAT_NIET", "tekst": "x"}
    # Own ministry: past the scope check (then the unknown code is refused: nothing is written).
    ours = client.post(f"/api/leerpunten/{env['ours']}/status", json=bad_code, headers=auth)
    assert ours.status_code == 422 and "statuscode" in ours.json()["detail"]
    theirs = client.post(f"/api/leerpunten/{env['theirs']}/status", json=bad_code, headers=auth)
    assert theirs.status_code == 403 and SCOPE in theirs.json()["detail"]
    koppel = client.post(f"/api/leerpunten/{env['theirs']}/koppel", json={"terugkerend_van": env["ours"]},
                         headers=auth)
    assert koppel.status_code == 403
    # A regievoerder is not bound to a scope.
    reg = {"Authorization": f"Bearer {env['tokens']['regievoerder']}"}
    assert client.post(f"/api/leerpunten/{env['theirs']}/status", json=bad_code, headers=reg).status_code == 422


def test_rate_limits_answer_429_with_retry_after(env):
    from casusgraaf.accounts import RateLimiter

    app, client = env["client"].app, env["client"]
    settings = app.state.settings
    app.state.settings = settings.model_copy(update={"rate_limit_cypher": 2, "rate_limit_similar": 1})
    app.state.limiter = RateLimiter(clock=lambda: 0.0)
    try:
        auth = {"Authorization": f"Bearer {env['tokens']['analist']}"}
        q = {"query": "MATCH (c:Casus) RETURN count(c) AS n"}
        codes = [client.post("/api/cypher", json=q, headers=auth).status_code for _ in range(3)]
        assert codes == [200, 200, 429]
        r = client.post("/api/cypher", json=q, headers=auth)
        assert int(r.headers["retry-after"]) >= 1 and "per minuut" in r.json()["detail"]
        # Per user: the beheerder still has their own bucket.
        beh = {"Authorization": f"Bearer {env['tokens']['beheerder']}"}
        assert client.post("/api/cypher", json=q, headers=beh).status_code == 200
        sim = {"case_ids": [env["cid"]], "k": 3}
        assert [client.post("/api/similar", json=sim, headers=beh).status_code for _ in range(2)] == [200, 429]
    finally:
        app.state.settings = settings
        app.state.limiter = RateLimiter()
