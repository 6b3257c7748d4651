"""One entity across the cases (the pages /wetten/{naam}, /organisaties/{naam}, /leefgebieden/{naam}):
the cases it appears in, how many per year, and the entities that co-occur with it most.

The name is resolved like a filter (aliases and benefits: ``bijstand`` is the Participatiewet), and the same
registered-only rule and small-cell suppression as every other figure apply to the counts. The case list
holds ids, years and outcomes only (no titles, no text); it links to the case pages.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from casusgraaf.graph import GraphStore
from casusgraaf.models.resolve import get_resolver
from casusgraaf.patterns import categories as cats
from casusgraaf.patterns.data import KINDS, Corpus, Selectie, law_of, load
from casusgraaf.patterns.suppression import protect, shown
from casusgraaf.patterns.tables import Tabel

SOORTEN = ("wet", "organisatie", "leefgebied")
TOP = 10


@dataclass
class Entiteit:
    soort: str
    naam: str
    selectie: dict
    casussen: int
    drempel: int
    per_jaar: dict[str, object] = field(default_factory=dict)
    samen_met: dict[str, list[dict]] = field(default_factory=dict)
    lijst: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"soort": self.soort, "naam": self.naam, "selectie": self.selectie, "casussen": self.casussen,
                "drempel": self.drempel, "per_jaar": self.per_jaar, "samen_met": self.samen_met,
                "lijst": self.lijst}

    def tabellen(self) -> list[Tabel]:
        jaar = Tabel("per_jaar", f"Casussen met {self.naam} per jaar", ["jaar", "casussen"],
                     [[j, n] for j, n in self.per_jaar.items()])
        samen = Tabel("samen_met", f"Vaakst samen met {self.naam}", ["soort", "naam", "casussen"],
                      [[k, x["naam"], x["aantal"]] for k, rows in self.samen_met.items() for x in rows])
        lijst = Tabel("casussen", f"Casussen met {self.naam}", ["casus", "jaar", "uitkomst"],
                      [[c["id"], c["jaar"], c["uitkomst"]] for c in self.lijst])
        return [jaar, samen, lijst]


def entiteit(store: GraphStore, soort: str, naam: str, selectie: Selectie | None = None, *, drempel: int = 5,
             corpus: Corpus | None = None) -> Entiteit | None:
    """The entity ``naam`` of ``soort`` (wet, organisatie, leefgebied); None when no case has it."""
    if soort not in SOORTEN:
        raise ValueError(f"soort moet een van {', '.join(SOORTEN)} zijn")
    base = selectie or Selectie()
    key = get_resolver().key(soort, naam)
    key = law_of(key) if soort == "wet" else key
    sel = Selectie(base.van, base.tot, base.met_extractie, **{soort: (key,)})  # type: ignore[arg-type]
    corpus = corpus or load(store, sel, KINDS)
    if not corpus.cases:
        return None
    cases = sorted(corpus.cases.values(), key=lambda c: (-(c.jaar or 0), c.id))
    label = next((v for c in cases for v in c.get(soort) if v.lower() == key.lower()), key)
    years = Counter(str(c.jaar) for c in cases if c.jaar is not None)
    # the years add up to the total (plus cases without a year): a hidden year must not be recomputable
    values: dict[str, float | None] = {**dict(sorted(years.items())), "totaal": len(cases),
                                       "zonder jaar": len(cases) - sum(years.values())}
    published = protect(values, [list(values)], drempel)
    out = Entiteit(soort, label, sel.describe(), len(cases), drempel,
                   per_jaar={j: published[j] for j in sorted(years)})
    for kind in KINDS:
        counts: Counter[str] = Counter()
        for c in cases:
            facts = cats.case_targets(c.get(kind), "apart") if kind == "knelpunt" else c.get(kind)
            counts.update(v for v in set(facts) if not (kind == soort and v.lower() == key.lower()))
        top = counts.most_common(TOP)
        out.samen_met[kind] = [{"naam": cats.target_info(v).naam if kind == "knelpunt" else v,
                                "aantal": shown(n, drempel)} for v, n in top]
    out.lijst = [{"id": c.id, "jaar": c.jaar, "uitkomst": c.uitkomst} for c in cases]
    return out
