"""End to end: planted personal data never reaches the graph, an index, the quarantine index or a log.

Every field a record stores is tried (``record_slots`` of a record that fills them all, ids included),
through the real pipeline (``services.ingest.ingest_paths``), in quarantine and in redact mode.
"""

from __future__ import annotations

import json
import logging
import re
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from casusgraaf.cli import app
from casusgraaf.errors import CasusgraafError
from casusgraaf.graph import open_store
from casusgraaf.models.records import CaseRecord
from casusgraaf.privacy.gate import record_slots
from casusgraaf.privacy.quarantine import Quarantine
from casusgraaf.services.ingest import ingest_paths, release_quarantined
from casusgraaf.services.search import SearchRefused, gate_text
from tests.records import full_record

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

# A record that fills every field (the test below fails when a new field is left empty here).
BASE = full_record(
    id="veld-0",
    tekst="Een man van middelbare leeftijd in Eikendam heeft geen geldig identiteitsbewijs en daardoor geen "
          "bijstand. De bewindvoerder schakelde het Loket in.",
)
BASE["leerpunten"][0].update(id="LP-veld-a", terugkerend_van="LP-oud-b")
# One value of each kind per field: a valid-BSN number, a full name, an e-mail address.
FIELD_VALUES = {"BSN": PLANTED["BSN"], "PERSOON": PLANTED["PERSOON"], "EMAIL": PLANTED["EMAIL"]}


def _variants(value: str) -> set[str]:
    return {value, value.replace("-", ""), value.replace(" ", ""), value.lower(), value.replace(" ", "-"),
            value.replace(" ", "_"), value.replace(" ", "").lower()}


def _all_stored_text(settings, store) -> str:
    """Everything casusgraaf keeps, except the quarantined record files themselves."""
    nodes = store.run("MATCH (n) RETURN n", include_embedding=False)
    rels = store.run("MATCH ()-[r]->() RETURN r")
    parts = [json.dumps(nodes, default=str, ensure_ascii=False), json.dumps(rels, default=str, ensure_ascii=False)]
    for path in settings.data_dir.rglob("*"):
        if not path.is_file() or path.suffix == ".sock":
            continue
        if path.parent == settings.quarantine_dir and re.fullmatch(r"[0-9a-f]{16}\.json", path.name):
            continue  # the quarantined record itself (mode 0600) is the one allowed place
        parts.append(path.read_bytes().decode("utf-8", errors="ignore"))
    return "\n".join(parts)


def _assert_nowhere(values: dict[str, str], *texts: str) -> None:
    for kind, value in values.items():
        for v in _variants(value):
            for i, text in enumerate(texts):
                assert v not in text, f"{kind} found in sink {i}"
    for text in texts:  # the surname alone, and the e-mail domain, are not anywhere either
        assert "vries" not in text.lower() and "voorbeeld.nl" not in text.lower()


def _write(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def test_mixed_file_leaks_nothing(fresh_env, tmp_path, caplog, capsys):
    settings, store = fresh_env
    src = _write(tmp_path / "gemengd.jsonl", CLEAN + DIRTY)
    caplog.set_level(logging.DEBUG)

    report = ingest_paths(store, settings, [src])
    assert report.ingested == len(CLEAN)
    assert report.quarantined == len(DIRTY)
    messages = json.dumps(report.to_dict(), ensure_ascii=False)
    ids = sorted(r["id"] for r in store.run("MATCH (c:Casus) RETURN c.id AS id"))
    assert ids == sorted(r["id"] for r in CLEAN)  # only the clean cases reached the graph

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
    src = _write(tmp_path / "redact.jsonl", DIRTY)
    report = ingest_paths(store, settings, [src], redact=True)
    assert report.ingested == len(DIRTY) and report.quarantined == 0 and report.redacted == len(DIRTY)
    stored = _all_stored_text(settings, store)
    for kind, value in PLANTED.items():
        for v in _variants(value):
            assert v not in stored, f"{kind} survived redaction"
    texts = " ".join(r["t"] for r in store.run("MATCH (c:Casus) RETURN c.tekst AS t"))
    assert "[BSN]" in texts and "[PERSOON-1]" in texts


# --- every field, ids included --------------------------------------------------------------------

def _unfilled(value, path="") -> list[str]:
    if value is None or value == []:
        return [path]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _unfilled(v, f"{path}.{k}" if path else k)]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _unfilled(v, f"{path}[{i}]")]
    return []


BASE_RECORD = CaseRecord.model_validate(BASE)
SLOTS = [(s.path, s.is_id) for s in record_slots(BASE_RECORD)]


