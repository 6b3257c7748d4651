"""Registering a case in real headless Chromium (selenium) against a real uvicorn server: log in as a
regievoerder, paste a text, see the suggestions and the similar cases, remove one suggestion and add one,
save; the case page exists and a similar search with the same text finds the new case. Also the refusal
state (the text stays in the textarea, the value masked in the message) and no horizontal overflow at 390 px."""

from __future__ import annotations

import time

import httpx
import pytest

from casusgraaf.accounts import AccountStore
from casusgraaf.api.app import create_app
from tests.conftest import SAMPLE, make_settings
from tests.procs import served
from tests.test_register import PHONE, REFUSED, TEXT

PASSWORD = "correct-horse-battery"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from tools import screens

    if not screens.available():
        pytest.skip("chromium/chromedriver not installed (bash scripts/dev.sh browsers)")
    from casusgraaf.graph import open_store
    from casusgraaf.ingest.readers import iter_records
    from casusgraaf.services.ingest import ingest_items

    settings = make_settings(tmp_path_factory.mktemp("browser-register") / "data")
    store = open_store(settings)
    ingest_items(store, settings, [it for _, it in zip(range(20), iter_records([SAMPLE / "casussen.jsonl"]),
                                                          strict=False)])
    accounts = AccountStore(settings.data_dir)
    accounts.add("rita", ["regievoerder"], PASSWORD)
    accounts.add("bea", ["regievoerder", "beheerder"], PASSWORD)
    token = accounts.new_token("rita")
    try:
        with served(create_app(settings, store=store)) as base:
            yield {"base": base, "token": token, "store": store}
    finally:
        store.close()


def _wait(driver, css: str, timeout: float = 120.0):
    from selenium.webdriver.common.by import By

    end = time.monotonic() + timeout
    while time.monotonic() < end:
        found = driver.find_elements(By.CSS_SELECTOR, css)
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"{css} did not appear; page: {driver.title}")


def _layout(driver) -> dict:
    from tools import screens

    return driver.execute_script(screens._CHECK)


