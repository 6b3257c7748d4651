"""Knelpunt categories and leefgebieden on the current lists, through the crosswalk (DOMAIN.md §3.6, §2.4).

A registered category maps to the current (JR2024) categories:

* a JR2024 category is itself (``afgeleid=False``);
* an older code with one crosswalk edge maps to that category (``afgeleid=True``);
* an older code with several edges (ac2023:5, ac2023:6) is never silently counted twice. With
  ``meervoudig="apart"`` (default) it is its own *meerduidig* row; with ``meervoudig="verdeeld"`` its case
  is split by the edge's ``aandeel`` (``models/taxonomies/crosswalk.yaml``).
* a code without an edge stays its own row, marked ``huidig=False``.

Leefgebieden are stored under their canonical (JR2024) name; a case from the AC2023 years (2019-2022)
whose name differs on the AC2023 list (psychische gezondheid → psychologische gezondheid, werk en
activiteiten → werk) is a derived cell. AC2023-only names (sociale relaties, zingeving) stay their own rows.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

from casusgraaf.models import taxonomy

CURRENT = "jr2024"
MODES = ("apart", "verdeeld")


@dataclass(frozen=True)
class Target:
    sleutel: str
    naam: str
    aandeel: float
    afgeleid: bool
    meerduidig: bool = False
    huidig: bool = True


@lru_cache(maxsize=1)
def _edges() -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = defaultdict(list)
    for e in taxonomy.crosswalk_edges():
        out[e["van"]].append(e)
    return dict(out)


def _naam(category_id: str) -> str:
    cat = taxonomy.get_category(category_id)
    return cat.naam if cat else category_id


def _code_label(category_id: str) -> str:
    tax, _, code = category_id.partition(":")
    cat = taxonomy.get_category(category_id)
    return f"{tax.upper()} {cat.code if cat else code}"


@lru_cache(maxsize=512)
def targets(category_id: str, meervoudig: str = "apart") -> tuple[Target, ...]:
    """Where one registered category lands on the current list."""
    if category_id.startswith(CURRENT + ":"):
        return (Target(category_id, _naam(category_id), 1.0, False),)
    edges = [e for e in _edges().get(category_id, []) if str(e["naar"]).startswith(CURRENT + ":")]
    if not edges:
        return (Target(category_id, f"{_naam(category_id)} ({_code_label(category_id)}, niet gekoppeld)", 1.0,
                       False, huidig=False),)
    if len(edges) == 1:
        return (Target(edges[0]["naar"], _naam(edges[0]["naar"]), 1.0, True),)
    if meervoudig == "verdeeld":
        return tuple(Target(e["naar"], _naam(e["naar"]), float(e.get("aandeel", 1.0 / len(edges))), True)
                     for e in edges)
    names = " / ".join(_naam(e["naar"]) for e in edges)
    return (Target(f"meerduidig:{category_id}", f"{_code_label(category_id)} → {names} (meerduidig)", 1.0, True,
                   meerduidig=True),)


def case_targets(category_ids: set[str], meervoudig: str = "apart") -> dict[str, tuple[float, bool]]:
    """{current key: (weight, afgeleid)} for one case: the weight is the largest share any of the case's
    codes gives the key (so a case counts at most once per category), afgeleid only when no registered
    current-taxonomy code put it there."""
    out: dict[str, tuple[float, bool]] = {}
    for cid in category_ids:
        for t in targets(cid, meervoudig):
            w, d = out.get(t.sleutel, (0.0, True))
            out[t.sleutel] = (max(w, t.aandeel), d and t.afgeleid)
    return out


def target_info(sleutel: str) -> Target:
    """Name and flags of a current key (a category id or ``meerduidig:<id>``)."""
    if sleutel.startswith("meerduidig:"):
        return targets(sleutel.split(":", 1)[1], "apart")[0]
    if sleutel.startswith(CURRENT + ":"):
        return Target(sleutel, _naam(sleutel), 1.0, False)
    return targets(sleutel)[0]


def order_key(sleutel: str) -> tuple:
    """Current categories in taxonomy order, then meerduidig rows, then unmapped ones."""
    current = [c.id for c in taxonomy.load_taxonomies()[CURRENT].categories]
    if sleutel in current:
        return (0, current.index(sleutel), sleutel)
    return (1 if sleutel.startswith("meerduidig:") else 2, 0, sleutel)


def measurable(sleutel: str, taxonomies: set[str] | frozenset[str], meervoudig: str = "apart") -> bool:
    """Whether cases registered in ``taxonomies`` can land on ``sleutel`` at all (else the cell is not
    "0 cases" but "cannot be computed", e.g. ICT before 2023)."""
    return _measurable(sleutel, frozenset(taxonomies), meervoudig)


@lru_cache(maxsize=4096)
def _measurable(sleutel: str, taxonomies: frozenset[str], meervoudig: str) -> bool:
    for tid in taxonomies:
        tax = taxonomy.load_taxonomies().get(tid)
        if tax and any(t.sleutel == sleutel for c in tax.categories for t in targets(c.id, meervoudig)):
            return True
    return False


# ---- leefgebieden -------------------------------------------------------------------------------------

@lru_cache(maxsize=64)
def leefgebied_lijst(jaar: int | None) -> str:
    """The leefgebied list registrations of ``jaar`` use (ac2023 for 2019-2022, jr2024 from 2023)."""
    data = taxonomy._leefgebieden_data()["lijsten"]
    for lijst, spec in data.items():
        j = spec.get("jaren") or {}
        if jaar is not None and (j.get("van") is None or jaar >= j["van"]) and (j.get("tot") is None or jaar <= j["tot"]):
            return lijst
    return CURRENT


def leefgebied_afgeleid(naam: str, jaar: int | None) -> bool:
    """True when a case of ``jaar`` registered ``naam`` under another spelling of its own list."""
    lijst = leefgebied_lijst(jaar)
    if lijst == CURRENT:
        return False
    spelled = taxonomy.leefgebied_in_lijst(naam, lijst)
    return spelled is not None and spelled != naam


def on_current_list(naam: str) -> bool:
    return naam in taxonomy.leefgebieden_lijst(CURRENT)


def leefgebied_order(naam: str) -> tuple:
    current = taxonomy.leefgebieden_lijst(CURRENT)
    return (0, current.index(naam), naam) if naam in current else (1, 0, naam)


def leefgebied_on_list(naam: str, jaar: int | None) -> bool:
    """Whether ``naam`` can be registered at all in ``jaar`` (is on that year's list)."""
    return taxonomy.leefgebied_in_lijst(naam, leefgebied_lijst(jaar)) is not None
