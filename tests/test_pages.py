"""The pages as a regievoerder meets them: Dutch error pages (JSON stays JSON under /api), empty form fields,
refused text kept in the form with the value masked, titles, skip link, labels; /docs without a CDN; and in
headless Chromium no horizontal overflow at 390 px."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

from casusgraaf.api.app import create_app

BSN = "111222333"
REFUSED = f"Mevrouw Jansen met BSN {BSN} vroeg hulp. Zij heeft schulden en de gemeente weet niet wat te doen."


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    """The app on an empty graph (error pages and forms need no cases), no warm-up thread."""
    from casusgraaf.graph import open_store
    from tests.conftest import make_settings

    settings = make_settings(tmp_path_factory.mktemp("pages") / "data", warm_start=False)
    store = open_store(settings)
    app = create_app(settings, store=store)

    @app.get("/kapot", include_in_schema=False)
    def _broken_page():
        raise RuntimeError("geheime casustekst van mevrouw Jansen")

    @app.get("/api/kapot", include_in_schema=False)
    def _broken_api():
        raise RuntimeError("geheime casustekst van mevrouw Jansen")

    with TestClient(app) as c:  # an exception escaping the app would raise here
        yield c
    store.close()


def _html_error(res, status: int) -> str:
    assert res.status_code == status, res.text[:300]
    assert res.headers["content-type"].startswith("text/html")
    body = res.text
    assert '<html lang="nl">' in body and "Traceback" not in body and "Not Found" not in body
    assert f"Foutcode {status}" in body
    return body


def test_unknown_page_and_unknown_case_are_dutch_html_404(client):
    body = _html_error(client.get("/bestaat/niet"), 404)
    assert "Deze pagina bestaat niet" in body and "<title>Niet gevonden (404) · casusgraaf</title>" in body
    body = _html_error(client.get("/casussen/bestaat-niet"), 404)
    assert "casus bestaat-niet bestaat niet" in body


def test_api_errors_stay_json(client):
    for url in ("/api/cases/bestaat-niet", "/api/bestaat-niet"):
        res = client.get(url, headers={"accept": "text/html"})
        assert res.status_code == 404 and res.headers["content-type"] == "application/json"
        assert "detail" in res.json()
    res = client.get("/api/cases", params={"jaar": "abc"})
    assert res.status_code == 422 and isinstance(res.json()["detail"], list)
    # a page asked for JSON only gets JSON
    res = client.get("/casussen/bestaat-niet", headers={"accept": "application/json"})
    assert res.status_code == 404 and res.json()["detail"]


def test_bad_field_is_a_dutch_422_page(client):
    body = _html_error(client.get("/", params={"jaar": "abc"}), 422)
    assert "Jaar: vul een geheel getal in" in body and "int_parsing" not in body


def test_500_is_a_page_without_trace_or_text(client, caplog):
    body = _html_error(client.get("/kapot"), 500)
    assert "Er ging iets mis" in body and "geheime" not in body and "RuntimeError" not in body
    res = client.get("/api/kapot")
    assert res.status_code == 500 and res.json()["detail"].startswith("interne fout")
    assert "geheime" not in res.text
    # the log names the type, never the message (it may quote case text), and carries no traceback
    assert "interne fout bij GET /api/kapot (RuntimeError)" in caplog.text
    assert "geheime" not in caplog.text and "Traceback" not in caplog.text


def test_empty_year_fields_mean_not_set(client):
    home = client.get("/?jaar=")
    assert home.status_code == 200 and "<h1>Casussen" in home.text
    kw = client.get("/trefwoorden?q=woonplaatsbeginsel&jaar_van=&jaar_tot=")
    assert kw.status_code == 200 and "0 casussen." in kw.text
    assert client.get("/trefwoorden?q=&jaar_van=&jaar_tot=").status_code == 200  # the empty form itself
    # under /api the empty string is still an error a script should see
    assert client.get("/api/search?q=woonplaatsbeginsel&jaar_van=").status_code == 422


def test_refused_text_stays_in_the_form_with_the_value_masked(client):
    res = client.post("/zoeken", data={"tekst": REFUSED, "k": "5", "csrf_token": _csrf(client)})
    assert res.status_code == 422
    textarea = re.search(r"<textarea[^>]*>(.*?)</textarea>", res.text, re.S).group(1)
    assert textarea == REFUSED  # kept, so the regievoerder can edit it
    rest = res.text.replace(textarea, "", 1)
    assert BSN not in rest and "Jansen" not in rest  # the message masks every value
    assert "PERSOON en BSN" in rest and "<q>Mevrouw [PERSOON] met BSN [BSN] vroeg hulp.</q>" in rest
    assert "positie" not in rest and not re.search(r"\d+–\d+", rest)  # no offsets
    assert "burgerservicenummer" in rest  # what to change


def test_keyword_query_passes_the_privacy_gate(client):
    res = client.get("/trefwoorden", params={"q": f"BSN {BSN}"})
    assert res.status_code == 422 and 'role="alert"' in res.text
    assert "BSN [BSN]" in res.text and "/api/search?" not in res.text
    assert res.text.count(BSN) == 1  # only in the field the user typed it into


def test_text_of_only_spaces_gets_a_dutch_message_without_cli_options(client):
    res = client.post("/zoeken", data={"tekst": "   ", "k": "5", "csrf_token": _csrf(client)})
    assert res.status_code == 422 and "het tekstveld is leeg" in res.text
    message = re.search(r'<div id="fout".*?</div>', res.text, re.S).group(0)
    assert "--" not in message and "case" not in message  # no "--text" or "--case"


def _csrf(client) -> str:
    m = re.search(r'name="csrf_token" value="([^"]*)"', client.get("/zoeken").text)
    return m.group(1) if m else ""


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.h1 = 0
        self.fields: list[dict] = []
        self.labels_for: set[str] = set()
        self.in_label = 0
        self.title = ""
        self._in_title = False
        self.skip = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "h1":
            self.h1 += 1
        elif tag == "label":
            self.in_label += 1
            if a.get("for"):
                self.labels_for.add(a["for"])
        elif tag in ("input", "textarea", "select") and a.get("type") != "hidden":
            self.fields.append({**a, "_wrapped": self.in_label > 0})
        elif tag == "title":
            self._in_title = True
        elif tag == "a" and "skip" in (a.get("class") or "") and a.get("href") == "#inhoud":
            self.skip = True

    def handle_endtag(self, tag):
        if tag == "label":
            self.in_label -= 1
        elif tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data


@pytest.mark.parametrize("url,title", [("/", "Casussen · casusgraaf"), ("/zoeken", "Vergelijkbare casussen zoeken"),
                                       ("/trefwoorden", "Trefwoorden · casusgraaf"),
                                       ("/bestaat-niet", "Niet gevonden (404)")])
def test_titles_skip_link_one_h1_and_labels(client, url, title):
    page = _Page()
    page.feed(client.get(url).text)
    assert title in page.title
    assert page.skip and page.h1 == 1
    unlabelled = [f.get("name") for f in page.fields if not f["_wrapped"] and f.get("id") not in page.labels_for]
    assert not unlabelled, unlabelled


def test_docs_and_redoc_use_local_assets(client):
    for url, asset in (("/docs", "/docs-assets/swagger-ui-bundle.js"), ("/redoc", "/docs-assets/redoc.standalone.js")):
        page = client.get(url)
        assert page.status_code == 200 and asset in page.text
        assert "http://" not in page.text and "https://" not in page.text  # no CDN
        assert "<script>" not in page.text  # no inline script (CSP)
        js = client.get(asset)
        assert js.status_code == 200 and len(js.content) > 100_000
    assert "SwaggerUIBundle" in client.get("/static/docs.js").text


# -- filters on /zoeken and on the case page's similar list (issue 13, point 2) ----------------------------

ZVW = ("Een man keerde terug uit het buitenland en is niet verzekerd voor de Zvw. Het CAK en de zorgverzekeraar "
       "weten niet wie hem moet inschrijven. De gemeente vraagt het Loket om hulp.")
EMPTY_FILTERS = {"jaar_van": "", "jaar_tot": "", "wet": "", "organisatie": "", "leefgebied": "", "knelpunt": "",
                 "indiener_type": "", "uitkomst": ""}


@pytest.fixture(scope="module")
def corpus_client(corpus_env):
    settings, store, _ = corpus_env
    with TestClient(create_app(settings.model_copy(update={"warm_start": False}), store=store)) as c:
        yield c, store


def _result_ids(html: str) -> list[str]:
    block = re.search(r'<ol class="results">(.*?)</ol>', html, re.S)
    return re.findall(r'<h3><a href="/casussen/([^"?#]+)', block.group(1) if block else "")


def _urls(html: str) -> list[str]:
    from urllib.parse import unquote_plus

    return [unquote_plus(u.replace("&amp;", "&")) for u in re.findall(r'(?:href|action|src)="([^"]*)"', html)]


def _cases_with_law(store, law: str) -> set[str]:
    rows = store.run("MATCH (c:Casus)-[:RAAKT_WET]->(w:Wet {naam: $w}) RETURN DISTINCT c.id AS id", {"w": law})
    return {r["id"] for r in rows}


def test_case_page_filter_keeps_only_cases_with_the_law_and_its_json_twin_agrees(corpus_client):
    client, store = corpus_client
    res = client.get("/casussen/2019-010", params={"wet": "Participatiewet", "jaar_van": "", "uitkomst": ""})
    assert res.status_code == 200
    ids = _result_ids(res.text)
    with_law = _cases_with_law(store, "Participatiewet")
    assert ids and set(ids) <= with_law and "2019-010" not in ids
    # unfiltered, the list holds cases without it: the filter did something
    assert set(_result_ids(client.get("/casussen/2019-010").text)) - with_law
    # the filter state is in the URL: the form field, the links to the results and the JSON twin carry it
    assert re.search(r'<input id="f-wet" name="wet" list="dl-wet" value="Participatiewet"', res.text)
    assert all(f'href="/casussen/{cid}?wet=Participatiewet"' in res.text for cid in ids)
    twin = re.search(r'<a class="json" href="(/api/cases/2019-010/similar\?[^"]+)"', res.text).group(1)
    twin = twin.replace("&amp;", "&")
    assert twin == "/api/cases/2019-010/similar?k=8&wet=Participatiewet"
    api = client.get(twin)
    assert api.status_code == 200 and [r["case_id"] for r in api.json()["results"]] == ids


def test_search_page_filter_keeps_only_cases_with_the_law(corpus_client):
    client, store = corpus_client
    res = client.post("/zoeken", data={"tekst": ZVW, "k": "5", "csrf_token": _csrf(client),
                                       **dict(EMPTY_FILTERS, wet="Participatiewet")})
    assert res.status_code == 200
    ids = _result_ids(res.text)
    assert len(ids) == 5 and set(ids) <= _cases_with_law(store, "Participatiewet")
    assert "Gefilterd op wet: Participatiewet." in res.text
    assert 'value="Participatiewet"' in res.text  # the form keeps the filter
    # the JSON twin of the form gives the same list
    api = client.post("/api/similar", json={"text": ZVW, "k": 5, "filters": {"wet": ["Participatiewet"]}})
    assert [r["case_id"] for r in api.json()["results"]] == ids


def test_knelpunt_and_year_filters_from_the_options(corpus_client):
    client, store = corpus_client
    form = client.get("/zoeken").text
    # options from the vocabulary and the corpus
    assert '<option value="samenwerking">Samenwerking</option>' in form
    assert '<option value="ac2023:3">3 Samenwerking schiet tekort</option>' in form
    assert '<option value="Participatiewet">' in form and "<option>knelpunt opgelost</option>" in form
    assert "<option>landelijke publieke dienstverlener</option>" in form
    res = client.get("/casussen/2019-010", params={"knelpunt": "samenwerking", "jaar_van": "2023", "jaar_tot": "2025"})
    ids = _result_ids(res.text)
    rows = store.run("MATCH (c:Casus)-[:HEEFT_KNELPUNT]->(:Knelpunt)-[:IN_CATEGORIE]->(k:KnelpuntCategorie) "
                     "WHERE k.id IN ['jr2023:samenwerking', 'jr2024:samenwerking'] AND c.jaar >= 2023 "
                     "AND c.jaar <= 2025 RETURN DISTINCT c.id AS id")
    assert ids and set(ids) <= {r["id"] for r in rows}
    assert "Gefilterd op jaar 2023–2025; knelpunt: Samenwerking." in res.text


def test_empty_filter_fields_mean_not_set(corpus_client):
    client, _ = corpus_client
    plain = client.post("/zoeken", data={"tekst": ZVW, "k": "3", "csrf_token": _csrf(client)})
    empty = client.post("/zoeken", data={"tekst": ZVW, "k": "3", "csrf_token": _csrf(client), **EMPTY_FILTERS})
    assert plain.status_code == empty.status_code == 200
    assert _result_ids(plain.text) == _result_ids(empty.text) and len(_result_ids(empty.text)) == 3
    assert "Gefilterd op" not in empty.text
    page = client.get("/casussen/2019-010", params=EMPTY_FILTERS)
    assert page.status_code == 200 and _result_ids(page.text) == _result_ids(client.get("/casussen/2019-010").text)
    assert 'href="/api/cases/2019-010/similar?k=8"' in page.text  # nothing empty in the twin (a 422 there)


def test_filters_that_match_nothing_or_do_not_make_sense_say_so_in_dutch(corpus_client):
    client, _ = corpus_client
    res = client.get("/casussen/2019-010", params={"wet": "Bestaatniet-wet"})
    assert res.status_code == 200 and not _result_ids(res.text)
    assert "Geen enkele casus voldoet aan deze filters (wet: Bestaatniet-wet). Haal een filter weg" in res.text
    res = client.post("/zoeken", data={"tekst": ZVW, "k": "3", "csrf_token": _csrf(client),
                                       **dict(EMPTY_FILTERS, organisatie="CAK", uitkomst="via LET")})
    assert res.status_code == 200 and not _result_ids(res.text)
    assert "Geen enkele casus voldoet aan deze filters (organisatie: CAK; uitkomst: via LET)" in res.text
    res = client.post("/zoeken", data={"tekst": ZVW, "csrf_token": _csrf(client), **dict(EMPTY_FILTERS, jaar_van="abc")})
    assert res.status_code == 422 and "Jaar van: vul een jaartal in (bijvoorbeeld 2021), of laat het veld leeg." in res.text
    assert res.text.count(ZVW) == 1  # the text stays in the form, nowhere else
    res = client.get("/casussen/2019-010", params={"jaar_van": "2024", "jaar_tot": "2020"})
    assert res.status_code == 200 and "Jaar van (2024) ligt na jaar tot (2020)" in res.text
    bad = client.get("/casussen/2019-010", params={"jaar_van": "twintig"})
    assert bad.status_code == 422 and "Jaar van: vul een geheel getal in" in bad.text


def test_the_case_text_never_lands_in_a_url(corpus_client):
    client, store = corpus_client
    page = client.get("/casussen/2019-010", params={"wet": "Participatiewet"})
    form = re.search(r'<form method="get" action="/casussen/2019-010#vergelijkbaar".*?</form>', page.text, re.S)
    assert form and "<textarea" not in form.group(0) and 'name="tekst"' not in form.group(0)
    texts = [r["t"] for r in store.run("MATCH (c:Casus) WHERE c.tekst IS NOT NULL RETURN c.tekst AS t")]
    shingles = {" ".join(w[i:i + 5]) for t in texts for w in [t.split()] for i in range(len(w) - 4)}
    searched = client.post("/zoeken", data={"tekst": ZVW, "k": "5", "csrf_token": _csrf(client),
                                            **dict(EMPTY_FILTERS, wet="Zvw")})
    for html in (page.text, searched.text):
        for url in _urls(html):
            words = url.split()
            assert not any(" ".join(words[i:i + 5]) in shingles for i in range(len(words) - 4)), url
            assert "buitenland" not in url and "verzekerd voor" not in url, url
