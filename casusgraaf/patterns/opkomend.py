"""Emerging themes: facts and fact combinations whose share of cases in a target year is significantly
higher than in the years before.

Items: single facts (wet, organisatie, leefgebied, knelpunt on the current categories) and pairs
(knelpunt + wet, wet + organisatie). For each item: ``a`` of the ``n1`` cases of the target year and ``b``
of the ``n0`` cases before carry it; the test is a **one-sided Fisher exact test** (hypergeometric tail,
H1: the share rose), with Benjamini-Hochberg adjusted p-values (``q``) over all items tested. An item is
tested only when ``a >= min_aantal`` (default: the suppression threshold, at least 3), so no bare ratio of
tiny counts appears. A pair whose cases are exactly those of one of its parts adds nothing and is left out.
Ranked by p-value, then fewer parts, then ``a``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from casusgraaf.graph import GraphStore
from casusgraaf.patterns import categories as cats
from casusgraaf.patterns.data import Corpus, Selectie, load
from casusgraaf.patterns.stats import benjamini_hochberg, fisher_greater, round_sig
from casusgraaf.patterns.suppression import shown
from casusgraaf.patterns.tables import Tabel

TOETS = "Fisher exact, eenzijdig (aandeel gestegen); q = Benjamini-Hochberg"
SINGLE = ("knelpunt", "wet", "organisatie", "leefgebied")
PAIRS = (("knelpunt", "wet"), ("wet", "organisatie"))


@dataclass
class Thema:
    soort: str
    thema: str
    aantal: object
    casussen_jaar: int
    aantal_voor: object
    casussen_voor: int
    aandeel: float | None
    aandeel_voor: float | None
    p_waarde: float
    q_waarde: float
    significant: bool

    def to_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class Opkomend:
    selectie: dict
    jaar: int | None
    voor: list[int]
    alpha: float
    min_aantal: int
    drempel: int
    themas: list[Thema] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"soort": "opkomend", "selectie": self.selectie, "jaar": self.jaar, "voor": self.voor,
                "toets": TOETS, "alpha": self.alpha, "min_aantal": self.min_aantal, "drempel": self.drempel,
                "themas": [t.to_dict() for t in self.themas]}

    def tabellen(self) -> list[Tabel]:
        t = Tabel("opkomend", f"Opkomende thema's in {self.jaar}", [
            "soort", "thema", f"casussen {self.jaar}", "aandeel", "casussen ervoor", "aandeel ervoor", "p", "q",
            "significant"])
        t.rijen = [[x.soort, x.thema, x.aantal, x.aandeel, x.aantal_voor, x.aandeel_voor, x.p_waarde, x.q_waarde,
                    x.significant] for x in self.themas]
        return [t]


def _case_items(case) -> dict[str, set[str]]:
    facts = {k: set(case.get(k)) for k in SINGLE}
    facts["knelpunt"] = set(cats.case_targets(case.get("knelpunt"), "apart"))
    items: dict[str, set[str]] = {}
    for k in SINGLE:
        for v in facts[k]:
            items.setdefault(k, set()).add(v)
    for a, b in PAIRS:
        for x in facts[a]:
            for y in facts[b]:
                items.setdefault(f"{a}+{b}", set()).add(f"{x} + {y}")
    return items


def _label(soort: str, thema: str) -> str:
    if not soort.startswith("knelpunt"):
        return thema
    key, _, rest = thema.partition(" + ")
    return cats.target_info(key).naam + (f" + {rest}" if rest else "")


def opkomend(store: GraphStore, selectie: Selectie | None = None, *, jaar: int | None = None,
             alpha: float = 0.05, min_aantal: int | None = None, drempel: int = 5, alleen_significant: bool = False,
             limit: int | None = 50, corpus: Corpus | None = None) -> Opkomend:
    selectie = selectie or Selectie()
    corpus = corpus or load(store, selectie, ("knelpunt", "wet", "organisatie", "leefgebied"))
    years = corpus.years()
    jaar = jaar if jaar is not None else (years[-1] if years else None)
    floor = min_aantal if min_aantal is not None else max(drempel, 3)
    before_years = [y for y in years if jaar is not None and y < jaar]
    out = Opkomend(selectie.describe(), jaar, before_years, alpha, floor, drempel)
    target = [c for c in corpus.cases.values() if c.jaar == jaar]
    before = [c for c in corpus.cases.values() if c.jaar is not None and jaar is not None and c.jaar < jaar]
    if not target or not before:
        return out
    cases_of: dict[tuple[str, str], set[str]] = defaultdict(set)
    in_target = {c.id for c in target}
    for case in target + before:
        for soort, values in _case_items(case).items():
            for v in values:
                cases_of[(soort, v)].add(case.id)
    n1 = len(target)
    single_sets = {v: ids for (s, v), ids in cases_of.items() if "+" not in s}
    # A knelpunt category is compared only with the years whose taxonomy can express it (no "rise" of
    # Kennis en kunde just because AC2023 had no such category).
    taxonomies: dict[int, set[str]] = defaultdict(set)
    for case in before:
        taxonomies[int(case.jaar or 0)] |= {i.split(":", 1)[0] for i in case.get("knelpunt")}
    by_year: dict[int, list] = defaultdict(list)
    for case in before:
        by_year[int(case.jaar or 0)].append(case)
    base_cache: dict[frozenset, tuple[int, set[str]]] = {}

    def base_of(years: frozenset) -> tuple[int, set[str]]:
        if years not in base_cache:
            ids = {c.id for j in years for c in by_year[j]}
            base_cache[years] = (len(ids), ids)
        return base_cache[years]

    all_years = frozenset(by_year)
    tested = []
    for (soort, thema), ids in cases_of.items():
        compared: frozenset[int] = all_years
        if soort.startswith("knelpunt"):
            key = thema.split(" + ")[0]
            compared = frozenset(j for j in by_year if cats.measurable(key, taxonomies[j]))
        elif soort == "leefgebied":
            compared = frozenset(j for j in by_year if cats.leefgebied_on_list(thema, j))
        n0, base_ids = base_of(compared)
        a = len(ids & in_target)
        b = len(ids & base_ids)
        if n0 == 0 or a < floor or a / n1 <= b / n0:
            continue
        if "+" in soort and any(single_sets.get(part) == ids for part in thema.split(" + ")):
            continue
        tested.append((soort, _label(soort, thema), a, b, n0, fisher_greater(a, n1, b, n0)))
    qs = benjamini_hochberg([t[5] for t in tested])
    themas = []
    for (soort, thema, a, b, n0, p), q in zip(tested, qs, strict=True):
        themas.append(Thema(soort=soort, thema=thema, aantal=shown(a, drempel), casussen_jaar=n1,
                            aantal_voor=shown(b, drempel), casussen_voor=n0, aandeel=round(a / n1, 3),
                            aandeel_voor=None if isinstance(shown(b, drempel), str) else round(b / n0, 3),
                            p_waarde=round_sig(p, 2) or 0.0, q_waarde=round_sig(q, 2) or 0.0, significant=q < alpha))
    order = sorted(range(len(tested)), key=lambda i: (tested[i][5], "+" in tested[i][0], -tested[i][2],
                                                      tested[i][1]))
    out.themas = [themas[i] for i in order if themas[i].significant or not alleen_significant]
    if limit is not None:
        out.themas = out.themas[:limit]
    return out
