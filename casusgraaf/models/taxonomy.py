"""Knelpunt taxonomies, leefgebieden and leerpunt categories as versioned data (``models/taxonomies/*.yaml``).

Code reads the YAML; adding a taxonomy year is a data change. Category ids are ``"<taxonomie>:<code-slug>"``,
e.g. ``"jr2024:wet-en-regelgeving"`` or ``"ac2023:2b"``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

TAXONOMY_DIR = Path(__file__).resolve().parent / "taxonomies"
_AUX_FILES = {"crosswalk.yaml", "leefgebieden.yaml", "leerpunten.yaml", "interventies.yaml"}


def _fold(text: str) -> str:
    """Case-, accent- and spacing-insensitive key: "Wet- en  regelgeving" -> "wet en regelgeving"."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return re.sub(r"[\s\-_/&]+", " ", text).strip()


def slug(text: str) -> str:
    return _fold(text).replace(" ", "-")


@dataclass(frozen=True)
class Category:
    id: str
    taxonomie: str
    code: str
    naam: str
    niveau: str | None = None
    beschrijving: str = ""
    signaalthemas: tuple[str, ...] = ()
    subtypes: tuple[str, ...] = ()
    signaalwoorden: tuple[str, ...] = ()
    # weights for extracted entities that point at the category, e.g. (("artikel", 1.0),)
    entiteitsignalen: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class Taxonomy:
    id: str
    versie: str
    naam: str
    bron: str
    jaar_van: int | None
    jaar_tot: int | None
    categories: tuple[Category, ...] = field(default_factory=tuple)

    def get(self, label: str) -> Category | None:
        key = _fold(label)
        if ":" in label and label.split(":", 1)[0] == self.id:
            key = _fold(label.split(":", 1)[1])
        for cat in self.categories:
            if key in {_fold(cat.code), _fold(cat.naam), _fold(cat.id.split(":", 1)[1])}:
                return cat
        return None


@dataclass(frozen=True)
class Leefgebied:
    naam: str
    lijsten: tuple[str, ...]
    equivalenten: tuple[str, ...] = ()


def _read(name: str) -> dict:
    with open(TAXONOMY_DIR / name, encoding="utf-8") as fh:
        return yaml.safe_load(fh) or {}


@lru_cache(maxsize=1)
def load_taxonomies() -> dict[str, Taxonomy]:
    """All knelpunt taxonomies, keyed by id (ac2023, jr2023, jr2024, ...)."""
    raw = {p.name: yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted(TAXONOMY_DIR.glob("*.yaml"))
           if p.name not in _AUX_FILES}
    by_id = {d["id"]: d for d in raw.values()}
    out: dict[str, Taxonomy] = {}
    for tid, d in by_id.items():
        parent = by_id.get(d.get("erft_signaalwoorden_van") or "")
        inherited = {c["code"]: c.get("signaalwoorden", []) for c in (parent or {}).get("categorieen", [])}
        cats = []
        for c in d["categorieen"]:
            code = str(c["code"])
            cats.append(Category(
                id=f"{tid}:{slug(code)}", taxonomie=tid, code=code, naam=c["naam"], niveau=c.get("niveau"),
                beschrijving=" ".join(str(c.get("beschrijving", "")).split()),
                signaalthemas=tuple(c.get("signaalthemas") or ()), subtypes=tuple(c.get("subtypes") or ()),
                signaalwoorden=tuple(c.get("signaalwoorden") or inherited.get(code) or ()),
                entiteitsignalen=tuple((str(k), float(v)) for k, v in (c.get("entiteitsignalen") or {}).items()),
            ))
        jaren = d.get("jaren") or {}
        out[tid] = Taxonomy(id=tid, versie=str(d.get("versie", "")), naam=d.get("naam", tid), bron=d.get("bron", ""),
                            jaar_van=jaren.get("van"), jaar_tot=jaren.get("tot"), categories=tuple(cats))
    return out


def taxonomy_for_year(jaar: int | None) -> str:
    """The taxonomy that applies to a case closed in ``jaar`` (None = the newest)."""
    taxonomies = load_taxonomies()
    if jaar is not None:
        for t in taxonomies.values():
            if (t.jaar_van is None or jaar >= t.jaar_van) and (t.jaar_tot is None or jaar <= t.jaar_tot):
                return t.id
        if jaar < min(t.jaar_van or 0 for t in taxonomies.values()):
            return min(taxonomies.values(), key=lambda t: t.jaar_van or 0).id
    return max(taxonomies.values(), key=lambda t: t.jaar_van or 0).id