def _set(data: dict, path: str, value: str) -> None:
    parts = re.findall(r"[A-Za-z_]+|\[\d+\]", path)
    cur: object = data
    for i, part in enumerate(parts):
        key: str | int = int(part[1:-1]) if part.startswith("[") else part
        if i == len(parts) - 1:
            cur[key] = value  # type: ignore[index]
        else:
            cur = cur[key]  # type: ignore[index]


def _planted_records() -> list[tuple[str, str, bool, dict]]:
    """(field path, kind, is an id, record): one record per field and kind of value."""
    out = []
    for path, is_id in SLOTS:
        for kind in FIELD_VALUES:
            value = FIELD_VALUES[kind]
            if is_id:  # an id has no spaces: "casus-111222333", "Pieter-de-Vries"; an e-mail cannot be one
                value = value.replace(" ", "-") if kind != "BSN" else f"casus-{value}"
            data = json.loads(json.dumps(BASE))
            data["id"] = f"veld-{len(out) + 1}"
            if path != "id":
                data["leerpunten"][0]["id"] = f"LP-veld-{len(out) + 1}"
            _set(data, path, value)
            out.append((path, kind, is_id, data))
    return out


def test_base_record_fills_every_field():
    assert _unfilled(BASE_RECORD.model_dump()) == []
    assert BASE_RECORD.model_dump(mode="json") == CaseRecord.model_validate(BASE).model_dump(mode="json")
    paths = {p for p, _ in SLOTS}
    assert {"id", "titel", "uitkomst", "indiener.organisatie", "knelpunten[0].taxonomie", "knelpunten[0].categorie",
            "knelpunten[0].subtype", "leerpunten[0].belegd_bij[0]", "leerpunten[0].status",
            "leerpunten[0].status_code", "leerpunten[0].categorie", "interventies[0]", "doelgroep[0]",
            "organisaties[1]", "wetten[0]", "beleidsterreinen[0]", "leefgebieden[0]", "leerpunten[0].id"} <= paths


@pytest.mark.parametrize("mode", ["quarantine", "redact"])
def test_value_in_any_field_leaks_nowhere(fresh_env, tmp_path, caplog, capsys, mode):
    settings, store = fresh_env
    redact = mode == "redact"
    planted = _planted_records()
    src = _write(tmp_path / "velden.jsonl", [CLEAN[0]] + [rec for *_, rec in planted])
    caplog.set_level(logging.DEBUG)

    report = ingest_paths(store, settings, [src], redact=redact)

    # what happened to each record: an e-mail cannot be an id (read error), an id cannot be redacted
    unreadable = [p for p in planted if p[2] and p[1] == "EMAIL"]
    refused = [p for p in planted if p not in unreadable and (p[2] or not redact)]
    redacted = [p for p in planted if p not in unreadable and p not in refused]
    assert report.failed == len(unreadable)
    assert report.quarantined == len(refused)
    assert report.redacted == len(redacted) and report.ingested == 1 + len(redacted)
    assert redacted or not redact
    # each refused record is in quarantine for a finding in the field it was planted in
    lines = {r["line"]: r for r in Quarantine(settings.quarantine_dir).list()}
    for line, (path, kind, is_id, _rec) in enumerate(planted, start=2):
        if (path, kind, is_id, _rec) in refused:
            assert path in {f["field"] for f in lines[line]["findings"]}, (path, kind)
    reasons = {p.where.rsplit(":", 1)[1]: p.reason for p in report.problems if p.kind == "quarantaine"}
    for line, p in enumerate(planted, start=2):
        if p in refused and p[2]:
            assert "ook niet met --redact" in reasons[str(line)], p[0]

    stored_ids = {r["id"] for r in store.run("MATCH (c:Casus) RETURN c.id AS id")}
    assert stored_ids == {CLEAN[0]["id"]} | {rec["id"] for *_, rec in redacted}
    if redact:
        props = json.dumps(store.run("MATCH (n) RETURN n", include_embedding=False), default=str, ensure_ascii=False)
        assert "[BSN]" in props and "[PERSOON-1]" in props and "[EMAIL]" in props

    stored = _all_stored_text(settings, store)
    logged = caplog.text + capsys.readouterr().out
    messages = json.dumps(report.to_dict(), ensure_ascii=False) + json.dumps(report.case_ids)
    _assert_nowhere(FIELD_VALUES, stored, logged, messages)


# --- release from quarantine -----------------------------------------------------------------------

def _no_reprs(value) -> None:
    """Every string in a JSON answer is data, not the repr of a Python object."""
    if isinstance(value, dict):
        for v in value.values():
            _no_reprs(v)
    elif isinstance(value, list):
        for v in value:
            _no_reprs(v)
    elif isinstance(value, str):
        assert not re.match(r"^[A-Z]\w*\(\w+=", value), value


