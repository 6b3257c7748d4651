"""The beheerder's audit page /beheer/audit and its JSON and CSV twins: newest first, filters, the chain check,
beheerder only, reading is itself audited. Real app, real accounts (argon2), an empty embedded graph."""

from __future__ import annotations

import csv
import io
import json

import pytest
from fastapi.testclient import TestClient

from casusgraaf.accounts import AccountStore
from casusgraaf.api.app import create_app
from tests.conftest import make_settings


@pytest.fixture(scope="module")
def graph(tmp_path_factory):
    from casusgraaf.graph import open_store

    store = open_store(make_settings(tmp_path_factory.mktemp("beheergraph") / "data"))
    yield store
    store.close()


@pytest.fixture
def env(tmp_path, graph):
    settings = make_settings(tmp_path / "data", warm_start=False)
    accounts = AccountStore(settings.data_dir)
    accounts.add("bea", ["beheerder"], "correct-horse-battery")
    accounts.add("ana", ["analist"], "correct-horse-battery")
    tokens = {n: accounts.new_token(n) for n in ("bea", "ana")}
    app = create_app(settings, store=graph)
    log = app.state.audit
    log.record("ana", "analist", "cypher", {"query_hash": "a" * 64, "rijen": 3}, [])
    log.record("rita", "regievoerder", "zoeken", {"tekst_hash": "b" * 64, "k": 5}, ["2024-001", "2023-002"])
    log.record("rita", "regievoerder", "casus_bekijken", {"casus": "2024-001", "tekst": True}, ["2024-001"])
    with TestClient(app, follow_redirects=False) as client:
        yield settings, app, client, {n: {"Authorization": f"Bearer {t}"} for n, t in tokens.items()}


def test_newest_first_with_an_intact_chain_and_the_read_recorded(env):
    _settings, app, client, auth = env
    out = client.get("/api/audit", headers=auth["bea"]).json()
    assert [r["action"] for r in out["records"]] == ["casus_bekijken", "zoeken", "cypher"]
    assert out["keten"]["intact"] is True and out["keten"]["records"] == 3
    assert out["gebruikers"] == ["ana", "rita"] and "zoeken" in out["acties"]
    # the read itself is the newest record now, and the chain still verifies
    last = app.state.audit.records()[-1]
    assert (last["user"], last["action"]) == ("bea", "audit_bekijken")
    assert client.get("/api/audit", headers=auth["bea"]).json()["keten"]["records"] == 4


def test_filters_and_empty_fields_mean_not_set(env):
    _settings, _app, client, auth = env
    rita = client.get("/api/audit", params={"gebruiker": "rita"}, headers=auth["bea"]).json()
    assert {r["user"] for r in rita["records"]} == {"rita"} and rita["totaal"] == 2
    zoeken = client.get("/api/audit", params={"actie": "zoeken", "gebruiker": "", "sinds": ""}, headers=auth["bea"])
    assert zoeken.status_code == 200 and [r["result_ids"] for r in zoeken.json()["records"]] == [["2024-001", "2023-002"]]
    later = client.get("/api/audit", params={"sinds": "2999-01-01"}, headers=auth["bea"]).json()
    assert later["totaal"] == 0
    bad = client.get("/api/audit", params={"sinds": "gisteren"}, headers=auth["bea"])
    assert bad.status_code == 422 and "JJJJ-MM-DD" in bad.text


def test_beheerder_only(env):
    _settings, _app, client, auth = env
    assert client.get("/api/audit").status_code == 401
    assert client.get("/api/audit", headers=auth["ana"]).status_code == 403
    assert client.get("/beheer/audit", headers=auth["ana"]).status_code == 403
    assert client.get("/api/audit/csv", headers=auth["ana"]).status_code == 403


def test_page_and_csv_twin(env):
    _settings, _app, client, auth = env
    page = client.get("/beheer/audit", params={"gebruiker": "rita"}, headers=auth["bea"])
    assert page.status_code == 200 and "Hashketen intact" in page.text
    assert '<a class="json" href="/api/audit?gebruiker=rita">' in page.text
    assert page.text.count("<tr><th scope=\"row\">") == 2 and 'href="/casussen/2023-002"' in page.text
    rows = list(csv.DictReader(io.StringIO(client.get("/api/audit/csv", params={"actie": "cypher"},
                                                      headers=auth["bea"]).text)))
    assert [(r["user"], r["action"], json.loads(r["what"])["rijen"]) for r in rows] == [("ana", "cypher", 3)]


def test_a_broken_chain_is_shown_on_the_page(env):
    settings, app, client, auth = env
    path = app.state.audit.path
    lines = path.read_text().splitlines()
    path.write_text("\n".join([lines[0], lines[2]]) + "\n")  # the second record removed
    out = client.get("/api/audit", headers=auth["bea"]).json()
    assert out["keten"]["intact"] is False and out["keten"]["regel"] == 2
    page = client.get("/beheer/audit", headers=auth["bea"])
    assert 'role="alert"' in page.text and "De hashketen klopt niet (regel 2)" in page.text