def resolve_category(taxonomie: str, label: str) -> Category | None:
    """Resolve a code ("2B"), a name ("Wet- en regelgeving") or an id within ``taxonomie``."""
    tax = load_taxonomies().get(taxonomie)
    return tax.get(label) if tax and label else None


def get_category(category_id: str) -> Category | None:
    tid, _, rest = category_id.partition(":")
    return resolve_category(tid, rest)


@lru_cache(maxsize=1)
def _crosswalk_edges() -> tuple[dict, ...]:
    return tuple(_read("crosswalk.yaml").get("edges", []))


def crosswalk(afgeleid_only: bool = False) -> list[tuple[str, str]]:
    """Category id pairs (van, naar) of the tentative crosswalk; every edge carries ``afgeleid: true``."""
    return [(e["van"], e["naar"]) for e in _crosswalk_edges() if not afgeleid_only or e.get("afgeleid")]


def crosswalk_edges() -> list[dict]:
    """The crosswalk with its flags (``afgeleid``, ``toelichting``)."""
    return [dict(e) for e in _crosswalk_edges()]


@lru_cache(maxsize=1)
def _leefgebieden_data() -> dict:
    return _read("leefgebieden.yaml")


def leefgebieden() -> list[Leefgebied]:
    """Union of the leefgebied lists; equivalent names (psychische ≡ psychologische gezondheid) merged."""
    data = _leefgebieden_data()
    cw: dict[str, list[str]] = data.get("crosswalk", {})
    alias_of = {alt: canon for canon, alts in cw.items() for alt in alts}
    merged: dict[str, set[str]] = {}
    for lijst, spec in data["lijsten"].items():
        for naam in spec["namen"]:
            merged.setdefault(alias_of.get(naam, naam), set()).add(lijst)
    return [Leefgebied(naam=n, lijsten=tuple(sorted(ls)), equivalenten=tuple(cw.get(n, ()))) for n, ls in merged.items()]


def leefgebieden_lijst(lijst: str) -> list[str]:
    return list(_leefgebieden_data()["lijsten"][lijst]["namen"])


def resolve_leefgebied(label: str) -> str | None:
    """Canonical leefgebied name (the jr2024 spelling where one exists) for a label, or None."""
    if not label:
        return None
    key = _fold(label)
    data = _leefgebieden_data()
    for lg in leefgebieden():
        if key == _fold(lg.naam) or key in {_fold(e) for e in lg.equivalenten}:
            return lg.naam
    for alias, canon in (data.get("aliassen") or {}).items():
        if key == _fold(alias):
            return canon
    return None


def leefgebied_in_lijst(naam: str, lijst: str) -> str | None:
    """The spelling of canonical leefgebied ``naam`` in ``lijst`` (e.g. werk -> 'werk en activiteiten' in ac2023)."""
    names = leefgebieden_lijst(lijst)
    if naam in names:
        return naam
    for alt in (_leefgebieden_data().get("crosswalk") or {}).get(naam, []):
        if alt in names:
            return alt
    return None


@lru_cache(maxsize=1)
def leerpunt_taxonomie() -> dict:
    """Leerpunt categories and orde van leren (JR2024)."""
    return _read("leerpunten.yaml")


__all__ = [
    "Category", "Leefgebied", "Taxonomy", "crosswalk", "crosswalk_edges", "get_category", "leefgebied_in_lijst",
    "leefgebieden", "leefgebieden_lijst", "leerpunt_taxonomie", "load_taxonomies", "resolve_category",
    "resolve_leefgebied", "taxonomy_for_year",
]


@lru_cache(maxsize=1)
def _interventies() -> tuple[dict[str, str], dict[str, str]]:
    data = yaml.safe_load((TAXONOMY_DIR / "interventies.yaml").read_text(encoding="utf-8"))
    return ({_fold(f["code"]): f["code"] for f in data["functies"]},
            {_fold(k): v for k, v in data["ev_codes"].items()})


@lru_cache(maxsize=1024)
def interventie_functie(code: str) -> str:
    """The JR2024 function an interventie belongs to: a function itself, or an EV code read through the
    crosswalk (``UO`` -> ``informele gezagsfunctie``); an unknown code is returned as it is."""
    functies, ev = _interventies()
    key = _fold(code)
    return functies.get(key) or ev.get(key, code)
