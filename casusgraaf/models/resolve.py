"""Normalise registered names against the gazetteers and taxonomies (models/).

Registered values that no gazetteer knows are kept exactly as registered: the registration is the
source of truth, the gazetteer only merges spelling variants ("WMO 2015" and "Wmo" → "Wmo 2015").
"""

from __future__ import annotations

from functools import lru_cache

from casusgraaf.models import gazetteer, taxonomy

# Ministry codes as the reports write them, keyed by upper case.
MINISTERIES = {c.upper(): c for c in ("SZW", "BZK", "JenV", "OCW", "VWS", "FIN", "A&M", "VRO", "BuZa")}
MINISTERIES["J&V"] = "JenV"


class Resolver:
    """Cached name resolution used by ingest and search."""

    @lru_cache(maxsize=4096)  # noqa: B019 - one long-lived resolver per process
    def wet(self, name: str, soort: str = "wet", bwb_id: str | None = None) -> dict:
        entry = gazetteer.resolve_wet(name)
        if entry is not None:
            return {"naam": entry.canonical, "soort": _entry_soort(entry, soort), "bwb_id": entry.bwb_id or bwb_id}
        return {"naam": name.strip(), "soort": soort, "bwb_id": bwb_id}

    @lru_cache(maxsize=4096)  # noqa: B019
    def organisatie(self, name: str, default_soort: str | None = None) -> dict:
        if name.strip().upper() in MINISTERIES:
            return {"naam": self.beleidsterrein(name), "soort": "ministerie"}
        entry = gazetteer.resolve_organisatie(name)
        if entry is not None and not _is_named_gemeente(name, entry):
            return {"naam": entry.canonical, "soort": _entry_soort(entry, default_soort)}
        soort = default_soort
        if entry is not None:
            soort = _entry_soort(entry, default_soort)
        return {"naam": name.strip(), "soort": soort}

    @lru_cache(maxsize=512)  # noqa: B019
    def leefgebied(self, name: str) -> str:
        return taxonomy.resolve_leefgebied(name) or name.strip().lower()

    @staticmethod
    def beleidsterrein(code: str) -> str:
        return MINISTERIES.get(code.strip().upper(), code.strip())

    @lru_cache(maxsize=1024)  # noqa: B019
    def category(self, taxonomie: str, label: str) -> dict | None:
        cat = taxonomy.resolve_category(taxonomie, label)
        return _cat_dict(cat) if cat else None

    @lru_cache(maxsize=64)  # noqa: B019
    def category_choices(self, taxonomie: str) -> str:
        """The valid categories of a taxonomy (or the valid taxonomies), for an error message."""
        taxonomies = taxonomy.load_taxonomies()
        tax = taxonomies.get(taxonomie)
        if tax is None:
            return "taxonomieën " + ", ".join(sorted(taxonomies))
        return ", ".join(f"{c.code} ({c.naam})" if c.code != c.naam else c.naam for c in tax.categories)

    @lru_cache(maxsize=1024)  # noqa: B019
    def category_by_id(self, category_id: str) -> dict | None:
        tax = taxonomy.load_taxonomies().get(category_id.partition(":")[0])
        cat = next((c for c in tax.categories if c.id == category_id), None) if tax else None
        return _cat_dict(cat) if cat else None

    def key(self, kind: str, name: str) -> str:
        """The graph key of a fact of ``kind`` (``wet``, ``organisatie``, ``leefgebied``, ...) named ``name``."""
        if kind == "wet":
            return self.wet(name)["naam"]
        if kind in ("organisatie", "indiener"):
            return self.organisatie(name)["naam"]
        if kind == "leefgebied":
            return self.leefgebied(name)
        if kind == "beleidsterrein":
            return self.beleidsterrein(name)
        return name.strip()


# Entity types of the NLP layer → the fact kind they become.
ENTITY_KINDS = {"wet": "wet", "regeling": "wet", "organisatie": "organisatie", "leefgebied": "leefgebied",
                "knelpunt": "knelpunt"}


def _cat_dict(cat) -> dict:
    return {"id": cat.id, "taxonomie": cat.taxonomie, "code": cat.code, "naam": cat.naam}


def _entry_soort(entry, default: str | None) -> str | None:
    return getattr(entry, "soort", None) or getattr(entry, "type", None) or default


def _is_named_gemeente(name: str, entry) -> bool:
    """'Gemeente Eikendam' resolves to the *type* gemeente; keep the registered name as its own node."""
    return entry.canonical.lower() == "gemeente" and name.strip().lower() != "gemeente"


@lru_cache(maxsize=1)
def get_resolver() -> Resolver:
    return Resolver()
