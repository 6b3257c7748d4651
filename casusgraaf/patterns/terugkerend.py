"""Recurrence: the casusbundel heuristic (CB2022) that the same knelpunt + law (+ organisation) four or
five times signals a *systeemfout*.

A combination is a current knelpunt category (crosswalk applied: 2A in 2021 and Wet- en regelgeving in 2024
are one) with a law (benefits resolved to their law) and, at the default ``niveau``, an organisation (the
Loket/PMM excluded). Every combination in at least ``drempel`` cases (default 4) is listed with its cases,
first and last year, and whether a leerpunt came out of one of its cases. Ranked by number of cases, then
number of years, then the most recent year.

The case ids are the ambassadeursoverleg's working list (they link to the cases); the yearly report asks
for ``met_casussen=False`` and publishes only the suppressed counts.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from casusgraaf.graph import GraphStore
from casusgraaf.patterns import categories as cats
from casusgraaf.patterns.data import Corpus, Selectie, load
from casusgraaf.patterns.suppression import shown
from casusgraaf.patterns.tables import Tabel

DEFAULT_DREMPEL = 4
NIVEAUS = ("knelpunt+wet+organisatie", "knelpunt+wet")


@dataclass
class Combinatie:
    knelpunt: str
    wet: str
    organisatie: str | None
    aantal: object
    eerste_jaar: int | None
    laatste_jaar: int | None
    jaren: list[int]
    leerpunt: bool
    leerpunten: object
    casussen: list[str] | None = None
    knelpunt_sleutel: str = ""

    def to_dict(self) -> dict:
        d = {"knelpunt": self.knelpunt, "knelpunt_sleutel": self.knelpunt_sleutel, "wet": self.wet,
             "organisatie": self.organisatie, "aantal": self.aantal, "eerste_jaar": self.eerste_jaar,
             "laatste_jaar": self.laatste_jaar, "jaren": self.jaren, "leerpunt": self.leerpunt,
             "leerpunten": self.leerpunten}
        if self.casussen is not None:
            d["casussen"] = self.casussen
        return d


@dataclass
class Terugkerend:
    selectie: dict
    niveau: str
    drempel: int
    kleine_cel: int
    combinaties: list[Combinatie] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"soort": "terugkerend", "selectie": self.selectie, "niveau": self.niveau, "drempel": self.drempel,
                "kleine_cel": self.kleine_cel, "combinaties": [c.to_dict() for c in self.combinaties],
                "toelichting": f"Dezelfde combinatie ({self.niveau}) in minstens {self.drempel} casussen: volgens "
                               "de casusbundel een signaal van een systeemfout."}

    def tabellen(self) -> list[Tabel]:
        t = Tabel("terugkerend", "Terugkerende combinaties", [
            "knelpunt", "wet", "organisatie", "casussen", "eerste jaar", "laatste jaar", "leerpunt", "casus-ids"])
        t.rijen = [[c.knelpunt, c.wet, c.organisatie, c.aantal, c.eerste_jaar, c.laatste_jaar, c.leerpunt,
                    c.casussen or []] for c in self.combinaties]
        return [t]


def terugkerend(store: GraphStore, selectie: Selectie | None = None, *, drempel: int = DEFAULT_DREMPEL,
                niveau: str = NIVEAUS[0], kleine_cel: int = 5, met_casussen: bool = True,
                limit: int | None = None, corpus: Corpus | None = None) -> Terugkerend:
    if niveau not in NIVEAUS:
        raise ValueError(f"niveau moet een van {', '.join(NIVEAUS)} zijn")
    if drempel < 2:
        raise ValueError("drempel moet minstens 2 zijn")
    selectie = selectie or Selectie()
    corpus = corpus or load(store, selectie, ("knelpunt", "wet", "organisatie"), leerpunten=True)
    with_orgs = niveau == NIVEAUS[0]
    groups: dict[tuple, list] = defaultdict(list)
    for case in corpus.cases.values():
        knelpunten = cats.case_targets(case.get("knelpunt"), "apart")
        orgs = sorted(case.get("organisatie")) if with_orgs else [None]
        for k in knelpunten:
            for w in case.get("wet"):
                for o in orgs:
                    groups[(k, w, o)].append(case)
    out = Terugkerend(selectie.describe(), niveau, drempel, kleine_cel)
    found: list[tuple[int, Combinatie]] = []
    for (k, w, o), cases in groups.items():
        if len(cases) < drempel:
            continue
        years = sorted({c.jaar for c in cases if c.jaar is not None})
        n_lp = len({lp["leerpunt"] for c in cases for lp in c.leerpunten})
        found.append((len(cases), Combinatie(
            knelpunt=cats.target_info(k).naam, knelpunt_sleutel=k, wet=w, organisatie=o,
            aantal=shown(len(cases), kleine_cel), eerste_jaar=years[0] if years else None,
            laatste_jaar=years[-1] if years else None, jaren=years, leerpunt=n_lp > 0,
            leerpunten=shown(n_lp, kleine_cel),
            casussen=sorted(c.id for c in cases) if met_casussen else None)))
    # ranked on the raw count (the published one may be suppressed)
    found.sort(key=lambda t: (-t[0], -len(t[1].jaren), -(t[1].laatste_jaar or 0), t[1].knelpunt, t[1].wet,
                              t[1].organisatie or ""))
    out.combinaties = [c for _, c in found]
    if limit is not None:
        out.combinaties = out.combinaties[:limit]
    return out
