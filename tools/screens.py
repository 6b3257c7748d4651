"""Screenshots of the pages at desktop and phone width, and the layout checks a person would do by eye.

    python -m tools.screens http://127.0.0.1:8000 [out_dir]

Needs Debian's ``chromium`` and ``chromium-driver`` (``scripts/dev.sh browsers`` installs them) and selenium
(dev extra). Per page and width it reports horizontal overflow (the document wider than the viewport), the
number of h1 elements, form fields without a label, whether ``<html lang>`` is set and the page title.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

WIDTHS = (1366, 390)
# What each page checks, as JavaScript run in the page (no script in the pages themselves).
_CHECK = """
const doc = document.documentElement;
const fields = [...document.querySelectorAll('input:not([type=hidden]), select, textarea')];
const unlabelled = fields.filter(f => !(f.labels && f.labels.length) && !f.getAttribute('aria-label')).map(f => f.name || f.id);
const wide = [...document.querySelectorAll('body *')].filter(e => {
  const r = e.getBoundingClientRect();
  return r.right > doc.clientWidth + 1 && !e.closest('.table-scroll');
}).slice(0, 5).map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : ''));
return {overflow: doc.scrollWidth > doc.clientWidth + 1, scroll_width: doc.scrollWidth, width: doc.clientWidth,
        h1: document.querySelectorAll('h1').length, unlabelled: unlabelled, lang: doc.lang, title: document.title,
        skip: !!document.querySelector('a.skip[href="#inhoud"]'), wide: wide};
"""


def available() -> bool:
    return bool(shutil.which("chromium") and shutil.which("chromedriver"))


@contextmanager
def browser() -> Iterator:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = shutil.which("chromium") or "chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars"):
        opts.add_argument(arg)
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver") or "chromedriver"), options=opts)
    try:
        yield driver
    finally:
        driver.quit()


def check(driver, url: str, width: int, shot: Path | None = None) -> dict:
    """Load ``url`` at ``width`` px; the checks, and a full-page screenshot into ``shot`` when given."""
    driver.set_window_size(width, 900)
    driver.get(url)
    result = driver.execute_script(_CHECK)
    if shot is not None:
        height = driver.execute_script("return document.documentElement.scrollHeight")
        driver.set_window_size(width, min(max(int(height), 600), 2400))
        driver.save_screenshot(str(shot))
    return result


def main(argv: list[str]) -> int:
    base = argv[0].rstrip("/") if argv else "http://127.0.0.1:8000"
    out = Path(argv[1] if len(argv) > 1 else "screens")
    out.mkdir(parents=True, exist_ok=True)
    import httpx

    first = httpx.get(base + "/api/cases", params={"per_page": 1}).json()["cases"][0]["id"]
    pages = {"home": "/", "casus": f"/casussen/{first}", "zoeken": "/zoeken",
             "trefwoorden": "/trefwoorden?q=woonplaatsbeginsel", "fout404": "/casussen/bestaat-niet",
             "leerpunten": "/leerpunten", "agenda": "/agenda", "patronen": "/patronen", "cijfers": "/cijfers"}
    bad = 0
    with browser() as driver:
        for name, path in pages.items():
            for width in WIDTHS:
                r = check(driver, base + path, width, out / f"{name}-{width}.png")
                problems = [k for k, v in (("overflow", r["overflow"]), ("h1", r["h1"] != 1),
                                           ("labels", r["unlabelled"]), ("lang", r["lang"] != "nl")) if v]
                bad += bool(problems)
                print(f"{name:12} {width:5}  {'OK' if not problems else 'PROBLEEM ' + ', '.join(problems)}"
                      f"  breedte {r['scroll_width']}/{r['width']}  {r['wide'] or ''}  {r['unlabelled'] or ''}"
                      f"  «{r['title']}»")
    print(f"schermafdrukken in {out}/")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