def test_register_in_chromium(server):
    from selenium.webdriver.common.by import By

    from tools import screens

    base = server["base"]
    with screens.browser() as driver:
        driver.set_window_size(390, 900)
        driver.get(base + "/login?next=/casussen/nieuw")
        driver.find_element(By.NAME, "naam").send_keys("rita")
        driver.find_element(By.NAME, "wachtwoord").send_keys(PASSWORD)
        driver.find_element(By.NAME, "wachtwoord").submit()
        _wait(driver, "textarea#tekst")
        empty = _layout(driver)
        assert not empty["overflow"] and empty["h1"] == 1 and not empty["unlabelled"], empty

        # refusal: the text stays, the value is masked in the message
        driver.find_element(By.ID, "tekst").send_keys(REFUSED)
        driver.find_element(By.ID, "voorstellen").click()
        alert = _wait(driver, "#fout")[0]
        assert driver.find_element(By.ID, "tekst").get_property("value") == REFUSED
        assert PHONE not in alert.text and "[TELEFOON]" in alert.text and "TELEFOON" in alert.text

        # suggestions and similar cases
        area = driver.find_element(By.ID, "tekst")
        area.clear()
        area.send_keys(TEXT)
        driver.find_element(By.ID, "voorstellen").click()
        _wait(driver, "#vergelijkbaar li a")
        labels = {lab.text: lab.get_attribute("for") for lab in driver.find_elements(By.CSS_SELECTOR, ".chip > label")}
        assert {"Participatiewet", "UWV", "woningcorporatie", "financiën", "Samenwerking"} <= set(labels), labels
        similar = driver.find_elements(By.CSS_SELECTOR, "#vergelijkbaar li a")
        assert similar and similar[0].text.startswith("2019-")
        chips = _layout(driver)
        assert not chips["overflow"] and not chips["unlabelled"], chips

        # remove one, add one, save
        box = driver.find_element(By.ID, labels["woningcorporatie"])
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", box)
        box.click()
        assert not box.is_selected()
        extra = driver.find_element(By.ID, "extra_wet")
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", extra)
        server_list = driver.execute_script("return document.querySelectorAll('#lijst-wet option').length")
        assert server_list > 100  # without JavaScript: every law and regeling from the gazetteer
        extra.send_keys("Jeugdwet")
        end = time.monotonic() + 20  # register.js refills the list from GET /api/vocabulaire/wet?q=
        while time.monotonic() < end and driver.execute_script(
                "return document.querySelectorAll('#lijst-wet option').length") >= server_list:
            time.sleep(0.2)
        assert driver.execute_script("return [...document.querySelectorAll('#lijst-wet option')].map(o => o.value)"
                                     ) == ["Jeugdwet"]
        save = driver.find_element(By.ID, "opslaan")
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", save)
        save.click()
        link = _wait(driver, "#opgeslagen-casus")[0]
        case_id = link.get_attribute("href").rsplit("/", 1)[1]
        assert "opgeslagen" in driver.find_element(By.CSS_SELECTOR, ".saved").text
        link.click()
        _wait(driver, "h1")
        assert case_id in driver.title + driver.find_element(By.TAG_NAME, "h1").text
        assert "Niet gevonden" not in driver.title

    rows = server["store"].run("MATCH (c:Casus {id: $id})-[r]->(x) RETURN type(r) AS rel, x.naam AS naam, "
                               "r.bron AS bron", {"id": case_id})
    got = {(r["rel"], r["naam"]): r["bron"] for r in rows}
    assert got[("RAAKT_WET", "Jeugdwet")] == "registratie" and ("BETROKKEN", "woningcorporatie") not in got
    res = httpx.post(base + "/api/similar", json={"text": TEXT, "k": 3},
                     headers={"Authorization": f"Bearer {server['token']}"}, timeout=120)
    assert res.status_code == 200 and res.json()["results"][0]["case_id"] == case_id


def _login(driver, base: str, naam: str, target: str = "/") -> None:
    from selenium.webdriver.common.by import By

    driver.get(f"{base}/login?next={target}")
    driver.find_element(By.NAME, "naam").send_keys(naam)
    driver.find_element(By.NAME, "wachtwoord").send_keys(PASSWORD)
    driver.find_element(By.NAME, "wachtwoord").submit()
    _wait(driver, "form.who")


def test_every_page_has_the_basics_at_1366_and_390_px(server):
    """lang="nl", exactly one h1, a skip link, every field labelled, no horizontal overflow: on every page a
    beheerder (who may open all of them) reaches, also the Dutch error page."""
    from tools import screens

    store, base = server["store"], server["base"]
    cid = store.run("MATCH (c:Casus) RETURN c.id AS id ORDER BY id LIMIT 1")[0]["id"]
    lid = store.run("MATCH (l:Leerpunt) RETURN l.id AS id ORDER BY id LIMIT 1")[0]["id"]
    wet = store.run("MATCH (:Casus)-[:RAAKT_WET]->(w:Wet) RETURN w.naam AS n, count(*) AS k ORDER BY k DESC LIMIT 1"
                    )[0]["n"]
    pages = ["/", f"/casussen/{cid}", f"/casussen/{cid}/afronden", "/casussen/nieuw", "/zoeken",
             "/trefwoorden?q=schulden", "/patronen", "/cijfers", "/leerpunten", f"/leerpunten/{lid}", "/agenda",
             f"/wetten/{wet}", "/organisaties/UWV", "/beheer/audit", "/bestaat-niet"]
    seen = {}
    with screens.browser() as driver:
        _login(driver, base, "bea")
        for path in pages:
            for width in screens.WIDTHS:
                seen[(path, width)] = screens.check(driver, base + path, width)
    bad = {k: r for k, r in seen.items()
           if r["overflow"] or r["h1"] != 1 or r["lang"] != "nl" or not r["skip"] or r["unlabelled"]}
    assert not bad, bad
