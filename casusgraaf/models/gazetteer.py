"""Gazetteers of wetten/regelingen, organisaties, gemeenten and leefgebied signal words (``models/gazetteers/``).

The data lives in versioned YAML/CSV; this module loads it and resolves names. ``resolve_wet`` and
``resolve_organisatie`` normalise registered fields ("WMO 2015" -> "Wmo 2015"; "Uitvoeringsinstituut
Werknemersverzekeringen" -> "UWV"). Invented gemeente names resolve to the type entry ``gemeente``.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

import yaml

from casusgraaf.models.taxonomy import _fold

GAZETTEER_DIR = Path(__file__).resolve().parent / "gazetteers"

_ENTRY_KEYS = {"canonical", "type", "soort", "aliassen", "afkortingen", "bwb_id", "uitvoerder", "implies",
               "ministerie", "ambigu", "artikelnotatie", "geldig_van", "geldig_tot", "rapport_rollup"}


@dataclass(frozen=True)
class GazEntry:
    """One gazetteer entry. ``type``: wet | regeling | organisatie. ``afkortingen`` match case-sensitively."""

    canonical: str
    type: str
    soort: str | None = None
    aliassen: tuple[str, ...] = ()
    afkortingen: tuple[str, ...] = ()
    bwb_id: str | None = None
    uitvoerder: str | None = None
    implies: str | None = None
    ministerie: str | None = None
    ambigu: bool = False
    artikelnotatie: str | None = None
    geldig_van: str | None = None
    geldig_tot: str | None = None
    rapport_rollup: str | None = None
    versie: str = ""
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def names(self) -> tuple[str, ...]:
        return (self.canonical, *self.aliassen, *self.afkortingen)


@dataclass(frozen=True)
class Gemeente:
    naam: str
    provincie: str
    aliassen: tuple[str, ...] = ()


@dataclass(frozen=True)
class LeefgebiedSignaal:
    term: str
    leefgebied: str
    probleem: bool  # True: negation marks the mention negated ("geen schulden"); False: domain word


def _read_yaml(name: str) -> dict:
    return yaml.safe_load((GAZETTEER_DIR / name).read_text(encoding="utf-8")) or {}


@lru_cache(maxsize=1)
def gazetteer_index() -> dict:
    return _read_yaml("index.yaml")


def _entry(raw: dict, default_type: str, versie: str) -> GazEntry:
    def tup(key: str) -> tuple[str, ...]:
        return tuple(str(x) for x in (raw.get(key) or ()))

    return GazEntry(
        canonical=str(raw["canonical"]), type=raw.get("type", default_type), soort=raw.get("soort"),
        aliassen=tup("aliassen"), afkortingen=tup("afkortingen"), bwb_id=raw.get("bwb_id") or None,
        uitvoerder=raw.get("uitvoerder"), implies=raw.get("implies"), ministerie=raw.get("ministerie"),
        ambigu=bool(raw.get("ambigu", False)), artikelnotatie=raw.get("artikelnotatie"),
        geldig_van=raw.get("geldig_van"), geldig_tot=raw.get("geldig_tot"), rapport_rollup=raw.get("rapport_rollup"),
        versie=versie, extra={k: v for k, v in raw.items() if k not in _ENTRY_KEYS},
    )


@lru_cache(maxsize=1)
def all_wetten() -> list[GazEntry]:
    """Laws (type ``wet``) and benefits/schemes (type ``regeling``, with ``implies``)."""
    data = _read_yaml(gazetteer_index()["bestanden"]["wetten"]["bestand"])
    return [_entry(e, "wet", str(data.get("versie", ""))) for e in data["entries"]]


@lru_cache(maxsize=1)
def gemeenten() -> list[Gemeente]:
    spec = gazetteer_index()["bestanden"]["gemeenten"]
    with open(GAZETTEER_DIR / spec["bestand"], encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return [Gemeente(naam=r["naam"], provincie=r["provincie"],
                     aliassen=tuple(a for a in (r.get("aliassen") or "").split("|") if a)) for r in rows]


def _gemeente_display(g: Gemeente) -> str:
    return re.sub(r"\s*\((NH|L)\)$", "", g.naam)


@lru_cache(maxsize=1)
def all_organisaties() -> list[GazEntry]:
    """Ministries, agencies, PMM instruments, loketten, organisation types and every gemeente."""
    data = _read_yaml(gazetteer_index()["bestanden"]["organisaties"]["bestand"])
    versie = str(data.get("versie", ""))
    out = [_entry(e, "organisatie", versie) for e in data["entries"]]
    gversie = str(gazetteer_index()["bestanden"]["gemeenten"].get("versie", ""))
    for g in gemeenten():
        naam = _gemeente_display(g)
        names = {naam, g.naam, *g.aliassen}
        aliassen = tuple(sorted({f"gemeente {n}" for n in names} | {f"Gemeente {n}" for n in names}))
        out.append(GazEntry(canonical=f"gemeente {g.naam}", type="organisatie", soort="gemeente", aliassen=aliassen,
                            versie=gversie, extra={"gemeente": g.naam, "provincie": g.provincie, "plaatsnamen": sorted(names)}))
    return out


@lru_cache(maxsize=1)
def leefgebied_signalen() -> list[LeefgebiedSignaal]:
    data = _read_yaml(gazetteer_index()["bestanden"]["leefgebieden"]["bestand"])
    out: list[LeefgebiedSignaal] = []
    for naam, spec in data["leefgebieden"].items():
        for soort in ("probleem", "domein"):
            out.extend(LeefgebiedSignaal(str(t), naam, soort == "probleem") for t in spec.get(soort) or ())
    return out


@lru_cache(maxsize=1)
def _by_name() -> tuple[dict[str, GazEntry], dict[str, GazEntry]]:
    def index(entries: list[GazEntry]) -> dict[str, GazEntry]:
        idx: dict[str, GazEntry] = {}
        for e in entries:
            for n in e.names:
                idx.setdefault(_fold(n), e)
        return idx

    orgs = all_organisaties()
    idx_org = index(orgs)
    for e in orgs:  # bare gemeente names resolve too, for registered fields ("Zaanstad")
        for n in e.extra.get("plaatsnamen", ()):
            idx_org.setdefault(_fold(n), e)
    return index(all_wetten()), idx_org


_LEAD = re.compile(r"^(?:de|het|een|ministerie van|het ministerie van)\s+", re.I)
_ART = re.compile(r"^(?:artikel|art\.?)\s+[\w.:]+(?:\s+(?:lid|onder|sub)\s+\w+)*\s+(?:van\s+(?:de|het)\s+)?", re.I)


def _lookup(text: str, idx: dict[str, GazEntry]) -> GazEntry | None:
    if not text or not text.strip():
        return None
    cands = [text.strip()]
    stripped = _ART.sub("", _LEAD.sub("", cands[0]))
    cands.append(stripped)
    cands.append(_LEAD.sub("", stripped))
    for c in cands:
        hit = idx.get(_fold(c))
        if hit:
            return hit
    return None


def resolve_wet(text: str) -> GazEntry | None:
    """A law or benefit by name, alias or abbreviation ("WMO 2015" -> Wmo 2015); None when unknown."""
    return _lookup(text, _by_name()[0])


def resolve_organisatie(text: str) -> GazEntry | None:
    """An organisation by name, alias or abbreviation; "gemeente <onbekend>" -> the type entry ``gemeente``."""
    idx = _by_name()[1]
    hit = _lookup(text, idx)
    if hit is None and text and re.match(r"^\s*(?:de\s+)?gemeente\s+\S", text, re.I):
        return idx.get("gemeente")
    return hit


def wet_by_canonical(canonical: str) -> GazEntry | None:
    return next((e for e in all_wetten() if e.canonical == canonical), None)


_ORDINAL = {"eerste": "1", "tweede": "2", "derde": "3", "vierde": "4", "vijfde": "5", "zesde": "6", "zevende": "7"}


def normalise_artikel(artikel: str, wet: str | GazEntry | None = None) -> str:
    """Normalise an article reference: "3.4" of the Awb -> "3:4"; "18, eerste lid" -> "18 lid 1"."""
    entry = wet if isinstance(wet, GazEntry) else (resolve_wet(wet) if wet else None)
    a = " ".join(artikel.replace(",", " ").split())
    a = re.sub(r"\b(eerste|tweede|derde|vierde|vijfde|zesde|zevende)\s+lid\b", lambda m: f"lid {_ORDINAL[m.group(1)]}", a)
    a = re.sub(r"\bleden\b", "lid", a)
    if entry is not None and entry.artikelnotatie == "dubbelepunt":
        a = re.sub(r"^(\d+)\.(\d+[a-z]?)\b(?!\.)", r"\1:\2", a)
    return a


def rapport_rollup(ministerie: str, op: date | None = None) -> str:
    """The beleidsterrein a report counts a ministry under (JR2024: A&M -> JenV, VRO -> BZK)."""
    e = resolve_organisatie(ministerie)
    if e is None or e.soort != "ministerie":
        return ministerie
    if e.rapport_rollup:
        if op is not None and e.geldig_van and op < date.fromisoformat(e.geldig_van):
            return e.rapport_rollup  # before the ministry existed: its predecessor
        return e.rapport_rollup
    return e.canonical


__all__ = [
    "GazEntry", "Gemeente", "LeefgebiedSignaal", "all_organisaties", "all_wetten", "gazetteer_index", "gemeenten",
    "leefgebied_signalen", "normalise_artikel", "rapport_rollup", "resolve_organisatie", "resolve_wet",
    "wet_by_canonical",
]
