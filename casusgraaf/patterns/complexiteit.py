"""Complexity proxies per year (DOMAIN.md §8.2): leefgebieden, organisations and laws per case, and the
looptijd in weeks (median, p75, p90; number and share above 8 and above 20 weeks).

No uniform complexity measure exists; these are proxies. Per-case means and percentiles of a year with
fewer cases than the suppression threshold are not published (they would describe single cases).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from casusgraaf.graph import GraphStore
from casusgraaf.patterns.data import Corpus, Selectie, load
from casusgraaf.patterns.stats import percentile
from casusgraaf.patterns.suppression import hidden, is_small, primary_label, protect
from casusgraaf.patterns.suppression import shown as shown_one
from casusgraaf.patterns.tables import Tabel

PER_CASE = {"leefgebieden": "leefgebied", "organisaties": "organisatie", "wetten": "wet"}


@dataclass
class Complexiteit:
    selectie: dict
    drempel: int
    jaren: dict[int, dict] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"soort": "complexiteit", "selectie": self.selectie, "drempel": self.drempel,
                "jaren": {str(j): v for j, v in self.jaren.items()},
                "toelichting": "Proxies, geen maat: aantal leefgebieden, organisaties (zonder het Loket) en "
                               "wetten per casus; looptijd van aanmelding tot afronding in weken."}

    def tabellen(self) -> list[Tabel]:
        t = Tabel("complexiteit", "Complexiteit per jaar", [
            "jaar", "casussen", "gem. leefgebieden", "gem. organisaties", "gem. wetten", "looptijd bekend",
            "mediaan (wk)", "p75 (wk)", "p90 (wk)", "> 8 wk", "aandeel > 8 wk", "> 20 wk", "aandeel > 20 wk"])
        for j, v in self.jaren.items():
            lt = v["looptijd_weken"]
            t.rijen.append([j, v["casussen"], v["per_casus"]["leefgebieden"]["gemiddeld"],
                            v["per_casus"]["organisaties"]["gemiddeld"], v["per_casus"]["wetten"]["gemiddeld"],
                            lt["n"], lt["mediaan"], lt["p75"], lt["p90"], lt["boven_8"], lt["aandeel_boven_8"],
                            lt["boven_20"], lt["aandeel_boven_20"]])
        return [t]


def looptijd_stats(weeks: list[int], drempel: int) -> dict:
    """Median/p75/p90 and the > 8 / > 20 week counts of a list of looptijden, suppressed."""
    n = len(weeks)
    b8 = sum(1 for w in weeks if w > 8)
    b20 = sum(1 for w in weeks if w > 20)
    tot4 = sum(1 for w in weeks if w <= 4)
    shown = protect({"n": n, "boven_8": b8, "tot_8": n - b8, "boven_20": b20, "tot_20": n - b20, "tot_4": tot4},
                    [["boven_8", "tot_8", "n"], ["boven_20", "tot_20", "n"]], drempel)
    too_few = is_small(n, drempel)
    label = primary_label(drempel)

    def pct(q: float):
        if too_few:
            return label
        v = percentile(weeks, q)
        return None if v is None else round(v, 1)

    def share(key: str, count: int):
        if hidden(shown[key]) or hidden(shown["n"]) or n == 0:
            return None
        return round(count / n, 3)

    return {"n": shown["n"], "mediaan": pct(50), "p75": pct(75), "p90": pct(90),
            "tot_4": shown["tot_4"], "tot_8": shown["tot_8"], "boven_8": shown["boven_8"],
            "aandeel_boven_8": share("boven_8", b8), "boven_20": shown["boven_20"],
            "aandeel_boven_20": share("boven_20", b20)}


def complexiteit(store: GraphStore, selectie: Selectie | None = None, *, drempel: int = 5,
                 corpus: Corpus | None = None) -> Complexiteit:
    selectie = selectie or Selectie()
    corpus = corpus or load(store, selectie, ("leefgebied", "organisatie", "wet"))
    out = Complexiteit(selectie.describe(), drempel)
    for jaar, cases in corpus.by_year().items():
        n = len(cases)
        few = is_small(n, drempel)
        per_case = {}
        for name, kind in PER_CASE.items():
            counts = [len(c.get(kind)) for c in cases]
            per_case[name] = {
                "gemiddeld": primary_label(drempel) if few else round(sum(counts) / n, 2),
                "mediaan": primary_label(drempel) if few else percentile(counts, 50),
                "max": primary_label(drempel) if few else max(counts),
            }
        weeks = [c.looptijd_weken for c in cases if c.looptijd_weken is not None]
        out.jaren[jaar] = {"casussen": shown_one(n, drempel), "per_casus": per_case,
                           "looptijd_weken": looptijd_stats(weeks, drempel)}
    return out
