"""Structural signal: shared wetten, organisaties, leefgebieden, beleidsterreinen and knelpunt categories.

Each shared fact counts with its rarity (idf: a fact every case has says little), its kind's weight,
and its provenance (registered facts weigh more than extracted ones). Knelpunt categories also match
across taxonomy versions through the crosswalk (e.g. AC2023 code 3 ~ JR2024 Samenwerking), at a discount.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from casusgraaf.models import vocabulary

# Kinds and weights of facts come from the fact vocabulary (models/schema.yaml, ``facts``).
KIND_WEIGHTS = vocabulary.structural_weights()
BRON_WEIGHTS = {"registratie": 1.0, "extractie": 0.6}
CROSSWALK_DISCOUNT = 0.7

Fact = tuple[str, str]  # (relationship kind, key)


@dataclass
class StructureIndex:
    ids: list[str]
    facts: dict[str, dict[Fact, float]]  # case id → fact → provenance weight
    postings: dict[Fact, tuple[np.ndarray, np.ndarray]]  # fact → (case positions, provenance weights)
    idf: dict[Fact, float]
    equivalents: dict[str, set[str]]  # knelpunt category id → crosswalk-equivalent ids

    @classmethod
    def build(cls, ids: list[str], rows: list[dict], crosswalk: list[tuple[str, str]]) -> StructureIndex:
        pos = {cid: i for i, cid in enumerate(ids)}
        facts: dict[str, dict[Fact, float]] = defaultdict(dict)
        for row in rows:
            if row["id"] not in pos or row.get("key") is None:
                continue
            fact = (row["rel"], str(row["key"]))
            weight = BRON_WEIGHTS.get(row.get("bron") or "extractie", 0.6)
            facts[row["id"]][fact] = max(weight, facts[row["id"]].get(fact, 0.0))
        lists: dict[Fact, list[tuple[int, float]]] = defaultdict(list)
        for cid, fs in facts.items():
            for fact, w in fs.items():
                lists[fact].append((pos[cid], w))
        postings = {f: (np.array([i for i, _ in p], dtype=np.int64), np.array([w for _, w in p], dtype=np.float32))
                    for f, p in lists.items()}
        n = max(1, len(ids))
        idf = {f: math.log(1 + n / len(p)) for f, p in lists.items()}
        equivalents: dict[str, set[str]] = defaultdict(set)
        for a, b in crosswalk:
            equivalents[a].add(b)
            equivalents[b].add(a)
        return cls(ids, dict(facts), postings, idf, dict(equivalents))

    def with_changes(self, ids: list[str], remap: np.ndarray | None, dropped: set[str],
                     new_pos: dict[str, int], rows: list[dict]) -> StructureIndex:
        """A new index for the engine order ``ids``: the old cases at ``remap[old position]`` (None: positions
        unchanged; -1: dropped), the cases in ``dropped`` forgotten, and ``rows`` (facts of the new or changed
        cases, at ``new_pos`` in ``ids``) added. This index is not changed."""
        facts = dict(self.facts)
        for cid in dropped:
            facts.pop(cid, None)
        added: dict[str, dict[Fact, float]] = defaultdict(dict)
        for row in rows:
            if row.get("key") is None:
                continue
            fact = (row["rel"], str(row["key"]))
            weight = BRON_WEIGHTS.get(row.get("bron") or "extractie", 0.6)
            added[row["id"]][fact] = max(weight, added[row["id"]].get(fact, 0.0))
        facts.update(added)
        postings = dict(self.postings)
        if remap is not None:
            for fact, (positions, weights) in self.postings.items():
                moved = remap[positions]
                ok = moved >= 0
                postings[fact] = (moved[ok], weights[ok])
        new_lists: dict[Fact, list[tuple[int, float]]] = defaultdict(list)
        for cid, fs in added.items():
            for fact, w in fs.items():
                new_lists[fact].append((new_pos[cid], w))
        for fact, lst in new_lists.items():
            old_p, old_w = postings.get(fact, (np.zeros(0, np.int64), np.zeros(0, np.float32)))
            postings[fact] = (np.concatenate([old_p, np.array([i for i, _ in lst], dtype=np.int64)]),
                              np.concatenate([old_w, np.array([w for _, w in lst], dtype=np.float32)]))
        postings = {f: p for f, p in postings.items() if len(p[0])}
        n = max(1, len(ids))
        idf = {f: math.log(1 + n / len(p[0])) for f, p in postings.items()}
        return StructureIndex(ids, facts, postings, idf, self.equivalents)

    def expand(self, facts: dict[Fact, float]) -> dict[Fact, float]:
        """Add crosswalk equivalents of knelpunt categories (discounted)."""
        out = dict(facts)
        for (rel, key), w in facts.items():
            if rel == "KNELPUNT":
                for eq in self.equivalents.get(key, ()):
                    out.setdefault((rel, eq), w * CROSSWALK_DISCOUNT)
        return out

    def weight(self, fact: Fact) -> float:
        return KIND_WEIGHTS.get(fact[0], 0.5) * self.idf.get(fact, 0.0)

    def scores(self, query_facts: dict[Fact, float]) -> np.ndarray:
        """Score in [0, 1] per case: weighted shared facts over the query's own total."""
        out = np.zeros(len(self.ids), dtype=np.float32)
        expanded = self.expand(query_facts)
        total = sum(self.weight(f) * w for f, w in query_facts.items())
        if total <= 0:
            return out
        for fact, qw in expanded.items():
            posting = self.postings.get(fact)
            if posting is None:
                continue
            positions, weights = posting
            out[positions] += self.weight(fact) * qw * weights
        return np.minimum(out / total, 1.0)

    def shared(self, query_facts: dict[Fact, float], case_id: str) -> list[tuple[Fact, Fact, float]]:
        """(query fact, matching case fact, contribution) pairs, strongest first."""
        mine = self.facts.get(case_id, {})
        out = []
        for fact, qw in query_facts.items():
            candidates = [fact] + ([(fact[0], eq) for eq in self.equivalents.get(fact[1], ())]
                                   if fact[0] == "KNELPUNT" else [])
            for cand in candidates:
                if cand in mine:
                    disc = 1.0 if cand == fact else CROSSWALK_DISCOUNT
                    out.append((fact, cand, self.weight(cand) * qw * mine[cand] * disc))
                    break
        return sorted(out, key=lambda t: -t[2])
