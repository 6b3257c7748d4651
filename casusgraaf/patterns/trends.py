"""Trends on one axis: cases per current knelpunt category per year, and per leefgebied per year.

Older registrations (AC2023 for 2019-2022, JR2023 for 2023) are mapped onto the JR2024 categories through
the crosswalk; every cell says whether it was registered in that taxonomy or derived (``afgeleid``).
A cell is ``None`` where no registration of that year can land on the category (not "0 cases": the
category cannot be computed for that year, e.g. ICT before 2023). See :mod:`casusgraaf.patterns.categories`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from casusgraaf.graph import GraphStore
from casusgraaf.patterns import categories as cats
from casusgraaf.patterns.data import Corpus, Selectie, load
from casusgraaf.patterns.suppression import protect
from casusgraaf.patterns.suppression import shown as shown_one
from casusgraaf.patterns.tables import Tabel


@dataclass
class Reeks:
    sleutel: str
    naam: str
    cellen: dict[int, dict]  # jaar -> {"aantal": shown, "afgeleid": bool}
    totaal: object = None
    meerduidig: bool = False
    huidig: bool = True


@dataclass
class Trends:
    selectie: dict
    jaren: list[int]
    meervoudig: str
    drempel: int
    knelpunten: list[Reeks] = field(default_factory=list)
    knelpunt_totalen: dict[int, dict] = field(default_factory=dict)
    leefgebieden: list[Reeks] = field(default_factory=list)
    leefgebied_totalen: dict[int, dict] = field(default_factory=dict)
    leefgebied_lijst: dict[int, str] = field(default_factory=dict)

    def to_dict(self) -> dict:
        def series(rows: list[Reeks]) -> dict:
            return {r.naam: {str(j): c for j, c in r.cellen.items()} for r in rows}

        return {
            "soort": "trends", "selectie": self.selectie, "jaren": self.jaren, "meervoudig": self.meervoudig,
            "drempel": self.drempel,
            "reeksen": series(self.knelpunten),
            "categorieen": [{"sleutel": r.sleutel, "naam": r.naam, "totaal": r.totaal, "meerduidig": r.meerduidig,
                             "huidig": r.huidig} for r in self.knelpunten],
            "totalen": {str(j): t for j, t in self.knelpunt_totalen.items()},
            "leefgebieden": {
                "reeksen": series(self.leefgebieden),
                "rijen": [{"naam": r.naam, "totaal": r.totaal, "huidige_lijst": r.huidig} for r in self.leefgebieden],
                "totalen": {str(j): t for j, t in self.leefgebied_totalen.items()},
                "lijst_per_jaar": {str(j): v for j, v in self.leefgebied_lijst.items()},
            },
            "toelichting": TOELICHTING,
        }

    def tabellen(self) -> list[Tabel]:
        def table(naam: str, titel: str, rows: list[Reeks], totals: dict[int, dict]) -> Tabel:
            t = Tabel(naam, titel, ["reeks", *[str(j) for j in self.jaren], "totaal", "afgeleid in"])
            for r in rows:
                derived = [str(j) for j, c in r.cellen.items() if c["afgeleid"] and c["aantal"] not in (None, 0)]
                t.rijen.append([r.naam, *[r.cellen[j]["aantal"] for j in self.jaren], r.totaal, " ".join(derived)])
            t.rijen.append(["casussen met registratie", *[totals[j]["met_registratie"] for j in self.jaren],
                            None, ""])
            return t

        return [table("knelpunten", "Casussen per knelpuntcategorie (JR2024) per jaar", self.knelpunten,
                      self.knelpunt_totalen),
                table("leefgebieden", "Casussen per leefgebied per jaar", self.leefgebieden, self.leefgebied_totalen)]


TOELICHTING = ("Aantallen zijn casussen (elke casus telt één keer per categorie). 'afgeleid': via de crosswalk "
               "(models/taxonomies/crosswalk.yaml) vanuit AC2023/JR2023, niet zo geregistreerd. Een code die naar "
               "meer categorieën wijst staat als eigen 'meerduidig' rij (meervoudig=apart) of is verdeeld volgens "
               "het aandeel in de crosswalk (meervoudig=verdeeld). null = niet te berekenen voor dat jaar. "
               "'<n' = kleine cel onderdrukt; 'x' = onderdrukt zodat een kleine cel niet terug te rekenen is.")


def trends(store: GraphStore, selectie: Selectie | None = None, *, meervoudig: str = "apart",
           drempel: int = 5, corpus: Corpus | None = None) -> Trends:
    if meervoudig not in cats.MODES:
        raise ValueError(f"meervoudig moet een van {', '.join(cats.MODES)} zijn")
    selectie = selectie or Selectie()
    corpus = corpus or load(store, selectie, ("knelpunt", "leefgebied"))
    per_year = corpus.by_year()
    jaren = list(per_year)
    out = Trends(selectie.describe(), jaren, meervoudig, drempel)

    # knelpunten
    counts: dict[tuple[str, int], float] = defaultdict(float)
    derived_any: dict[tuple[str, int], bool] = defaultdict(bool)
    registered_any: dict[tuple[str, int], bool] = defaultdict(bool)
    taxonomies: dict[int, set[str]] = defaultdict(set)
    with_kp: dict[int, int] = defaultdict(int)
    for jaar, cases in per_year.items():
        for case in cases:
            ids = case.get("knelpunt")
            if not ids:
                continue
            with_kp[jaar] += 1
            taxonomies[jaar] |= {i.split(":", 1)[0] for i in ids}
            for key, (w, afgeleid) in cats.case_targets(ids, meervoudig).items():
                counts[(key, jaar)] += w
                if afgeleid:
                    derived_any[(key, jaar)] = True
                else:
                    registered_any[(key, jaar)] = True
    keys = sorted({k for k, _ in counts} | {c for c in _current_ids()}, key=cats.order_key)
    out.knelpunten, out.knelpunt_totalen = _publish(
        keys, jaren, counts, with_kp, per_year, drempel,
        cell_meta=lambda k, j: {"afgeleid": derived_any[(k, j)] or (not registered_any[(k, j)]
                                                                    and cats.CURRENT not in taxonomies[j])},
        measurable=lambda k, j: (k, j) in counts or cats.measurable(k, taxonomies[j], meervoudig),
        info=lambda k: cats.target_info(k))

    # leefgebieden
    lcounts: dict[tuple[str, int], float] = defaultdict(float)
    with_lg: dict[int, int] = defaultdict(int)
    for jaar, cases in per_year.items():
        out.leefgebied_lijst[jaar] = cats.leefgebied_lijst(jaar)
        for case in cases:
            names = case.get("leefgebied")
            if names:
                with_lg[jaar] += 1
            for naam in names:
                lcounts[(naam, jaar)] += 1
    lkeys = sorted({k for k, _ in lcounts}, key=cats.leefgebied_order)
    out.leefgebieden, out.leefgebied_totalen = _publish(
        lkeys, jaren, lcounts, with_lg, per_year, drempel,
        cell_meta=lambda k, j: {"afgeleid": cats.leefgebied_afgeleid(k, j)},
        measurable=lambda k, j: (k, j) in lcounts or cats.leefgebied_on_list(k, j),
        info=lambda k: cats.Target(k, k, 1.0, False, huidig=cats.on_current_list(k)))
    return out


def _current_ids() -> list[str]:
    from casusgraaf.models import taxonomy

    return [c.id for c in taxonomy.load_taxonomies()[cats.CURRENT].categories]


def _num(v: float) -> float | int:
    return int(v) if float(v).is_integer() else round(v, 2)


def _publish(keys, jaren, counts, with_reg, per_year, drempel, *, cell_meta, measurable, info):
    """Suppress the cells, their row totals and the year totals together, then build the rows."""
    values: dict = {}
    groups: list[list] = []
    for k in keys:
        row = []
        for j in jaren:
            if measurable(k, j):
                values[("c", k, j)] = _num(counts.get((k, j), 0.0))
                row.append(("c", k, j))
        values[("r", k)] = _num(sum(counts.get((k, j), 0.0) for j in jaren))
        groups.append([*row, ("r", k)])
    for j in jaren:
        values[("t", j)] = with_reg.get(j, 0)
        groups.append([*[("c", k, j) for k in keys], ("t", j)])
    shown = protect(values, groups, drempel)
    rows = []
    for k in keys:
        t = info(k)
        cells = {j: {"aantal": shown.get(("c", k, j)), **cell_meta(k, j)} for j in jaren}
        rows.append(Reeks(k, t.naam, cells, shown[("r", k)], t.meerduidig, t.huidig))
    totals = {j: {"casussen": shown_one(len(per_year[j]), drempel), "met_registratie": shown[("t", j)]} for j in jaren}
    return rows, totals
