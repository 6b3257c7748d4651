"""Settings: one validated object, read from the environment (``CASUSGRAAF_*``) once, at an entry point
(the CLI, the app factory), and passed explicitly from there. Every setting is documented in docs/CONFIG.md
(test-enforced). An invalid value is an error at start (:class:`ConfigError`), never a silent fallback.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from casusgraaf.errors import ConfigError

DEFAULT_MODEL_NAME = "multilingual-e5-small"
PACKAGE_DIR = Path(__file__).resolve().parent


def _default_cache() -> Path:
    return Path.home() / ".cache" / "casusgraaf"


class Settings(BaseSettings):
    """Every knob of casusgraaf. Build with :func:`get_settings` (environment) or directly in tests."""

    model_config = SettingsConfigDict(env_prefix="CASUSGRAAF_", env_ignore_empty=True, frozen=True,
                                      extra="forbid")

    data_dir: Path = Path("./casusgraaf-data")
    graph_uri: str | None = None
    graph_user: str = "neo4j"
    graph_password: str | None = None
    # A file holding the graph password (docker secrets); used when CASUSGRAAF_GRAPH_PASSWORD is unset.
    graph_password_file: Path | None = None
    graph_name: str = "casusgraaf"
    cache_dir: Path = Field(default_factory=_default_cache)
    # Any sentence-transformers model id or local path; unset = the e5-small built at setup.
    model: str | None = None
    # How the model runs: "fp32" (default) or "int8" (torch dynamic int8 on the Linear layers; docs/BENCHMARKS.md).
    # Part of the embedding model id, so switching it forces an index rebuild and a re-ingest.
    embedding_backend: Literal["fp32", "int8"] = "fp32"
    # Fusion of the similar-case signals; defaults chosen by `python -m tools.quality_search`.
    fusion: Literal["weighted", "rrf"] = "weighted"
    weight_dense: float = Field(0.4, ge=0)
    weight_lexical: float = Field(0.3, ge=0)
    weight_structural: float = Field(0.3, ge=0)
    # Privacy: "quarantine" (default) or "redact" for hard identifiers.
    privacy_hard: Literal["quarantine", "redact"] = "quarantine"
    # Analyst Cypher (read-only door): engine-side timeout in seconds.
    cypher_timeout: float = Field(10.0, gt=0, le=3600)
    # Audit trail (docs/SECURITY.md): records older than this many days are dropped (a checkpoint keeps the chain).
    audit_retention_days: int = Field(730, ge=1, le=36500)
    # Analyst Cypher: memory one query may use in the embedded engine, in MB (FalkorDB QUERY_MEM_CAPACITY, server-wide).
    cypher_memory_mb: int = Field(1024, ge=64, le=1048576)
    # The corpus `casusgraaf demo` loads; default: the invented sample shipped with the package.
    sample_dir: Path = PACKAGE_DIR / "sample"
    # Small-cell suppression in published figures (patterns, rapport): counts 1..n-1 are shown as "<n"; 0 = off.
    small_cell_threshold: int = Field(5, ge=0, le=100)
    # Review rhythm of leerpunten: an open leerpunt whose last follow-up entry is older than this many days is
    # "te laat" (default quarterly, 91; EV advises monthly or quarterly: 30 or 91).
    leerpunt_review_days: int = Field(91, ge=1, le=730)
    # Load the privacy gate, the embedder and the search engine in the background when the server starts.
    warm_start: bool = True
    # CLI commands that need the models (extract, similar) ask a running server for the same data dir first.
    use_server: bool = True
    # Accounts and sessions (docs/SECURITY.md): a page session ends after this many idle minutes.
    session_idle_minutes: int = Field(30, ge=1, le=1440)
    # Always mark the session cookie Secure (it is Secure anyway when the request came over https).
    cookie_secure: bool = False
    # Requests per minute per user: analyst Cypher and similar-case search (0 = no limit).
    rate_limit_cypher: int = Field(30, ge=0, le=100000)
    rate_limit_similar: int = Field(60, ge=0, le=100000)
    # A file holding the password of a first `beheerder` account, created by `serve` when there is no account
    # yet (docker secrets); the file is read, never logged or copied.
    beheerder_wachtwoord_file: Path | None = None
    # Show stack traces on the CLI (for developers; messages may then quote case text).
    debug: bool = False

    @field_validator("graph_uri")
    @classmethod
    def _known_scheme(cls, v: str | None) -> str | None:
        if v and not v.lower().startswith(NEO4J_SCHEMES):
            raise ValueError(f"'{v.split('://')[0]}://…' wordt niet ondersteund: laat hem leeg (ingebouwde "
                             "FalkorDB) of gebruik bolt:// of neo4j:// (Neo4j)")
        return v

    @property
    def embedded(self) -> bool:
        return not self.graph_uri

    @property
    def graph_dir(self) -> Path:
        return self.data_dir / "graph"

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def quarantine_dir(self) -> Path:
        return self.data_dir / "quarantine"

    @property
    def model_path(self) -> str:
        if self.model:
            return self.model
        return str(self.cache_dir / "models" / DEFAULT_MODEL_NAME)


NEO4J_SCHEMES = ("bolt://", "bolt+s://", "bolt+ssc://", "neo4j://", "neo4j+s://", "neo4j+ssc://")


def get_settings(**overrides: Any) -> Settings:
    """Settings from the environment (plus ``overrides``); a bad value raises :class:`ConfigError` naming it."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            name = "CASUSGRAAF_" + "_".join(str(p) for p in err["loc"]).upper()
            problems.append(f"{name}: {err['msg']}")
        raise ConfigError("ongeldige instelling: " + "; ".join(problems) + " (zie docs/CONFIG.md)") from None
