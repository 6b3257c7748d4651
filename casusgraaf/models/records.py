"""The case record (ARCHITECTURE.md §6): the firm input format. Only ``id`` and ``tekst`` are required."""

from __future__ import annotations

import hashlib
import json
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


class LeerpuntRecord(_Base):
    tekst: str
    belegd_bij: str | None = None
    status: str | None = Field(default=None, description="free-text follow-up status as registered")
    status_code: str | None = Field(default=None, description="derived code, e.g. IN_VERKENNING")
    categorie: str | None = None
    orde: Literal["eerste", "tweede", "derde"] | None = None
    soort: Literal["leerpunt", "verhelderende vraag"] = "leerpunt"


class CaseRecord(_Base):
    """One case (casus) as registered by a regievoerder."""

    id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
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
