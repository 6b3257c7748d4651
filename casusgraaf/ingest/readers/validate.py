"""Turn a dict into a CaseRecord, with messages a regievoerder can act on."""

from __future__ import annotations

from pydantic import ValidationError

from casusgraaf.models.records import KNOWN_FIELDS, CaseRecord


def to_record(data: object) -> tuple[CaseRecord | None, str | None, list[str]]:
    """Return (record, error, warnings). Error messages never quote field values (they may be sensitive)."""
    if not isinstance(data, dict):
        return None, "regel is geen JSON-object ({...}); elke regel moet één casus zijn", []
    warnings = [f"onbekend veld '{k}' genegeerd" for k in data if k not in KNOWN_FIELDS]
    missing = [k for k in ("id", "tekst") if not data.get(k)]
    if missing:
        return None, "verplicht veld ontbreekt of is leeg: " + ", ".join(missing), warnings
    try:
        return CaseRecord.model_validate(data), None, warnings
    except ValidationError as exc:
        parts = []
        for err in exc.errors(include_input=False, include_url=False):
            loc = ".".join(str(x) for x in err["loc"])
            parts.append(f"veld '{loc}': {err['msg']}")
        return None, "ongeldige waarde: " + "; ".join(parts[:5]), warnings
