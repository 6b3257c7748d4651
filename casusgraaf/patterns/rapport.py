"""The yearly report "casuïstiek in cijfers", in the shape of the published yearly reports (JR2024):
cases of the year, indieners, beleidsterreinen (JR2024 roll-up: A&M under JenV, VRO under BZK),
leefgebieden (number per case), knelpunt categories with their trend, looptijd, outcomes, leerpunten per
owner and status, and the recurring combinations. Every count is suppressed as in
:mod:`casusgraaf.patterns.suppression`; each block is a group with the number of cases as its total.

A case belongs to the year of its ``jaar`` (the year it was closed, else of afronding/aanmelding).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from casusgraaf.graph import GraphStore
from casusgraaf.models import gazetteer
from casusgraaf.patterns import categories as cats
from casusgraaf.patterns.complexiteit import looptijd_stats
from casusgraaf.patterns.data import Selectie, load
from casusgraaf.patterns.suppression import protect
from casusgraaf.patterns.suppression import shown as shown_one
from casusgraaf.patterns.tables import Tabel
from casusgraaf.patterns.terugkerend import terugkerend
from casusgraaf.patterns.trends import trends

TREND_JAREN = 5  # the knelpunt trend shows the report year and the four before it


@dataclass
class Rapport:
    data: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return self.data

    def tabellen(self) -> list[Tabel]:
        d = self.data
        out = []
        for key, titel in (("indieners", "Indieners"), ("beleidsterreinen", "Beleidsterreinen"),
                           ("leefgebieden", "Leefgebieden (huidige lijst)"),
                           ("aantal_leefgebieden", "Aantal leefgebieden per casus"),
                           ("knelpunten", "Knelpuntcategorieën"), ("uitkomsten", "Uitkomsten")):
            out.append(Tabel(key, titel, ["categorie", "casussen"], [[k, v] for k, v in d[key].items()]))
        lt = d["looptijd_weken"]
        out.append(Tabel("looptijd", "Looptijd (weken)", ["maat", "waarde"], [[k, v] for k, v in lt.items()]))
        lp = d["leerpunten"]
        out.append(Tabel("leerpunten_eigenaar", "Leerpunten per eigenaar", ["belegd bij", "leerpunten"],
                         [[k, v] for k, v in lp["per_eigenaar"].items()]))
        out.append(Tabel("leerpunten_status", "Leerpunten per status", ["status", "leerpunten"],
                         [[k, v] for k, v in lp["per_status"].items()]))
        jaren = [str(j) for j in d["knelpunten_trend"]["jaren"]]
        out.append(Tabel("knelpunten_trend", "Knelpunten door de jaren", ["categorie", *jaren],
                         [[naam, *[cells.get(j, {}).get("aantal") for j in jaren]]
                          for naam, cells in d["knelpunten_trend"]["reeksen"].items()]))
        out.append(Tabel("terugkerend", "Terugkerende combinaties", ["knelpunt", "wet", "organisatie", "casussen",
                                                                       "eerste jaar", "laatste jaar", "leerpunt"],
                         [[c["knelpunt"], c["wet"], c["organisatie"], c["aantal"], c["eerste_jaar"],
                           c["laatste_jaar"], c["leerpunt"]] for c in d["terugkerend"]]))
        return out


def _block(counter: Counter, total: int, drempel: int, order=None) -> dict:
    keys = sorted(counter, key=order or (lambda k: (-counter[k], str(k))))
    values = {k: counter[k] for k in keys}
    shown = protect({**values, "__totaal__": total}, [[*keys, "__totaal__"]], drempel)
    return {k: shown[k] for k in keys}


def _rollup(code: str, datum: str | None) -> str:
    try:
        op = date.fromisoformat(datum) if datum else None
    except ValueError:
        op = None
    return gazetteer.rapport_rollup(code, op)


def rapport(store: GraphStore, jaar: int, *, selectie: Selectie | None = None, drempel: int = 5,
            terugkerend_drempel: int = 4) -> Rapport:
    base = selectie or Selectie()
    sel = base.with_years(jaar, jaar)
    corpus = load(store, sel, ("knelpunt", "wet", "organisatie", "leefgebied", "beleidsterrein"),
                  leerpunten=True, indieners=True)
    cases = list(corpus.cases.values())
    n = len(cases)

    indieners = Counter(c.indiener_type or "onbekend" for c in cases)
    aangesloten = sum(1 for c in cases if c.indiener_type == "gemeente" and c.indiener
                      and c.indiener.get("aangesloten"))
    beleid: Counter[str] = Counter()
    for c in cases:
        beleid.update({_rollup(code, c.datum_afronding) for code in c.get("beleidsterrein")})
    leef: Counter[str] = Counter()
    overig: Counter[str] = Counter()
    for c in cases:
        for naam in c.get("leefgebied"):
            (leef if cats.on_current_list(naam) else overig)[naam] += 1
    buckets: Counter[str] = Counter()
    for c in cases:
        k = len(c.get("leefgebied"))
        buckets["0" if k == 0 else "1" if k == 1 else "2" if k == 2 else "3+"] += 1
    bucket_vals = {b: buckets.get(b, 0) for b in ("0", "1", "2", "3+")}
    bucket_shown = protect({**bucket_vals, "__totaal__": n}, [[*bucket_vals, "__totaal__"]], drempel)
    kp: Counter[str] = Counter()
    for c in cases:
        kp.update(cats.case_targets(c.get("knelpunt"), "apart").keys())
    knelpunten = _block(kp, n, drempel, order=cats.order_key)
    uitkomsten = Counter(c.uitkomst or "onbekend" for c in cases)

    # a leerpunt drawn from several cases counts once; one with several owners counts for each owner
    leerpunten = list({lp["leerpunt"]: lp for c in cases for lp in c.leerpunten}.values())
    owners = Counter(o for lp in leerpunten for o in (lp.get("eigenaren") or ["onbekend"]))
    statuses = Counter(lp.get("status_code") or "ONBEKEND" for lp in leerpunten)

    trend = trends(store, base.with_years(jaar - TREND_JAREN + 1, jaar), drempel=drempel).to_dict()
    recurring = terugkerend(store, base.with_years(None, jaar), drempel=terugkerend_drempel, kleine_cel=drempel,
                            met_casussen=False, limit=10)
    weeks = [c.looptijd_weken for c in cases if c.looptijd_weken is not None]
    data = {
        "jaar": jaar,
        "drempel": drempel,
        "selectie": sel.describe(),
        "casussen": shown_one(n, drempel),
        "indieners": _block(indieners, n, drempel),
        "indieners_gemeente_aangesloten": shown_one(aangesloten, drempel),
        "beleidsterreinen": _block(beleid, n, drempel),
        "leefgebieden": _block(leef, n, drempel, order=lambda k: cats.leefgebied_order(k)),
        "leefgebieden_overig": _block(overig, n, drempel),
        "aantal_leefgebieden": {b: bucket_shown[b] for b in ("0", "1", "2", "3+")},
        "knelpunten": {cats.target_info(k).naam: v for k, v in knelpunten.items()},
        "knelpunten_trend": {"jaren": trend["jaren"], "reeksen": trend["reeksen"]},
        "looptijd_weken": looptijd_stats(weeks, drempel),
        "uitkomsten": _block(uitkomsten, n, drempel),
        "leerpunten": {
            "totaal": shown_one(len(leerpunten), drempel),
            "casussen_met_leerpunt": shown_one(sum(1 for c in cases if c.leerpunten), drempel),
            "per_eigenaar": _block(owners, len(leerpunten), drempel),
            "per_status": _block(statuses, len(leerpunten), drempel),
        },
        "terugkerend": [c.to_dict() for c in recurring.combinaties],
        "toelichting": ("Casussen van het jaar (jaar = jaar van afronding). Geregistreerde feiten, tenzij "
                        "met_extractie. Beleidsterreinen met de JR2024-indeling (A&M onder JenV, VRO onder BZK). "
                        "'<n': kleine cel onderdrukt; 'x': onderdrukt om terugrekenen te voorkomen."),
    }
    return Rapport(data)
