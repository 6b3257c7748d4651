"""End to end: planted personal data never reaches the graph, an index, the quarantine index or a log."""

from __future__ import annotations

import json
import logging
import stat

from typer.testing import CliRunner

from casusgraaf.cli import app
from casusgraaf.services.ingest import ingest_paths
from casusgraaf.services.search import SearchRefused, gate_text

PLANTED = {
    "BSN": "111222333",
    "IBAN": "NL91ABNA0417164300",
    "TELEFOON": "06-12345678",
    "EMAIL": "p.devries@voorbeeld.nl",
    "ADRES": "Kerkstraat 12",
    "PERSOON": "Pieter de Vries",
    "GEBOORTEDATUM": "12-03-1987",
}

CLEAN = [
    {"id": "schoon-1", "jaar": 2023, "tekst": "Een moeder in Eikendam kreeg de kinderopvangtoeslag niet omdat de "
     "SMI-indicatie te laat kwam. De gemeente en Dienst Toeslagen zochten samen naar een oplossing."},
    {"id": "schoon-2", "jaar": 2024, "tekst": "Noor, begin twintig, viel na haar achttiende verjaardag tussen "
     "Jeugdwet en Wmo 2015. Het wijkteam vroeg het Loket mee te denken over passende begeleiding."},
]
DIRTY = [
    {"id": "pii-bsn", "tekst": f"De cliënt met BSN {PLANTED['BSN']} kreeg geen bijstand van de gemeente."},
    {"id": "pii-iban", "tekst": f"De huur werd betaald vanaf rekening {PLANTED['IBAN']} maar de toeslag stopte."},
    {"id": "pii-tel", "tekst": f"Bel de moeder op {PLANTED['TELEFOON']} over de Wlz-indicatie."},
    {"id": "pii-mail", "tekst": f"Mail de bewindvoerder via {PLANTED['EMAIL']} over de schulden bij het CJIB."},
    {"id": "pii-adres", "tekst": f"Het gezin woont aan de {PLANTED['ADRES']} in Eikendam en dreigt uitgezet te worden."},
    {"id": "pii-naam", "tekst": f"{PLANTED['PERSOON']} kreeg een terugvordering van de SVB voor kinderbijslag."},
    {"id": "pii-geb", "tekst": f"De jongere, geboren op {PLANTED['GEBOORTEDATUM']}, wacht op een Wajong-beoordeling."},
]


def _variants(value: str) -> set[str]:
    return {value, value.replace("-", ""), value.replace(" ", ""), value.lower()}


def _all_stored_text(settings, store) -> str:
    """Everything casusgraaf keeps, except the quarantined record files themselves."""
    parts = [json.dumps(store.run("MATCH (n) RETURN n", include_embedding=False), default=str, ensure_ascii=False),
             json.dumps(store.run("MATCH ()-[r]->() RETURN r"), default=str, ensure_ascii=False)]
    store.run("MATCH (n) RETURN count(n)")
    for path in settings.data_dir.rglob("*"):
        if not path.is_file() or path.suffix == ".sock":
            continue
        if path.parent == settings.quarantine_dir and path.name.endswith(".json"):
            continue  # the quarantined record itself (mode 0600) is the one allowed place
        parts.append(path.read_bytes().decode("utf-8", errors="ignore"))
    return "\n".join(parts)


def test_mixed_file_leaks_nothing(fresh_env, tmp_path, caplog, capsys):
    settings, store = fresh_env
    src = tmp_path / "gemengd.jsonl"
    src.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in CLEAN + DIRTY) + "\n", encoding="utf-8")
    caplog.set_level(logging.DEBUG)

    report = ingest_paths(store, settings, [src])
    assert report.ingested == len(CLEAN)
    assert report.quarantined == len(DIRTY)
    messages = json.dumps(report.to_dict(), ensure_ascii=False)
    store.run("CALL db.labels()")  # make sure the server flushed nothing pending

    stored = _all_stored_text(settings, store)
    logged = caplog.text + capsys.readouterr().out + messages
    for kind, value in PLANTED.items():
        for v in _variants(value):
            assert v not in stored, f"{kind} reached the graph, an index or the quarantine index"
            assert v not in logged, f"{kind} reached a log line or message"

    qfiles = [p for p in settings.quarantine_dir.glob("*.json")]
    assert len(qfiles) == len(DIRTY)
    for p in qfiles:
        assert stat.S_IMODE(p.stat().st_mode) == 0o600
    assert stat.S_IMODE(settings.quarantine_dir.stat().st_mode) == 0o700


def test_redact_mode_stores_placeholders_only(fresh_env, tmp_path):
    settings, store = fresh_env
    src = tmp_path / "redact.jsonl"
    src.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in DIRTY) + "\n", encoding="utf-8")
    report = ingest_paths(store, settings, [src], redact=True)
    assert report.ingested == len(DIRTY) and report.quarantined == 0 and report.redacted == len(DIRTY)
    stored = _all_stored_text(settings, store)
    for kind, value in PLANTED.items():
        for v in _variants(value):
            assert v not in stored, f"{kind} survived redaction"
    texts = " ".join(r["t"] for r in store.run("MATCH (c:Casus) RETURN c.tekst AS t"))
    assert "[BSN]" in texts and "[PERSOON-1]" in texts


def test_free_text_search_and_cli_refuse_without_echo(fresh_env, monkeypatch):
    settings, _store = fresh_env
    text = f"Graag vergelijkbare casussen voor {PLANTED['PERSOON']}, BSN {PLANTED['BSN']}."
    try:
        gate_text(text, settings)
        raise AssertionError("the gate let a BSN and a full name through")
    except SearchRefused as exc:
        for value in (PLANTED["PERSOON"], PLANTED["BSN"]):
            assert value not in str(exc)
    monkeypatch.setenv("CASUSGRAAF_DATA_DIR", str(settings.data_dir))
    result = CliRunner().invoke(app, ["similar", "--text", text, "--json"])
    assert result.exit_code == 2
    assert PLANTED["BSN"] not in result.output and PLANTED["PERSOON"] not in result.output
    result = CliRunner().invoke(app, ["extract", "--text", text, "--json"])
    assert result.exit_code == 2 and PLANTED["BSN"] not in result.output
