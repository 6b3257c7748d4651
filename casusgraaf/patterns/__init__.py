"""Systeemleren: patterns across years (issue 10). Plain functions over the graph store, each returning a
typed result with ``to_dict()`` (JSON) and ``tabellen()`` (tables / CSV); CLI, API, pages, notebooks and
the yearly report all use these and compute no figures themselves.

* :func:`trends` — cases per current knelpunt category and per leefgebied per year (crosswalk applied).
* :func:`samenloop` — co-occurrence matrices with lift/PMI.
* :func:`complexiteit` — complexity proxies and looptijd per year.
* :func:`terugkerend` — combinations that recur (CB2022 heuristic, threshold 4).
* :func:`opkomend` — emerging themes with a Fisher exact test.
* :func:`rapport` — the yearly report "casuïstiek in cijfers".
* :func:`entiteit` — one wet, organisatie or leefgebied across the cases (the entity pages).

Registered facts by default; ``Selectie(met_extractie=True)`` adds extracted ones, and results say so.
Every published count below the small-cell threshold is suppressed (:mod:`.suppression`).
"""

from casusgraaf.patterns.complexiteit import Complexiteit, complexiteit
from casusgraaf.patterns.data import Selectie
from casusgraaf.patterns.entiteit import Entiteit, entiteit
from casusgraaf.patterns.opkomend import Opkomend, opkomend
from casusgraaf.patterns.rapport import Rapport, rapport
from casusgraaf.patterns.samenloop import MATRICES, Samenloop, samenloop
from casusgraaf.patterns.tables import Tabel
from casusgraaf.patterns.terugkerend import Terugkerend, terugkerend
from casusgraaf.patterns.trends import Trends, trends

__all__ = ["MATRICES", "Complexiteit", "Entiteit", "entiteit", "Opkomend", "Rapport", "Samenloop", "Selectie", "Tabel", "Terugkerend",
           "Trends", "complexiteit", "opkomend", "rapport", "samenloop", "terugkerend", "trends"]
