"""The leerpunt vocabulary as data: follow-up status codes (``leerpunt_status.yaml``, DOMAIN.md §4.2) and the
leerpunt categories and orde (``taxonomies/leerpunten.yaml``, §3.3-3.5). Code reads these; it never lists them."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from casusgraaf.models import taxonomy

STATUS_PATH = Path(__file__).resolve().parent / "leerpunt_status.yaml"


@dataclass(frozen=True)
class StatusCode:
    code: str
    label: str  # Dutch, for pages
    open: bool  # still needs follow-up
    uitleg: str = ""


@cache
def _status_data() -> dict:
    with open(STATUS_PATH, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@cache
def status_codes() -> dict[str, StatusCode]:
    """{code: StatusCode}, in the order of the file (open codes first)."""
    return {c["code"]: StatusCode(c["code"], c["label"], bool(c["open"]), c.get("uitleg", ""))
            for c in _status_data()["codes"]}


def status_version() -> str:
    return str(_status_data().get("versie", ""))


def _code_key(value: str) -> str:
    return re.sub(r"[\s\-]+", "_", value.strip().upper())


def resolve_code(value: str | None) -> StatusCode | None:
    """The code for ``value`` (a code, an alias, or its label in any case: "in verkenning"), or None."""
    if not value or not value.strip():
        return None
    codes = status_codes()
    key = _code_key(value)
    key = _status_data().get("aliassen", {}).get(key, key)
    if key in codes:
        return codes[key]
    for sc in codes.values():
        if _code_key(sc.label) == key:
            return sc
    return None


def code_choices() -> str:
    """The valid codes, for an error message."""
    return ", ".join(status_codes())


def _fold(s: str) -> str:
    s = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "", s.lower())


@cache
def categories() -> dict[str, str]:
    """{folded code or name: canonical name} of every valid leerpunt category (JR2024, EV, JR2023 ICT)."""
    data = taxonomy.leerpunt_taxonomie()
    out: dict[str, str] = {}
    for key in ("categorieen", "ev_categorieen", "overige_categorieen"):
        for c in data.get(key) or []:
            out[_fold(c["code"])] = c["naam"]
            out[_fold(c["naam"])] = c["naam"]
    return out


def resolve_categorie(value: str | None) -> str | None:
    """The canonical category name for ``value``, or None when it is no leerpunt category."""
    return categories().get(_fold(value)) if value else None


def categorie_choices() -> str:
    return ", ".join(dict.fromkeys(categories().values()))


def orde_codes() -> list[str]:
    return [o["code"] for o in taxonomy.leerpunt_taxonomie()["orde"]]


__all__ = ["StatusCode", "categorie_choices", "categories", "code_choices", "orde_codes", "resolve_categorie",
           "resolve_code", "status_codes", "status_version"]
