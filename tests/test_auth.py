"""Authentication: lokale modus, login/logout with CSRF, session cookies and idle timeout, API tokens,
security headers, and the `serve` host check. Real app in-process, real argon2, an empty embedded graph."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from casusgraaf.accounts import AccountStore, RateLimiter
from casusgraaf.api.app import create_app
from casusgraaf.cli import app as cli_app
from tests.conftest import make_settings

PASSWORD = "correct-horse-battery"
TEMPLATES = Path(__file__).resolve().parent.parent / "casusgraaf" / "api" / "web" / "templates"


class Clock:
    def __init__(self, t: float = 1_000_000.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


@pytest.fixture(scope="module")
def graph(tmp_path_factory):
    """One empty embedded graph for the module; each test has its own data dir for accounts and sessions."""
    from casusgraaf.graph import open_store

    store = open_store(make_settings(tmp_path_factory.mktemp("authgraph") / "data"))
    yield store
    store.close()


@pytest.fixture
def fresh_app_dir(tmp_path, graph):
    return make_settings(tmp_path / "data", warm_start=False), graph


@pytest.fixture
def app_env(fresh_app_dir):
    settings, store = fresh_app_dir
    app = create_app(settings, store=store)
    app.state.sessions.clock = clock = Clock()
    with TestClient(app, follow_redirects=False) as client:
        yield settings, app, client, clock


def _csrf(html: str) -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert m, "no CSRF field in the form"
    return m.group(1)


def login(client: TestClient, naam: str = "bea", wachtwoord: str = PASSWORD, next_: str = "/"):
    form = client.get("/login", params={"next": next_})
    return client.post("/login", data={"naam": naam, "wachtwoord": wachtwoord, "csrf_token": _csrf(form.text),
                                       "next": next_})


def test_lokale_modus_open_with_banner_then_login_required(app_env):
    settings, _app, client, _ = app_env
    page = client.get("/")
    assert page.status_code == 200 and "Lokale modus" in page.text
    assert client.get("/api/cases").status_code == 200
    AccountStore(settings.data_dir).add("bea", ["beheerder"], PASSWORD)
    api = client.get("/api/cases")
    assert api.status_code == 401 and api.headers["www-authenticate"] == "Bearer"
    page = client.get("/leerpunten", params={"status": "OPEN"})
    assert page.status_code == 303 and page.headers["location"] == "/login?next=%2Fleerpunten%3Fstatus%3DOPEN"
    assert client.get("/api/health").status_code == 200  # stays open
    assert client.get("/login").status_code == 200
    assert client.get("/static/style.css").status_code == 200


def test_login_sets_a_safe_cookie_and_logout_ends_the_session(app_env):
    settings, app, client, _ = app_env
    AccountStore(settings.data_dir).add("bea", ["regievoerder"], PASSWORD)
    bad = login(client, wachtwoord="verkeerd-wachtwoord")
    assert bad.status_code == 401 and "Onbekende naam of onjuist wachtwoord" in bad.text
    assert "cg_sessie" not in client.cookies
    unknown = login(client, naam="niemand")
    assert unknown.status_code == 401
    ok = login(client, next_="/leerpunten")
    assert ok.status_code == 303 and ok.headers["location"] == "/leerpunten"
    cookie = next(h for h in ok.headers.get_list("set-cookie") if h.startswith("cg_sessie="))
    flags = {f.strip().lower() for f in cookie.split(";")[1:]}
    assert {"httponly", "samesite=lax", "path=/"} <= flags and "secure" not in flags  # plain http here
    sid = client.cookies["cg_sessie"]
    assert sid not in (settings.data_dir / "accounts" / "sessies.json").read_text()  # only its hash is kept
    from casusgraaf.audit import AuditLog

    log = AuditLog(settings).records()
    assert [(r["user"], r["action"], r["result"]) for r in log] == [
        ("bea", "inloggen_mislukt", "geweigerd"), ("onbekend", "inloggen_mislukt", "geweigerd"),
        ("bea", "inloggen", "ok")]
    assert log[0]["role"] == "onbekend" and log[2]["role"] == "regievoerder"
    assert "niemand" not in json.dumps(log) and PASSWORD not in json.dumps(log)  # an unknown name only hashed
    page = client.get("/")
    assert page.status_code == 200 and "bea" in page.text and "Uitloggen" in page.text
    assert "Lokale modus" not in page.text
    assert client.get("/api/cases").status_code == 200  # the JSON twins work with the session too
    # Logout needs the session's CSRF token; without it nothing happens.
    client.post("/logout", data={"csrf_token": "fout"})
    assert client.get("/").status_code == 200
    out = client.post("/logout", data={"csrf_token": _csrf(page.text)})
    assert out.status_code == 303 and out.headers["location"] == "/login"
    client.cookies.set("cg_sessie", sid)  # the old id is dead on the server, not just forgotten by the browser
    assert client.get("/").status_code == 303


def test_secure_cookie_over_https_or_by_setting(fresh_app_dir):
    settings, store = fresh_app_dir
    AccountStore(settings.data_dir).add("bea", ["beheerder"], PASSWORD)
    with TestClient(create_app(settings, store=store), base_url="https://testserver", follow_redirects=False) as c:
        ok = login(c)
        assert ok.status_code == 303
        cookie = next(h for h in ok.headers.get_list("set-cookie") if h.startswith("cg_sessie="))
        assert "secure" in cookie.lower()
    # Behind a TLS proxy the app sees http: the setting marks the cookies Secure anyway.
    behind = settings.model_copy(update={"cookie_secure": True})
    with TestClient(create_app(behind, store=store), follow_redirects=False) as c:
        assert "secure" in c.get("/login").headers["set-cookie"].lower()


def test_csrf_refusals(app_env):
    settings, _app, client, _ = app_env
    AccountStore(settings.data_dir).add("bea", ["beheerder"], PASSWORD)
    form = client.get("/login")
    no_token = client.post("/login", data={"naam": "bea", "wachtwoord": PASSWORD, "csrf_token": ""})
    assert no_token.status_code == 403 and "cg_sessie" not in client.cookies
    client.cookies.delete("cg_login", path="/login")
    foreign = client.post("/login", data={"naam": "bea", "wachtwoord": PASSWORD, "csrf_token": _csrf(form.text)})
    assert foreign.status_code == 403  # a token without its cookie (a form posted from elsewhere)
    assert login(client).status_code == 303
    page = client.get("/zoeken")
    # A state-changing call with the session cookie needs the session's token (form field or header).
    body = {"code": "BESTAAT_NIET", "tekst": "x"}
    refused = client.post("/api/leerpunten/LP-x/status", json=body)
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
    passed = client.post("/api/leerpunten/LP-x/status", json=body, headers={"X-CSRF-Token": _csrf(page.text)})
    assert passed.status_code == 404  # past the CSRF check; the leerpunt does not exist
    assert client.post("/zoeken", data={"tekst": "x", "k": 3}).status_code == 403
    # Cross-site writes are refused before any route, whatever the credentials.
    token = AccountStore(settings.data_dir).new_token("bea")
    for headers in ({"Origin": "https://elders.example"}, {"Sec-Fetch-Site": "cross-site"}):
        r = client.post("/api/leerpunten/LP-x/status", json=body,
                        headers={**headers, "Authorization": f"Bearer {token}"})
        assert r.status_code == 403 and "andere site" in r.json()["detail"]
    same = client.post("/api/leerpunten/LP-x/status", json=body,
                       headers={"Origin": "http://testserver", "Authorization": f"Bearer {token}"})
    assert same.status_code == 404


def test_idle_timeout_on_a_fake_clock(app_env):
    settings, _app, client, clock = app_env
    AccountStore(settings.data_dir).add("bea", ["beheerder"], PASSWORD)
    assert login(client).status_code == 303
    idle = settings.session_idle_minutes * 60
    clock.t += idle - 60
    assert client.get("/").status_code == 200  # active just in time: the idle clock restarts
    clock.t += idle - 60
    assert client.get("/").status_code == 200
    clock.t += idle + 1
    gone = client.get("/")
    assert gone.status_code == 303 and gone.headers["location"].startswith("/login")
    assert client.get("/api/cases").status_code == 401


def test_tokens_work_are_revoked_and_die_with_a_disabled_account(app_env):
    settings, _app, client, _ = app_env
    accounts = AccountStore(settings.data_dir)
    accounts.add("ana", ["analist"], None)  # token-only account
    token = accounts.new_token("ana")
    assert token not in accounts.path.read_text()  # only the hash is stored
    auth = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/cases", headers=auth).status_code == 200
    assert client.get("/api/cases", headers={"Authorization": "Bearer cg_verzonnen"}).status_code == 401
    assert client.get("/api/cases", headers={"Authorization": f"Basic {token}"}).status_code == 401
    assert client.post("/api/similar", json={"case_ids": ["x"]}, headers=auth).status_code == 403  # role
    assert accounts.revoke_tokens("ana") == 1
    assert client.get("/api/cases", headers=auth).status_code == 401
    second = accounts.new_token("ana")
    assert client.get("/api/cases", headers={"Authorization": f"Bearer {second}"}).status_code == 200
    accounts.disable("ana")
    assert client.get("/api/cases", headers={"Authorization": f"Bearer {second}"}).status_code == 401


def test_disabled_account_cannot_log_in_and_its_session_ends(app_env):
    settings, _app, client, _ = app_env
    accounts = AccountStore(settings.data_dir)
    accounts.add("bea", ["beheerder"], PASSWORD)
    assert login(client).status_code == 303
    accounts.disable("bea")
    assert client.get("/").status_code == 303
    assert login(client).status_code == 401


def test_no_open_redirect_and_role_based_landing(app_env):
    settings, _app, client, _ = app_env
    AccountStore(settings.data_dir).add("amb", ["ambassadeur"], PASSWORD, scope="szw")
    assert AccountStore(settings.data_dir).list()[0]["scope"] == "SZW"  # resolved through the gazetteer
    for evil in ("//elders.example/x", "https://elders.example", "/\\elders.example"):
        r = login(client, naam="amb", next_=evil)
        assert r.status_code == 303 and r.headers["location"] == "/agenda"  # no case access: the agenda


def test_failed_logins_are_rate_limited(app_env):
    settings, app, client, _ = app_env
    AccountStore(settings.data_dir).add("bea", ["beheerder"], PASSWORD)
    app.state.limiter = RateLimiter(clock=lambda: 0.0)
    codes = [login(client, wachtwoord="fout-fout-fout").status_code for _ in range(11)]
    assert codes[:10] == [401] * 10 and codes[10] == 429
    assert login(client).status_code == 429  # even the right password waits: no guessing at speed


def test_security_headers(app_env):
    _settings, _app, client, _ = app_env
    for path in ("/", "/login", "/api/cases", "/docs"):
        h = client.get(path).headers
        csp = h["content-security-policy"]
        assert "frame-ancestors 'none'" in csp and "script-src 'self';" in csp, path
        assert "'unsafe-inline'" not in csp.split("style-src")[0], path  # never for scripts
        assert h["x-content-type-options"] == "nosniff" and h["referrer-policy"] == "same-origin"
        assert h["cache-control"] == "no-store"
    assert "'unsafe-inline'" not in client.get("/").headers["content-security-policy"]


def test_templates_have_no_inline_script_or_style():
    bad = re.compile(r"<script(?![^>]*\bsrc=)|\son[a-z]+\s*=|javascript:|\sstyle\s*=", re.I)
    found = [f"{p.name}:{i}" for p in TEMPLATES.glob("*.html")
             for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
             if bad.search(line) and p.name != "rapport_document.html"]  # a downloaded file: CSS by hash
    assert found == []
    assert bad.search('<a href="javascript:window.print()">') and bad.search('<rect style="x">')


def test_report_download_allows_only_its_own_css(app_env):
    from casusgraaf.api.security import inline_style_csp

    html = "<html><style>body{color:red}</style><style>p{}</style></html>"
    csp = inline_style_csp(html)
    assert csp.count("'sha256-") == 2 and "unsafe-inline" not in csp and "script-src 'self';" in csp


def test_cli_gebruiker_and_the_host_check(tmp_path):
    runner = CliRunner()
    env = {"CASUSGRAAF_DATA_DIR": str(tmp_path / "data")}
    refused = runner.invoke(cli_app, ["serve", "--host", "0.0.0.0"], env=env)
    assert refused.exit_code == 2 and "lokale modus" in refused.output and "gebruiker add" in refused.output
    short = runner.invoke(cli_app, ["gebruiker", "add", "bea", "--rol", "beheerder", "--wachtwoord-stdin"],
                          input="kort\n", env=env)
    assert short.exit_code == 2 and "te kort" in short.output
    ok = runner.invoke(cli_app, ["gebruiker", "add", "bea", "--rol", "beheerder", "--wachtwoord-stdin", "--json"],
                       input=PASSWORD + "\n", env=env)
    assert ok.exit_code == 0, ok.output
    no_scope = runner.invoke(cli_app, ["gebruiker", "add", "amb", "--rol", "ambassadeur", "--geen-wachtwoord"],
                             env=env)
    assert no_scope.exit_code == 2 and "scope" in no_scope.output
    wrong = runner.invoke(cli_app, ["gebruiker", "add", "x1", "--rol", "baas", "--geen-wachtwoord"], env=env)
    assert wrong.exit_code == 2 and "regievoerder" in wrong.output
    tok = runner.invoke(cli_app, ["gebruiker", "token", "bea", "--json"], env=env)
    assert tok.exit_code == 0 and '"token": "cg_' in tok.output
    rol = runner.invoke(cli_app, ["gebruiker", "rol", "bea", "--add", "analist", "--json"], env=env)
    assert rol.exit_code == 0 and '"analist"' in rol.output
    listed = runner.invoke(cli_app, ["gebruiker", "list", "--json"], env=env)
    assert '"naam": "bea"' in listed.output and "argon2" not in listed.output and "cg_" not in listed.output
    assert runner.invoke(cli_app, ["gebruiker", "disable", "niemand"], env=env).exit_code == 2
    assert runner.invoke(cli_app, ["gebruiker", "disable", "bea"], env=env).exit_code == 0
    assert AccountStore(tmp_path / "data").verify_password("bea", PASSWORD) is None
    mode = (tmp_path / "data" / "accounts" / "gebruikers.json").stat().st_mode & 0o777
    assert mode == 0o600


def test_beheerder_bootstrap_from_a_secret_file(tmp_path):
    from casusgraaf.cli.gebruiker import bootstrap_beheerder, guard_host

    secret = tmp_path / "secret"
    secret.write_text(PASSWORD + "\n")
    s = make_settings(tmp_path / "data", beheerder_wachtwoord_file=secret)
    assert bootstrap_beheerder(s) == "beheerder"
    assert AccountStore(s.data_dir).verify_password("beheerder", PASSWORD) is not None
    assert bootstrap_beheerder(s) is None  # only while there is no account
    guard_host(s, "0.0.0.0")  # accounts exist now: no exit


def test_cli_token_of_api_json_is_a_local_beheerder_and_nothing_else(tmp_path):
    """`serve` puts the token it wrote to api.json in app.state.cli_token; a CLI command that sends it gets in
    as the local beheerder (audit name cli:lokaal); a near miss is an unknown token."""
    from casusgraaf.graph import open_store

    settings = make_settings(tmp_path / "data", warm_start=False)
    AccountStore(settings.data_dir).add("bea", ["analist"], PASSWORD)
    store = open_store(settings)  # the analyst door opens the projection in the same data dir
    try:
        app = create_app(settings, store=store)
        app.state.cli_token = "cli-token-uit-api-json"
        with TestClient(app, follow_redirects=False) as client:
            good, near = ({"Authorization": f"Bearer {t}"} for t in ("cli-token-uit-api-json", "cli-token-uit-api-jso"))
            assert client.get("/api/cases", headers=good).status_code == 200
            assert client.get("/api/cases", headers=near).status_code == 401
            q = client.post("/api/cypher", json={"query": "MATCH (c:Casus) RETURN count(c) AS n"}, headers=good)
            assert q.status_code == 200, q.text
            assert [(r["user"], r["role"]) for r in app.state.audit.records(action="cypher")] == [
                ("cli:lokaal", "beheerder")]
            app.state.cli_token = None
            assert client.get("/api/cases", headers=good).status_code == 401
    finally:
        store.close()
