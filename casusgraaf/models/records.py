"""The case record (ARCHITECTURE.md §6): the firm input format. Only ``id`` and ``tekst`` are required."""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

IndienerType = Literal[
    "gemeente", "zorginstelling", "landelijke publieke dienstverlener", "overige partijen", "onbekend"
]


class _Base(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


class Indiener(_Base):
    type: IndienerType = "onbekend"
    organisatie: str | None = None
    aangesloten: bool | None = None


class KnelpuntRecord(_Base):
    taxonomie: str = Field(description="taxonomy version id, e.g. ac2023, jr2023, jr2024")
    categorie: str = Field(description="category name or code within that taxonomy")
    subtype: str | None = None
    omschrijving: str | None = None


ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$"


class OpvolgingRecord(_Base):
    """One dated follow-up entry of a leerpunt, as registered (e.g. from the leerpuntenbestand)."""

    datum: date
    code: str | None = Field(default=None, description="status code (models/leerpunt_status.yaml)")
    tekst: str = Field(default="", description="what happened, in free text as written")
    bron: str | None = Field(default=None, description="where it is recorded, e.g. ambassadeursoverleg, JR2024")
    wie: str | None = Field(default=None, description="a role or organisation, never a person's name")


class LeerpuntRecord(_Base):
    """A leerpunt of a case (DOMAIN.md §4.1). Without ``id`` its identity is derived from case id and text
    (:func:`leerpunt_id`); give an ``id`` to keep the identity when the text is edited or to merge a
    leerpunt across cases (the same id in two records is one leerpunt)."""

    id: str | None = Field(default=None, max_length=64, pattern=ID_PATTERN)
    tekst: str
    datum: date | None = Field(default=None, description="when it was drawn up; default the case's afronding")
    belegd_bij: list[str] = Field(default_factory=list, description="owner(s); several = PMM has regie")
    directie: str | None = None
    status: str | None = Field(default=None, description="free-text follow-up status as registered")
    status_code: str | None = Field(default=None, description="derived code, e.g. IN_VERKENNING")
    categorie: str | None = None
    orde: Literal["eerste", "tweede", "derde"] | None = None
    soort: Literal["leerpunt", "verhelderende vraag"] = "leerpunt"
    teruggelegd_via: str | None = None
    doorgegeven_aan: list[str] = Field(default_factory=list)
    terugkerend_van: str | None = Field(default=None, max_length=64, pattern=ID_PATTERN,
                                        description="id of an earlier leerpunt this one repeats")
    al_bekend: bool | None = None
    beleidstraject: str | None = None
    geverifieerd: bool | None = None
    stelselvraagstuk: bool | None = None
    opvolging: list[OpvolgingRecord] = Field(default_factory=list)

    @field_validator("belegd_bij", "doorgegeven_aan", mode="before")
    @classmethod
    def _one_or_more(cls, v: object) -> object:
        if v is None:
            return []
        return [v] if isinstance(v, str) else v

    @field_validator("belegd_bij", "doorgegeven_aan")
    @classmethod
    def _no_blanks(cls, v: list[str]) -> list[str]:
        return [x.strip() for x in v if x and x.strip()]


class AfgewezenRecord(_Base):
    """A suggestion of the extraction that a regievoerder removed (``/casussen/nieuw``): ingest never adds
    it back as an extracted fact. ``naam`` is the canonical name as suggested (a knelpunt: its category name
    or id; a leerpunt: its text)."""

    soort: Literal["wet", "regeling", "organisatie", "leefgebied", "knelpunt", "leerpunt"]
    naam: str = Field(min_length=1)


NIET_BELEGD = frozenset({"niet belegd", "niet expliciet belegd", "niet (expliciet) belegd", "geen"})


def normalise_leerpunt_tekst(tekst: str) -> str:
    """Case, accents, spacing and punctuation folded: small typing edits keep the derived id."""
    s = unicodedata.normalize("NFKD", tekst).encode("ascii", "ignore").decode().casefold()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", s).split())


def leerpunt_id(case_id: str, tekst: str, registered: str | None = None) -> str:
    """A leerpunt's identity: the registered id, else ``LP-<case id>-<8 hex of the normalised text>``.
    Stable under re-ordering and edits to other fields; an edit of the text itself gives a new id."""
    if registered:
        return registered
    digest = hashlib.sha1(f"{case_id}\n{normalise_leerpunt_tekst(tekst)}".encode()).hexdigest()[:8]
    return f"LP-{case_id}-{digest}"


class CaseRecord(_Base):
    """One case (casus) as registered by a regievoerder."""

    id: str = Field(min_length=1, max_length=64, pattern=ID_PATTERN)
    tekst: str = Field(min_length=1)
    titel: str | None = None
    jaar: int | None = Field(default=None, ge=2015, le=2100)
    status: Literal["ingediend", "lopend", "afgerond", "ingetrokken"] | None = None
    datum_aanmelding: date | None = None
    datum_afronding: date | None = None
    indiener: Indiener | None = None
    beleidsterreinen: list[str] = Field(default_factory=list)
    leefgebieden: list[str] = Field(default_factory=list)
    knelpunten: list[KnelpuntRecord] = Field(default_factory=list)
    wetten: list[str] = Field(default_factory=list)
    organisaties: list[str] = Field(default_factory=list)
    interventies: list[str] = Field(default_factory=list)
    let_ingezet: bool | None = None
    op_ingezet: bool | None = None
    kon_verder: Literal["ja", "deels", "nee", "onbekend", "n.v.t."] | None = None
    uitkomst: str | None = None
    doelgroep: list[str] = Field(default_factory=list)
    leerpunten: list[LeerpuntRecord] = Field(default_factory=list)
    # Optional and None by default (not []): records without it keep their content hash.
    afgewezen: list[AfgewezenRecord] | None = Field(
        default=None, description="suggestions a regievoerder removed; extraction never adds them back")
    regievoerder: str | None = Field(
        default=None, max_length=64, pattern=ID_PATTERN,
        description="the account that registered the case in casusgraaf; its leerpunten are changed by that "
                    "regievoerder and beheerders only (cases without one: by every regievoerder)")

    @field_validator("tekst")
    @classmethod
    def _tekst_not_blank(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("tekst is leeg")
        return v

    @property
    def effective_jaar(self) -> int | None:
        """The registered jaar, else the year of afronding or aanmelding."""
        if self.jaar:
            return self.jaar
        for d in (self.datum_afronding, self.datum_aanmelding):
            if d:
                return d.year
        return None

    def content_hash(self) -> str:
        """Stable hash of the record's content: equal records hash equal whatever their key order."""
        payload = self.model_dump(mode="json", exclude_none=True)
        raw = json.dumps(payload, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:32]


KNOWN_FIELDS = frozenset(CaseRecord.model_fields)
