"""Response models of the JSON API: what each route returns, in the OpenAPI schema."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _Open(BaseModel):
    """A documented shape that may carry more fields than listed (forward-compatible)."""

    model_config = ConfigDict(extra="allow")


class Health(BaseModel):
    status: str
    version: str
    backend: str
    cases: int


class CaseSummary(_Open):
    id: str
    titel: str | None = None
    jaar: int | None = None


class CaseList(BaseModel):
    total: int
    page: int
    per_page: int
    cases: list[CaseSummary]


class CaseDetail(_Open):
    id: str
    tekst: str | None = None
    entiteiten: list[dict[str, Any]] = Field(description="gekoppelde entiteiten met herkomst en posities")
    leerpunten: list[dict[str, Any]]


class SharedFact(_Open):
    soort: str = Field(description="wet, organisatie, leefgebied, beleidsterrein, knelpunt of indiener")
    naam: str = Field(description="de sleutel; een knelpuntcategorie met haar taxonomie, bv. 'Communicatie (jr2024)'")
    label: str | None = Field(None, description="zoals een mens het leest (een knelpunt zonder taxonomiecode)")
    gewicht: float = Field(description="bijdrage aan het structuursignaal (zeldzamer = zwaarder)")
    bron: str = Field(description="registratie of extractie, in de gevonden casus")
    algemeen: bool = Field(False, description="komt in de meeste casussen voor (bv. 'gemeente'); niet in de uitleg")
    in_zoekvraag: list[dict[str, Any]] = Field(default_factory=list, description="posities in de zoekvraag")
    in_casus: list[dict[str, Any]] = Field(default_factory=list, description="posities in de gevonden casus")


class SimilarResult(_Open):
    case_id: str
    score: float
    signals: dict[str, float]
    bijdrage: dict[str, float]
    titel: str | None = None
    jaar: int | None = None
    uitkomst: str | None = None
    kon_verder: str | None = Field(None, description="ja, deels, nee, onbekend of n.v.t.")
    uitleg: str | None = Field(None, description="waarom deze casus lijkt, in één Nederlandse zin")
    wat_werkte: str | None = Field(None, description="de oplossing uit de tekst van de eerdere casus (de sectie "
                                                     "'Hoe is deze casus opgelost?', 'Oplossing', 'Wat hielp?'), "
                                                     "als die er is")
    gedeeld: list[SharedFact] = Field(default_factory=list)
    zinnen: dict[str, Any] | None = Field(None, description="het best passende zinnenpaar: zoekvraag en casus")
    leerpunten: list[dict[str, Any]] = Field(default_factory=list,
                                             description="leerpunten van de eerdere casus met hun laatste opvolging")


class SimilarOut(BaseModel):
    query: dict[str, Any]
    results: list[SimilarResult]


class KeywordHit(BaseModel):
    case_id: str
    titel: str | None = None
    jaar: int | None = None
    snippet: str


class KeywordOut(BaseModel):
    q: str
    total: int
    hits: list[KeywordHit]
    facets: dict[str, dict[str, int]]


class CypherOut(BaseModel):
    rows: list[dict[str, Any]]
    truncated: bool = False


class Entity(_Open):
    type: str
    canonical: str
    surface: str
    start: int
    end: int
    method: str
    confidence: float


class ExtractOut(BaseModel):
    entities: list[Entity]
    redacted: bool
    embeddings: bool = Field(description="of het e5-model meebeslist over knelpunten (anders alleen regels)")
    tekst: str | None = Field(None, description="de geredigeerde tekst, alleen als de poort iets maskeerde")
