"""Samenloop: co-occurrence within one case, with counts, lift and PMI.

Matrices: leefgebied × leefgebied, knelpunt × knelpunt (current categories; a meerduidig old code is its
own item), wet × wet, wet × organisatie, beleidsterrein × beleidsterrein. A benefit is its law
(bijstand → Participatiewet), so it never forms a "pair" with it; the Loket/PMM is not an organisation here.

``lift = n_ab · N / (n_a · n_b)`` (1 = as often as chance predicts) and ``pmi = log2(lift)``, with N the
cases that have at least one fact of the kinds involved. Pairs rank by lift among pairs with at least
``min_aantal`` cases (default: the suppression threshold, at least 2), so a pair that is common only
because both parts are common does not rank first. Lift and PMI of a suppressed pair are not published
(with the marginals they would give its count away).
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from itertools import combinations

from casusgraaf.graph import GraphStore
from casusgraaf.patterns import categories as cats
from casusgraaf.patterns.data import Corpus, Selectie, load
from casusgraaf.patterns.suppression import hidden, protect
from casusgraaf.patterns.tables import Tabel

MATRICES = {
    "leefgebied": ("leefgebied", "leefgebied"),
    "knelpunt": ("knelpunt", "knelpunt"),
    "wet": ("wet", "wet"),
    "wet-organisatie": ("wet", "organisatie"),
    "beleidsterrein": ("beleidsterrein", "beleidsterrein"),
}
TITELS = {"leefgebied": "Leefgebied × leefgebied", "knelpunt": "Knelpunt × knelpunt (JR2024-categorieën)",
          "wet": "Wet × wet", "wet-organisatie": "Wet × organisatie",
          "beleidsterrein": "Beleidsterrein × beleidsterrein"}


@dataclass
class Matrix:
    naam: str
    titel: str
    rij_soort: str
    kolom_soort: str
    casussen: int
    labels_rij: list[str]
    labels_kolom: list[str]
    cellen: list[list]  # shown counts (diagonal of a square matrix: cases with the item)
    paren: list[dict] = field(default_factory=list)


@dataclass
class Samenloop:
    selectie: dict
    drempel: int
    min_aantal: int
    matrices: dict[str, Matrix] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"soort": "samenloop", "selectie": self.selectie, "drempel": self.drempel,
                "min_aantal": self.min_aantal,
                "matrices": {k: {"titel": m.titel, "rij_soort": m.rij_soort, "kolom_soort": m.kolom_soort,
                                 "casussen": m.casussen, "labels_rij": m.labels_rij, "labels_kolom": m.labels_kolom,
                                 "cellen": m.cellen, "paren": m.paren} for k, m in self.matrices.items()}}

    def tabellen(self) -> list[Tabel]:
        out = []
        for k, m in self.matrices.items():
            t = Tabel(f"samenloop-{k}", f"Samenloop {m.titel}", ["a", "b", "casussen", "n_a", "n_b", "lift", "pmi"])
            t.rijen = [[p["a"], p["b"], p["aantal"], p["n_a"], p["n_b"], p["lift"], p["pmi"]] for p in m.paren]
            out.append(t)
        return out


def _items(case, kind: str) -> set[str]:
    values = case.get(kind)
    if kind == "knelpunt":
        return set(cats.case_targets(values, "apart"))
    return values


def _label(kind: str, key: str) -> str:
    return cats.target_info(key).naam if kind == "knelpunt" else key


def samenloop(store: GraphStore, selectie: Selectie | None = None, *, matrices: list[str] | None = None,
              drempel: int = 5, min_aantal: int | None = None, top: int = 12, max_paren: int = 25,
              corpus: Corpus | None = None) -> Samenloop:
    selectie = selectie or Selectie()
    names = matrices or list(MATRICES)
    unknown = [n for n in names if n not in MATRICES]
    if unknown:
        raise ValueError(f"onbekende matrix {unknown[0]!r}; kies uit {', '.join(MATRICES)}")
    kinds = tuple(sorted({k for n in names for k in MATRICES[n]}))
    corpus = corpus or load(store, selectie, kinds)
    floor = min_aantal if min_aantal is not None else max(drempel, 2)
    out = Samenloop(selectie.describe(), drempel, floor)
    for name in names:
        a_kind, b_kind = MATRICES[name]
        out.matrices[name] = _matrix(corpus, name, a_kind, b_kind, drempel, floor, top, max_paren)
    return out


def _matrix(corpus: Corpus, name: str, a_kind: str, b_kind: str, drempel: int, floor: int, top: int,
            max_paren: int) -> Matrix:
    square = a_kind == b_kind
    n_a: Counter = Counter()
    n_b: Counter = Counter()
    pairs: Counter = Counter()
    total = 0
    for case in corpus.cases.values():
        a_items = _items(case, a_kind)
        b_items = a_items if square else _items(case, b_kind)
        if not a_items and not b_items:
            continue
        total += 1
        n_a.update(a_items)
        if square:
            pairs.update(tuple(sorted(p)) for p in combinations(a_items, 2))
        else:
            n_b.update(b_items)
            pairs.update((a, b) for a in a_items for b in b_items)
    if square:
        n_b = n_a
    ranked = []
    for (a, b), n in pairs.items():
        if n < floor:
            continue
        lift = n * total / (n_a[a] * n_b[b])
        ranked.append((lift, n, a, b))
    ranked.sort(key=lambda t: (-t[0], -t[1], t[2], t[3]))
    counts: dict[tuple[str, ...], int] = {("p", a, b): n for (a, b), n in pairs.items()}
    counts.update({("a", a): n for a, n in n_a.items()})
    counts.update({("b", b): n for b, n in n_b.items()})
    shown = protect(counts, [], drempel)
    paren = []
    for lift, _n, a, b in ranked[:max_paren]:
        s = shown[("p", a, b)]
        paren.append({"a": _label(a_kind, a), "b": _label(b_kind, b), "aantal": s,
                      "n_a": shown[("a", a)], "n_b": shown[("b" if not square else "a", b)],
                      "lift": None if hidden(s) else round(lift, 2),
                      "pmi": None if hidden(s) else round(math.log2(lift), 2)})
    rows = [k for k, _ in sorted(n_a.items(), key=lambda t: (-t[1], t[0]))[:top]]
    cols = rows if square else [k for k, _ in sorted(n_b.items(), key=lambda t: (-t[1], t[0]))[:top]]
    cells = []
    for a in rows:
        line = []
        for b in cols:
            if square and a == b:
                line.append(shown[("a", a)])
            else:
                key = ("p", *sorted((a, b))) if square else ("p", a, b)
                line.append(shown.get(key, 0))
        cells.append(line)
    return Matrix(name, TITELS[name], a_kind, b_kind, total, [_label(a_kind, r) for r in rows],
                  [_label(b_kind, c) for c in cols], cells, paren)