def test_release_with_redact_stores_the_case_with_placeholders(fresh_env, tmp_path, monkeypatch, caplog):
    settings, store = fresh_env
    monkeypatch.setenv("CASUSGRAAF_DATA_DIR", str(settings.data_dir))
    caplog.set_level(logging.DEBUG)
    runner = CliRunner()
    record = {"id": "vrij-1", "jaar": 2024, "organisaties": ["SVB", PLANTED["PERSOON"]],
              "tekst": f"{PLANTED['PERSOON']} (BSN {PLANTED['BSN']}) kreeg een terugvordering van de SVB. "
                       "Het wijkteam vroeg het Loket om mee te denken."}
    src = _write(tmp_path / "vrij.jsonl", [record])

    res = runner.invoke(app, ["ingest", str(src), "--json"])
    assert res.exit_code == 2, res.output  # nothing ingested: the case went into quarantine
    assert json.loads(res.stdout)["quarantined"] == 1
    res = runner.invoke(app, ["quarantine", "list", "--json"])
    [entry] = json.loads(res.stdout)
    qid = entry["qid"]
    assert {"PERSOON", "BSN"} <= set(entry["types"])

    res = runner.invoke(app, ["quarantine", "release", qid, "--redact", "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    _no_reprs(out)
    assert out["vrijgegeven"] is True and out["actie"] == "redact"
    assert out["ingest"]["ingested"] == 1 and out["ingest"]["redacted"] == 1
    assert isinstance(out["ingest"]["problems"], list)

    [row] = store.run("MATCH (c:Casus {id: 'vrij-1'}) RETURN c.tekst AS t, c.privacy AS p")
    assert row["t"].startswith("[PERSOON-1] (BSN [BSN]) kreeg") and row["p"] == "redact"
    orgs = {r["n"] for r in store.run("MATCH (:Casus {id: 'vrij-1'})-[]->(o:Organisatie) RETURN o.naam AS n")}
    assert PLANTED["PERSOON"] not in orgs
    assert json.loads(runner.invoke(app, ["quarantine", "list", "--json"]).stdout) == []
    assert not list(settings.quarantine_dir.glob("*.json")) and not list(settings.quarantine_dir.glob(".release-*"))
    _assert_nowhere({k: PLANTED[k] for k in ("PERSOON", "BSN")}, _all_stored_text(settings, store), caplog.text,
                    res.output)


def test_release_whose_ingest_fails_keeps_the_entry(fresh_env, tmp_path):
    settings, store = fresh_env
    src = _write(tmp_path / "blijft.jsonl", [{"id": "blijft-1", "tekst": f"{PLANTED['PERSOON']} kreeg geen "
                                              "bijstand van de gemeente."}])
    assert ingest_paths(store, settings, [src]).quarantined == 1
    q = Quarantine(settings.quarantine_dir)
    [entry] = q.list()

    closed = open_store(settings)  # a real store whose connection is gone: the graph write fails
    closed.close()
    with pytest.raises(CasusgraafError):
        release_quarantined(closed, settings, entry["qid"], redact=True)
    assert [e["qid"] for e in q.list()] == [entry["qid"]]
    assert PLANTED["PERSOON"] in q.show(entry["qid"], include_raw=True)["raw"]  # nothing lost
    assert not list(settings.quarantine_dir.glob(".release-*"))  # the temporary copy is gone
    assert store.run("MATCH (c:Casus {id: 'blijft-1'}) RETURN c.id AS id") == []

    # the same release on a working store succeeds, and only then the entry goes
    out = release_quarantined(store, settings, entry["qid"], redact=True)
    assert out["vrijgegeven"] is True and q.list() == []
    assert store.run("MATCH (c:Casus {id: 'blijft-1'}) RETURN c.tekst AS t") == [
        {"t": "[PERSOON-1] kreeg geen bijstand van de gemeente."}]


def test_free_text_search_and_cli_refuse_without_echo(fresh_env, monkeypatch):
    settings, _store = fresh_env
    text = f"Graag vergelijkbare casussen voor {PLANTED['PERSOON']}, BSN {PLANTED['BSN']}."
    with pytest.raises(SearchRefused) as refused:
        gate_text(text, settings)
    for value in (PLANTED["PERSOON"], PLANTED["BSN"]):
        assert value not in str(refused.value)
    assert "BSN" in str(refused.value)
    monkeypatch.setenv("CASUSGRAAF_DATA_DIR", str(settings.data_dir))
    result = CliRunner().invoke(app, ["similar", "--text", text, "--json"])
    assert result.exit_code == 2
    assert PLANTED["BSN"] not in result.output and PLANTED["PERSOON"] not in result.output
    result = CliRunner().invoke(app, ["extract", "--text", text, "--json"])
    assert result.exit_code == 2 and PLANTED["BSN"] not in result.output
