"""Recurrence: the casusbundel heuristic (CB2022) that the same knelpunt + law (+ organisation), or the
same kind of maatwerk, four or five times signals a *systeemfout*.

A combination is a current knelpunt category (crosswalk applied: 2A in 2021 and Wet- en regelgeving in 2024
are one) with a law (benefits resolved to their law) and, at the default ``niveau``, an organisation (the
Loket/PMM excluded). Every combination in at least ``drempel`` cases (default 4) is listed with its cases,
first and last year, and whether a leerpunt came out of one of its cases.

``niveau="maatwerk"`` groups on the kind of maatwerk instead: a law with the interventie the Loket used
for it (as a JR2024 function; the earlier EV codes are read through ``interventies.yaml``, so ``UO`` in 2021
and ``informele gezagsfunctie`` in 2024 are one kind). The interventie ``anders`` is not a kind and is left out. Ranked by number of cases, then
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
NIVEAUS = ("knelpunt+wet+organisatie", "knelpunt+wet", "maatwerk")
NOT_A_KIND = {"anders"}


@dataclass
class Combinatie:
    knelpunt: str | None
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
    interventie: str | None = None

    def to_dict(self) -> dict:
        d = {"knelpunt": self.knelpunt, "knelpunt_sleutel": self.knelpunt_sleutel, "wet": self.wet,
             "organisatie": self.organisatie, "interventie": self.interventie, "aantal": self.aantal, "eerste_jaar": self.eerste_jaar,
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
        wat = "hetzelfde soort maatwerk (wet + interventie)" if self.niveau == "maatwerk" else \
            f"dezelfde combinatie ({self.niveau})"
        return {"soort": "terugkerend", "selectie": self.selectie, "niveau": self.niveau, "drempel": self.drempel,
                "kleine_cel": self.kleine_cel, "combinaties": [c.to_dict() for c in self.combinaties],
                "toelichting": f"{wat[0].upper()}{wat[1:]} in minstens {self.drempel} casussen: volgens de "
                               "casusbundel een signaal van een systeemfout."}

    def tabellen(self) -> list[Tabel]:
        parts = ["wet", "interventie"] if self.niveau == "maatwerk" else ["knelpunt", "wet", "organisatie"]
        t = Tabel("terugkerend", "Terugkerende combinaties", [
            *parts, "casussen", "eerste jaar", "laatste jaar", "leerpunt", "casus-ids"])
        t.rijen = [[getattr(c, p) for p in parts] + [c.aantal, c.eerste_jaar, c.laatste_jaar, c.leerpunt,
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
    groups: dict[tuple, list] = defaultdict(list)
    for case in corpus.cases.values():
        for key in _keys(case, niveau):
            groups[key].append(case)
    out = Terugkerend(selectie.describe(), niveau, drempel, kleine_cel)
    found: list[tuple[int, Combinatie]] = []
    for (k, w, o, iv), cases in groups.items():
        if len(cases) < drempel:
            continue
        years = sorted({c.jaar for c in cases if c.jaar is not None})
        n_lp = len({lp["leerpunt"] for c in cases for lp in c.leerpunten})
        found.append((len(cases), Combinatie(
            knelpunt=cats.target_info(k).naam if k else None, knelpunt_sleutel=k or "", wet=w, organisatie=o,
            interventie=iv,
            aantal=shown(len(cases), kleine_cel), eerste_jaar=years[0] if years else None,
            laatste_jaar=years[-1] if years else None, jaren=years, leerpunt=n_lp > 0,
            leerpunten=shown(n_lp, kleine_cel),
            casussen=sorted(c.id for c in cases) if met_casussen else None)))
    # ranked on the raw count (the published one may be suppressed)
    found.sort(key=lambda t: (-t[0], -len(t[1].jaren), -(t[1].laatste_jaar or 0), t[1].knelpunt or "", t[1].wet,
                              t[1].organisatie or "", t[1].interventie or ""))
    out.combinaties = [c for _, c in found]
    if limit is not None:
        out.combinaties = out.combinaties[:limit]
    return out


def _keys(case, niveau: str) -> list[tuple[str | None, str, str | None, str | None]]:
    """The combinations (knelpunt, wet, organisatie, interventie) one case takes part in at ``niveau``."""
    wetten = sorted(case.get("wet"))
    if niveau == "maatwerk":
        return [(None, w, None, iv) for w in wetten for iv in sorted(case.interventies - NOT_A_KIND)]
    orgs: list[str | None] = list(sorted(case.get("organisatie"))) if niveau == NIVEAUS[0] else [None]
    return [(k, w, o, None) for k in cats.case_targets(case.get("knelpunt"), "apart") for w in wetten for o in orgs]
