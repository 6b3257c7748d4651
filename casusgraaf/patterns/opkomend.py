"""Emerging themes: facts, fact combinations and terms whose share of cases in a target period is
significantly higher than before it.

The target period is a year (``jaar``, default the latest) compared with the years before it, or the last
``maanden`` months (default 12 when asked for; dated by ``datum_aanmelding``, else ``datum_afronding``)
compared with everything dated before them; cases without a date are then left out and counted.

Items: single facts (wet, organisatie, leefgebied, knelpunt on the current categories) and pairs
(knelpunt + wet, wet + organisatie). For each item: ``a`` of the ``n1`` cases of the target year and ``b``
of the ``n0`` cases before carry it; the test is a **one-sided Fisher exact test** (hypergeometric tail,
H1: the share rose), with Benjamini-Hochberg adjusted p-values (``q``) over all items tested. An item is
tested only when ``a >= min_aantal`` (default: the suppression threshold, at least 3), so no bare ratio of
tiny counts appears. A pair whose cases are exactly those of one of its parts adds nothing and is left out.
Ranked by p-value, then fewer parts, then ``a``.

Terms (``termen``, see :mod:`casusgraaf.patterns.termen`: lower-case content words of the text, lemmatised)
are tested the same way as a second family with their own Benjamini-Hochberg correction, and listed
separately, so a flood of words never dilutes the entity themes and a word never outranks them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from casusgraaf.graph import GraphStore, load_query
from casusgraaf.patterns import categories as cats
from casusgraaf.patterns.data import Corpus, Selectie, load
from casusgraaf.patterns.stats import benjamini_hochberg, fisher_greater, round_sig
from casusgraaf.patterns.suppression import shown
from casusgraaf.patterns.tables import Tabel
from casusgraaf.patterns.termen import case_terms

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
    periode: dict = field(default_factory=dict)
    themas: list[Thema] = field(default_factory=list)
    termen: list[Thema] | None = None
    zonder_datum: int = 0

    @property
    def label(self) -> str:
        if self.jaar is not None:
            return str(self.jaar)
        return f"{self.periode.get('van')} – {self.periode.get('tot')}" if self.periode else "–"

    def to_dict(self) -> dict:
        d = {"soort": "opkomend", "selectie": self.selectie, "jaar": self.jaar, "periode": self.periode,
             "voor": self.voor, "toets": TOETS, "alpha": self.alpha, "min_aantal": self.min_aantal,
             "drempel": self.drempel, "themas": [t.to_dict() for t in self.themas]}
        if self.termen is not None:
            d["termen"] = [t.to_dict() for t in self.termen]
        if self.periode.get("maanden"):
            d["zonder_datum"] = self.zonder_datum
        return d

    def tabellen(self) -> list[Tabel]:
        cols = ["soort", "thema", f"casussen {self.label}", "aandeel", "casussen ervoor", "aandeel ervoor", "p", "q",
                "significant"]
        out = []
        for key, titel, rows in (("opkomend", "Opkomende thema's", self.themas),
                                 ("opkomend_termen", "Opkomende termen", self.termen)):
            if rows is None:
                continue
            t = Tabel(key, f"{titel} in {self.label}", cols)
            t.rijen = [[x.soort, x.thema, x.aantal, x.aandeel, x.aantal_voor, x.aandeel_voor, x.p_waarde,
                        x.q_waarde, x.significant] for x in rows]
            out.append(t)
        return out


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


def _ref_date(case) -> date | None:
    for value in (case.datum_aanmelding, case.datum_afronding):
        if value:
            try:
                return date.fromisoformat(str(value)[:10])
            except ValueError:
                continue
    return None


def _months_before(d: date, months: int) -> date:
    y, m = divmod(d.year * 12 + d.month - 1 - months, 12)
    m += 1
    days = [31, 29 if y % 4 == 0 and (y % 100 != 0 or y % 400 == 0) else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    return date(y, m, min(d.day, days[m - 1]))


def opkomend(store: GraphStore, selectie: Selectie | None = None, *, jaar: int | None = None,
             maanden: int | None = None, alpha: float = 0.05, min_aantal: int | None = None, drempel: int = 5,
             alleen_significant: bool = False, termen: bool = True, limit: int | None = 50,
             corpus: Corpus | None = None) -> Opkomend:
    """Emerging themes in ``jaar`` (default: the latest year) or, with ``maanden``, in the last that many
    months; ``termen=False`` leaves the text terms out (and does not read the texts)."""
    if maanden is not None and maanden < 1:
        raise ValueError("maanden moet minstens 1 zijn")
    selectie = selectie or Selectie()
    corpus = corpus or load(store, selectie, ("knelpunt", "wet", "organisatie", "leefgebied"))
    years = corpus.years()
    floor = min_aantal if min_aantal is not None else max(drempel, 3)
    if maanden is not None:
        dated = {c.id: d for c in corpus.cases.values() if (d := _ref_date(c)) is not None}
        latest = max(dated.values()) if dated else None
        cutoff = _months_before(latest, maanden) if latest else None
        target = [c for c in corpus.cases.values() if c.id in dated and cutoff and dated[c.id] > cutoff]
        before = [c for c in corpus.cases.values() if c.id in dated and cutoff and dated[c.id] <= cutoff]
        periode = {"maanden": maanden, "van": cutoff.isoformat() if cutoff else None,
                   "tot": latest.isoformat() if latest else None}
        out = Opkomend(selectie.describe(), None, sorted({int(c.jaar) for c in before if c.jaar is not None}),
                       alpha, floor, drempel, periode, zonder_datum=len(corpus.cases) - len(dated))
    else:
        jaar = jaar if jaar is not None else (years[-1] if years else None)
        target = [c for c in corpus.cases.values() if c.jaar == jaar]
        before = [c for c in corpus.cases.values() if c.jaar is not None and jaar is not None and c.jaar < jaar]
        out = Opkomend(selectie.describe(), jaar, [y for y in years if jaar is not None and y < jaar], alpha, floor,
                       drempel, {"jaar": jaar})
    if termen:
        out.termen = []
    if not target or not before:
        return out
    # A knelpunt category is compared only with the years whose taxonomy can express it (no "rise" of
    # Kennis en kunde just because AC2023 had no such category); a leefgebied only with the years whose list
    # has it.
    taxonomies: dict[int, set[str]] = defaultdict(set)
    by_year: dict[int, list] = defaultdict(list)
    for case in before:
        taxonomies[int(case.jaar or 0)] |= {i.split(":", 1)[0] for i in case.get("knelpunt")}
        by_year[int(case.jaar or 0)].append(case)

    def compared_years(soort: str, thema: str) -> frozenset[int]:
        if soort.startswith("knelpunt"):
            return frozenset(j for j in by_year if cats.measurable(thema.split(" + ")[0], taxonomies[j]))
        if soort == "leefgebied":
            return frozenset(j for j in by_year if cats.leefgebied_on_list(thema, j))
        return frozenset(by_year)

    test = _Tester(target, before, by_year, floor, drempel, alpha)
    out.themas = test.run({c.id: _case_items(c) for c in target + before}, compared_years, _label,
                          alleen_significant, limit)
    if termen:
        wanted = {c.id for c in target + before}
        rng = {"van": selectie.van, "tot": selectie.tot}
        texts = {r["id"]: {"term": case_terms(r["tekst"] or "")}
                 for r in store.run(load_query("patterns_teksten"), rng) if r["id"] in wanted}
        out.termen = test.run(texts, lambda _s, _t: frozenset(by_year), lambda _s, t: t, alleen_significant, limit)
    return out


class _Tester:
    """One family of tests: items per case → Fisher tests → BH → suppressed, ranked :class:`Thema` rows."""

    def __init__(self, target: list, before: list, by_year: dict[int, list], floor: int, drempel: int,
                 alpha: float) -> None:
        self.in_target = {c.id for c in target}
        self.n1 = len(target)
        self.by_year = by_year
        self.floor, self.drempel, self.alpha = floor, drempel, alpha
        self._base: dict[frozenset, tuple[int, set[str]]] = {}

    def base_of(self, years: frozenset) -> tuple[int, set[str]]:
        if years not in self._base:
            ids = {c.id for j in years for c in self.by_year[j]}
            self._base[years] = (len(ids), ids)
        return self._base[years]

    def run(self, items_of: dict[str, dict[str, set[str]]], compared: Callable[[str, str], frozenset[int]],
            label: Callable[[str, str], str], alleen_significant: bool, limit: int | None) -> list[Thema]:
        cases_of: dict[tuple[str, str], set[str]] = defaultdict(set)
        for cid, items in items_of.items():
            for soort, values in items.items():
                for v in values:
                    cases_of[(soort, v)].add(cid)
        single_sets = {v: ids for (s, v), ids in cases_of.items() if "+" not in s}
        n1, floor = self.n1, self.floor
        tested = []
        for (soort, thema), ids in cases_of.items():
            a = len(ids & self.in_target)
            if a < floor:
                continue
            n0, base_ids = self.base_of(compared(soort, thema))
            b = len(ids & base_ids)
            if n0 == 0 or a / n1 <= b / n0:
                continue
            if "+" in soort and any(single_sets.get(part) == ids for part in thema.split(" + ")):
                continue
            tested.append((soort, label(soort, thema), a, b, n0, fisher_greater(a, n1, b, n0)))
        qs = benjamini_hochberg([t[5] for t in tested])
        d = self.drempel
        rows = []
        for (soort, thema, a, b, n0, p), q in zip(tested, qs, strict=True):
            rows.append(Thema(soort=soort, thema=thema, aantal=shown(a, d), casussen_jaar=n1,
                              aantal_voor=shown(b, d), casussen_voor=n0, aandeel=round(a / n1, 3),
                              aandeel_voor=None if isinstance(shown(b, d), str) else round(b / n0, 3),
                              p_waarde=round_sig(p, 2) or 0.0, q_waarde=round_sig(q, 2) or 0.0,
                              significant=q < self.alpha))
        order = sorted(range(len(tested)), key=lambda i: (tested[i][5], "+" in tested[i][0], -tested[i][2],
                                                          tested[i][1]))
        ranked = [rows[i] for i in order if rows[i].significant or not alleen_significant]
        return ranked[:limit] if limit is not None else ranked
