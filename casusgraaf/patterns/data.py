"""Per-case facts for the figures, read through the named ``patterns_*`` queries.

Every pattern function loads what it needs into a :class:`Corpus` (one :class:`CaseFacts` per case) and
aggregates in Python: distinct-case counting after the crosswalk, benefit→law resolution and
suppression cannot be done correctly by a per-category Cypher count.

* Registered facts only by default (``bron = 'registratie'``); ``met_extractie=True`` adds the facts the
  NLP extracted, and every result then says so (``bronnen``).
* A benefit counts as the law it rests on (gazetteer ``implies``: bijstand → Participatiewet).
* Organisations of soort ``pmm`` (the Loket, PMM, the LET) are not betrokken organisaties in the figures.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from casusgraaf.graph import GraphStore, load_query
from casusgraaf.models import gazetteer
from casusgraaf.models.resolve import get_resolver
from casusgraaf.models.taxonomy import interventie_functie

KINDS = ("knelpunt", "wet", "organisatie", "leefgebied", "beleidsterrein")
_QUERY = {"knelpunt": "patterns_knelpunten", "wet": "patterns_wetten", "organisatie": "patterns_organisaties",
          "leefgebied": "patterns_leefgebieden", "beleidsterrein": "patterns_beleidsterreinen"}
EXCLUDED_ORG_SOORTEN = ["pmm"]


@dataclass(frozen=True)
class Selectie:
    """Which cases a figure covers: a year range and the usual filters (all optional)."""

    van: int | None = None
    tot: int | None = None
    met_extractie: bool = False
    wet: tuple[str, ...] = ()
    organisatie: tuple[str, ...] = ()
    leefgebied: tuple[str, ...] = ()
    indiener_type: str | None = None
    uitkomst: str | None = None

    @property
    def bronnen(self) -> list[str]:
        return ["registratie", "extractie"] if self.met_extractie else ["registratie"]

    def with_years(self, van: int | None, tot: int | None) -> Selectie:
        return Selectie(van, tot, self.met_extractie, self.wet, self.organisatie, self.leefgebied,
                        self.indiener_type, self.uitkomst)

    def describe(self) -> dict:
        out: dict = {"van": self.van, "tot": self.tot, "bronnen": self.bronnen}
        for key in ("wet", "organisatie", "leefgebied"):
            if getattr(self, key):
                out[key] = list(getattr(self, key))
        for key in ("indiener_type", "uitkomst"):
            if getattr(self, key):
                out[key] = getattr(self, key)
        return out


@dataclass
class CaseFacts:
    id: str
    jaar: int | None
    looptijd_weken: int | None = None
    indiener_type: str | None = None
    uitkomst: str | None = None
    status: str | None = None
    datum_afronding: str | None = None
    datum_aanmelding: str | None = None
    # the kinds of maatwerk the Loket used, as JR2024 functions (EV codes read through the crosswalk)
    interventies: frozenset[str] = frozenset()
    facts: dict[str, set[str]] = field(default_factory=dict)
    leerpunten: list[dict] = field(default_factory=list)
    indiener: dict | None = None

    def get(self, kind: str) -> set[str]:
        return self.facts.get(kind, set())


@dataclass
class Corpus:
    selectie: Selectie
    cases: dict[str, CaseFacts]

    def years(self) -> list[int]:
        return sorted({c.jaar for c in self.cases.values() if c.jaar is not None})

    def by_year(self) -> dict[int, list[CaseFacts]]:
        out: dict[int, list[CaseFacts]] = {}
        for c in self.cases.values():
            if c.jaar is not None:
                out.setdefault(c.jaar, []).append(c)
        return dict(sorted(out.items()))


@lru_cache(maxsize=4096)
def law_of(name: str) -> str:
    """The law a benefit or scheme rests on (gazetteer ``implies``), else the name itself."""
    seen = {name}
    entry = gazetteer.wet_by_canonical(name)
    while entry is not None and entry.implies and entry.implies not in seen:
        name = entry.implies
        seen.add(name)
        entry = gazetteer.wet_by_canonical(name)
    return name


def load(store: GraphStore, selectie: Selectie, kinds: tuple[str, ...] = KINDS, *,
         leerpunten: bool = False, indieners: bool = False) -> Corpus:
    """The cases of ``selectie`` with their facts of ``kinds`` (and leerpunten / indieners on request)."""
    rng = {"van": selectie.van, "tot": selectie.tot}
    cases = {r["id"]: CaseFacts(id=r["id"], jaar=r["jaar"], looptijd_weken=r["looptijd_weken"],
                                indiener_type=r["indiener_type"], uitkomst=r["uitkomst"], status=r["status"],
                                datum_afronding=r["datum_afronding"], datum_aanmelding=r["datum_aanmelding"],
                                interventies=frozenset(interventie_functie(x) for x in r["interventies"] or ()))
             for r in store.run(load_query("patterns_cases"), rng)}
    needed = set(kinds) | {k for k in ("wet", "organisatie", "leefgebied") if getattr(selectie, k)}
    for kind in KINDS:
        if kind not in needed:
            continue
        params = {**rng, "bronnen": selectie.bronnen}
        if kind == "organisatie":
            params["uitgesloten"] = EXCLUDED_ORG_SOORTEN
        for r in store.run(load_query(_QUERY[kind]), params):
            case = cases.get(r["id"])
            if case is None:
                continue
            keys = [k for k in r["sleutels"] if k is not None]
            case.facts[kind] = {law_of(k) for k in keys} if kind == "wet" else set(keys)
    if leerpunten:
        for r in store.run(load_query("patterns_leerpunten"), {**rng, "bronnen": selectie.bronnen}):
            if r["id"] in cases:
                cases[r["id"]].leerpunten.append(r)
    if indieners:
        for r in store.run(load_query("patterns_indieners"), rng):
            if r["id"] in cases:
                cases[r["id"]].indiener = r
    return Corpus(selectie, {cid: c for cid, c in cases.items() if _selected(c, selectie)})


def _selected(case: CaseFacts, s: Selectie) -> bool:
    if s.indiener_type and case.indiener_type != s.indiener_type:
        return False
    if s.uitkomst and case.uitkomst != s.uitkomst:
        return False
    for kind in ("wet", "organisatie", "leefgebied"):
        wanted = getattr(s, kind)
        if wanted:
            have = {v.lower() for v in case.get(kind)}
            keys = [get_resolver().key(kind, w) for w in wanted]
            wanted_keys = {(law_of(k) if kind == "wet" else k).lower() for k in keys}
            if not have & wanted_keys:
                return False
    return True
