"""Settings, read from the environment (``CASUSGRAAF_*``). Every setting is documented in docs/CONFIG.md."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_MODEL_NAME = "multilingual-e5-small"


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


@dataclass(frozen=True)
class Settings:
    """One place for every knob. Build with :func:`get_settings` (environment) or directly in tests."""

    data_dir: Path = field(default_factory=lambda: Path(_env("CASUSGRAAF_DATA_DIR", "./casusgraaf-data")))
    graph_uri: str | None = field(default_factory=lambda: _env("CASUSGRAAF_GRAPH_URI"))
    graph_user: str = field(default_factory=lambda: _env("CASUSGRAAF_GRAPH_USER", "neo4j"))
    graph_password: str | None = field(default_factory=lambda: _env("CASUSGRAAF_GRAPH_PASSWORD"))
    graph_name: str = field(default_factory=lambda: _env("CASUSGRAAF_GRAPH_NAME", "casusgraaf"))
    cache_dir: Path = field(
        default_factory=lambda: Path(_env("CASUSGRAAF_CACHE_DIR", str(Path.home() / ".cache" / "casusgraaf")))
    )
    # Any sentence-transformers model id or local path; unset = the e5-small built at setup.
    model: str | None = field(default_factory=lambda: _env("CASUSGRAAF_MODEL"))
    # Fusion of the similar-case signals; defaults chosen by `python -m casusgraaf.search.evaluate`.
    fusion: str = field(default_factory=lambda: _env("CASUSGRAAF_FUSION", "weighted"))
    weight_dense: float = field(default_factory=lambda: float(_env("CASUSGRAAF_WEIGHT_DENSE", "0.4")))
    weight_lexical: float = field(default_factory=lambda: float(_env("CASUSGRAAF_WEIGHT_LEXICAL", "0.3")))
    weight_structural: float = field(default_factory=lambda: float(_env("CASUSGRAAF_WEIGHT_STRUCTURAL", "0.3")))
    # Privacy: "quarantine" (default) or "redact" for hard identifiers.
    privacy_hard: str = field(default_factory=lambda: _env("CASUSGRAAF_PRIVACY_HARD", "quarantine"))

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


def get_settings(**overrides) -> Settings:
    settings = Settings()
    if overrides:
        from dataclasses import replace

        settings = replace(settings, **overrides)
    return settings
