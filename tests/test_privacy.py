"""The privacy gate with the real deduce (loaded once for the whole module), the quarantine store and
the CLI. Quality floors come from tools.quality_privacy on tests/data/privacy_*.jsonl."""

from __future__ import annotations

import json
import logging
import stat
from pathlib import Path

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from casusgraaf.cli import app
from casusgraaf.config import Settings
from casusgraaf.errors import CasusgraafError
from casusgraaf.models.records import CaseRecord
from casusgraaf.privacy import Finding, GateResult, PrivacyGate, get_deduce, get_gate, rules
from casusgraaf.privacy.gate import record_slots
from casusgraaf.privacy.quarantine import Quarantine, QuarantineError
from tests.records import full_record
from tools.quality_privacy import evaluate

VALID_BSN = "123456782"
INVALID_BSN = "123456789"
VALID_IBAN = "NL91ABNA0417164300"
VALID_IBAN_SPACED = "NL91 ABNA 0417 1643 00"
INVALID_IBAN_SPACED = "NL91 ABNA 0417 1643 01"


@pytest.fixture(scope="module")
def gate() -> PrivacyGate:
    return get_gate()


@pytest.fixture(scope="module")
def redact_gate() -> PrivacyGate:
    return get_gate(redact=True)


def types_in(gate: PrivacyGate, text: str) -> set[str]:
    return {f.type for f in gate.scan(text)}


# --- checksums -----------------------------------------------------------------------------------

def test_bsn_11proof():
    assert rules.bsn_valid(VALID_BSN)
    assert rules.bsn_valid("111222333")
    assert not rules.bsn_valid(INVALID_BSN)
    assert not rules.bsn_valid("000000000")
    assert not rules.bsn_valid("12345678")


def test_iban_mod97():
    assert rules.iban_valid(VALID_IBAN)
    assert rules.iban_valid("DE89370400440532013000")
    assert rules.iban_valid("BE68539007547034")
    assert rules.iban_valid("nl91abna0417164300")
    assert not rules.iban_valid("NL91ABNA0417164301")
    assert not rules.iban_valid("NL91ABNA04171643")  # wrong length for NL


def test_bsn_failing_proof_is_not_flagged_without_cue(gate):
    assert "BSN" not in types_in(gate, f"Het ordernummer {INVALID_BSN} stond op de factuur.")
    assert "BSN" in types_in(gate, f"Het ordernummer {VALID_BSN} stond op de factuur.")


def test_bsn_failing_proof_is_flagged_after_a_bsn_cue(gate):
    found = [f for f in gate.scan(f"Haar BSN is {INVALID_BSN}, zegt de moeder.") if f.type == "BSN"]
    assert found and found[0].rule == "bsn_cue"


def test_iban_valid_and_invalid(gate):
    assert "IBAN" in types_in(gate, f"Overmaken naar {VALID_IBAN_SPACED} graag.")
    assert "IBAN" in types_in(gate, f"Overmaken naar {VALID_IBAN} graag.")
    assert "IBAN" in types_in(gate, "Duitse rekening DE89 3704 0044 0532 0130 00 van de vader.")
    assert not types_in(gate, f"Een code {INVALID_IBAN_SPACED} onderaan het formulier.") & {"IBAN", "TELEFOON"}
    assert "IBAN" in types_in(gate, f"Zijn rekeningnummer is {INVALID_IBAN_SPACED}.")


# --- each type ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("De moeder is bereikbaar op 06-12873456 na vijf uur.", "TELEFOON"),
    ("Terugbellen via +31 6 4471 2290 kan altijd.", "TELEFOON"),
    ("Het vaste nummer is (010) 412 55 83.", "TELEFOON"),
    ("Mail naar noor.bakker1987@gmail.com voor stukken.", "EMAIL"),
    ("Zij woont op de Kerkstraat 12 in Lindewaard.", "ADRES"),
    ("Het gezin stond ingeschreven op Laan van Oost 4a.", "ADRES"),
    ("Nieuw adres: postcode 4812 KT, bij de school.", "POSTCODE"),
    ("De zoon is geboren op 14 februari 2006.", "GEBOORTEDATUM"),
    ("Gegevens cliënt: geb. 03-11-1979, alleenstaand.", "GEBOORTEDATUM"),
    ("Noor (34) woont met drie kinderen in Eikendam.", "LEEFTIJD_MET_NAAM"),
    ("De 17-jarige Sem valt tussen wal en schip.", "LEEFTIJD_MET_NAAM"),
    ("De auto met kenteken 87-KLT-3 staat op haar naam.", "KENTEKEN"),
    ("Parkeerboetes op GH-27-NB liepen op.", "KENTEKEN"),
    ("Zie dossiernummer 2023-44817 in de brief.", "DOSSIERNUMMER"),
    ("Het UWV gebruikt klantnummer 8827193.", "DOSSIERNUMMER"),
    ("Zijn eenmanszaak (KvK 74512398) ging failliet.", "KVK"),
    ("Jan de Vries belde de regievoerder.", "PERSOON"),
    ("De brief was gericht aan J. de Boer.", "PERSOON"),
    ("Mevrouw De Graaf kreeg een terugvordering.", "PERSOON"),
    ("Dhr. Jansen was niet bereikbaar.", "PERSOON"),
    ("Het gaat om Mohamed Yilmaz, zonder inkomen.", "PERSOON"),
    ("Noor woont in Eikendam.", "VOORNAAM"),
])
def test_each_type_detected(gate, text, expected):
    assert expected in types_in(gate, text)


@pytest.mark.parametrize("text", [
    "Noor woont met Sem in Eikendam; de gemeente en het UWV verwijzen naar elkaar.",
    "Op 3 maart 2023 diende de regievoerder een verzoek in; na 26 weken was er geen besluit.",
    "Volgens artikel 18 lid 1 Participatiewet en art. 4:94a Awb kon de vordering van € 10.000 vervallen.",
    "De regievoerder sprak met mevrouw Noor over de Wet Kinderopvang.",
    "Het gezin sliep in een hotel van Van der Valk. De Rechtbank Den Haag deed uitspraak.",
    "Yara heeft 2 kinderen van 4 en 7 jaar; Jesse woont al 3 jaar in Lindewaard.",
    "Na de scheiding in 2018 kreeg de vader de kinderen drie dagen per week.",
    "",
])
def test_clean_text_passes(gate, text):
    assert gate.check(text).action == "pass"


# --- redaction --------------------------------------------------------------------------------------

def _record() -> CaseRecord:
    return CaseRecord.model_validate({
        "id": "2024-001",
        "titel": "Casus Jan de Vries",
        "tekst": f"Jan de Vries (BSN {VALID_BSN}) woont op Kerkstraat 12. Zijn zus Anna Bakker belde. "
                 "Jan de Vries kreeg geen bijstand. Noor hielp.",
        "knelpunten": [{"taxonomie": "jr2024", "categorie": "Wet- en regelgeving",
                        "omschrijving": "Anna Bakker kreeg de toeslag niet."}],
        "leerpunten": [{"tekst": "Bel mevrouw De Vries op 06-12345678 terug."}],
    })


def test_placeholders_consistent_within_case(redact_gate):
    result, copy = redact_gate.check_record(_record())
    assert result.action == "redact" and copy is not None
    assert copy.titel == "Casus [PERSOON-1]"
    assert copy.tekst.count("[PERSOON-1]") == 2
    assert "[PERSOON-2]" in copy.tekst and "[PERSOON-2]" in copy.knelpunten[0].omschrijving
    assert "[BSN]" in copy.tekst and "[ADRES]" in copy.tekst
    assert "[TELEFOON]" in copy.leerpunten[0].tekst
    assert "Noor hielp." in copy.tekst  # single first names stay
    assert {f.field for f in result.findings} >= {"tekst", "titel", "knelpunten[0].omschrijving",
                                                 "leerpunten[0].tekst"}


def test_redaction_leaves_no_value(redact_gate):
    original = _record()
    _, copy = redact_gate.check_record(original)
    dumped = copy.model_dump_json()
    for value in (VALID_BSN, "Kerkstraat 12", "06-12345678", "Jan de Vries", "Anna Bakker", "De Vries"):
        assert value not in dumped
    assert original.tekst.startswith("Jan de Vries")  # the input record is untouched


def test_quarantine_policy_returns_no_record(gate):
    result, copy = gate.check_record(_record())
    assert result.action == "quarantine" and copy is None
    assert VALID_BSN not in result.text  # the result's text is always safe


def test_policy_override_and_settings():
    strict = PrivacyGate({"VOORNAAM": "quarantine"})
    assert strict.check("Noor woont in Eikendam.").action == "quarantine"
    assert PrivacyGate.redacting().actions["BSN"] == "redact"
    assert PrivacyGate.redacting().actions["PERSOON"] == "redact"
    assert PrivacyGate().actions["BSN"] == "quarantine"
    with pytest.raises(ValidationError):
        Settings(privacy_hard="blokkeren")
    with pytest.raises(ValueError):
        PrivacyGate({"BSN": "negeren"})


def test_deduce_loaded_once(gate, redact_gate):
    assert get_deduce() is get_deduce()
    assert get_gate() is gate and get_gate(redact=True) is redact_gate


# --- every string a record stores -------------------------------------------------------------------

FULL = full_record()
LITERAL_PATHS = {"status", "indiener.type", "kon_verder", "leerpunten[0].orde", "leerpunten[0].soort",
                 "afgewezen[0].soort"}


def _strings(value, path=""):
    """Every string in a plain dump, with its path (independent of the gate's walker)."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(v, f"{path}.{k}" if path else k)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _strings(v, f"{path}[{i}]")


def test_record_slots_cover_every_string_the_record_stores():
    record = CaseRecord.model_validate(FULL)
    dumped = dict(_strings(record.model_dump()))  # python mode: dates stay dates
    slots = {s.path: s.value for s in record_slots(record)}
    assert slots == {p: v for p, v in dumped.items() if p not in LITERAL_PATHS}
    assert {"id", "leerpunten[0].belegd_bij[1]", "knelpunten[0].subtype", "organisaties[1]",
            "indiener.organisatie"} <= set(slots)
    assert {s.path for s in record_slots(record) if s.is_id} == {"id", "leerpunten[0].id",
                                                                 "leerpunten[0].terugkerend_van", "regievoerder"}

    class Extended(CaseRecord):  # a field added later is scanned without touching the gate
        notitie: str | None = None
        bijlagen: list[str] = []

    extended = Extended.model_validate({**FULL, "notitie": "n", "bijlagen": ["a", "b"]})
    assert {"notitie", "bijlagen[0]", "bijlagen[1]"} <= {s.path for s in record_slots(extended)}


def test_literal_field_is_scanned_when_it_holds_free_text(gate):
    # model_construct skips validation: a Literal field with a value outside its vocabulary is scanned
    record = CaseRecord.model_construct(**{**CaseRecord.model_validate(FULL).__dict__,
                                           "status": f"BSN {VALID_BSN}"})
    result, clean = gate.check_record(record)
    assert clean is None and [f.field for f in result.blocking] == ["status"]


def test_every_field_passes_the_gate_and_is_redacted(gate, redact_gate):
    planted = {**FULL, "organisaties": ["SVB", "Pieter de Vries"], "titel": f"BSN {VALID_BSN}",
               "leerpunten": [{**FULL["leerpunten"][0], "belegd_bij": ["BZK", "Pieter de Vries"],
                               "status": "gemaild naar p.devries@voorbeeld.nl"}],
               "knelpunten": [{**FULL["knelpunten"][0], "subtype": VALID_BSN}],
               "tekst": "Anna Bakker en Pieter de Vries zochten hulp in Eikendam."}
    record = CaseRecord.model_validate(planted)
    result, clean = gate.check_record(record)
    assert clean is None
    assert {f.field for f in result.blocking} == {"tekst", "titel", "organisaties[1]", "knelpunten[0].subtype",
                                                 "leerpunten[0].belegd_bij[1]", "leerpunten[0].status"}
    assert "in leerpunten[0].belegd_bij[1] op positie" in result.summary()
    result, copy = redact_gate.check_record(record)
    assert result.action == "redact" and copy is not None
    # one name, one number, in every field it occurs in
    assert copy.tekst == "[PERSOON-1] en [PERSOON-2] zochten hulp in Eikendam."
    assert copy.organisaties == ["SVB", "[PERSOON-2]"] and copy.leerpunten[0].belegd_bij == ["BZK", "[PERSOON-2]"]
    assert copy.titel == "BSN [BSN]" and copy.knelpunten[0].subtype == "[BSN]"
    assert copy.leerpunten[0].status == "gemaild naar [EMAIL]"
    dumped = copy.model_dump_json()
    for value in (VALID_BSN, "Pieter de Vries", "Vries", "p.devries@voorbeeld.nl", "Anna Bakker"):
        assert value not in dumped
    assert record.organisaties[1] == "Pieter de Vries"  # the input record is untouched


@pytest.mark.parametrize("field", ["id", "leerpunten[0].id", "leerpunten[0].terugkerend_van"])
@pytest.mark.parametrize("value", [f"casus-{VALID_BSN}", "Pieter-de-Vries", "2024_Pieter_de_Vries"])
def test_identifier_in_an_id_means_quarantine_even_when_redacting(gate, redact_gate, field, value, caplog):
    caplog.set_level(logging.DEBUG)
    data = json.loads(json.dumps(FULL))
    if field == "id":
        data["id"] = value
    else:
        data["leerpunten"][0][field.split(".")[1]] = value
    record = CaseRecord.model_validate(data)
    for g in (gate, redact_gate):
        result, clean = g.check_record(record)
        assert result.action == "quarantine" and clean is None
        assert result.unredactable == (field,) and [f.field for f in result.blocking] == [field]
        assert f"in {field} op positie" in result.summary() and "ook niet met --redact" in result.summary()
        assert value not in result.summary() and value not in repr(result)
    assert f"in {field}" in caplog.text and value not in caplog.text and VALID_BSN not in caplog.text


def test_sample_corpus_passes_every_field_unchanged(gate, redact_gate, sample_dir):
    from casusgraaf.ingest.readers import iter_records

    records = [it.record for it in iter_records([sample_dir]) if it.record is not None]
    assert len(records) >= 100
    for g in (gate, redact_gate):
        flagged = {}
        for rec in records:
            result, clean = g.check_record(rec)
            if result.action != "pass" or clean is not rec:
                flagged[rec.id] = result.summary()
        assert flagged == {}
    for value in ("Gemeente Eikendam", "Dienst Toeslagen", "Wet BRP", "SVB", "bewindvoerder"):
        assert gate.check(value).action == "pass", value


# --- nothing leaks ------------------------------------------------------------------------------------

def test_repr_and_summary_hold_no_values(gate):
    text = f"Mevrouw Anna Bakker, BSN {VALID_BSN}, rekening {VALID_IBAN_SPACED}."
    result = gate.check(text)
    assert isinstance(result, GateResult) and result.action == "quarantine"
    shown = repr(result) + str(result.findings) + result.summary() + json.dumps(result.to_dict())
    for value in (VALID_BSN, "Anna Bakker", "Bakker", VALID_IBAN_SPACED, "ABNA"):
        assert value not in shown
    assert "BSN op positie" in result.summary()
    f = result.findings[0]
    assert isinstance(f, Finding) and set(f.to_dict()) == {"type", "field", "start", "end", "confidence", "rule"}


def test_logging_holds_no_values(gate, caplog):
    caplog.set_level(logging.DEBUG)
    gate.check_record(_record())
    for value in (VALID_BSN, "Jan de Vries", "Kerkstraat"):
        assert value not in caplog.text


# --- quarantine store ------------------------------------------------------------------------------------

def test_quarantine_files_are_private_and_index_has_no_values(tmp_path, gate):
    q = Quarantine(tmp_path / "quarantine")
    raw = json.dumps(_record().model_dump(mode="json"), ensure_ascii=False)
    result, _ = gate.check_record(_record())
    qid = q.put(raw, "cases.jsonl", 3, result.findings)
    assert q.put(raw, "cases.jsonl", 3, result.findings) == qid  # idempotent
    assert stat.S_IMODE((tmp_path / "quarantine").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "quarantine" / f"{qid}.json").stat().st_mode) == 0o600
    index = (tmp_path / "quarantine" / "index.jsonl").read_text(encoding="utf-8")
    assert index.count("\n") == 1 and qid in index
    for value in (VALID_BSN, "Jan de Vries", "Kerkstraat", "06-12345678"):
        assert value not in index and value not in qid
    entry = json.loads(index)
    assert set(entry) == {"qid", "source", "line", "time", "types", "findings"}
    assert "BSN" in entry["types"]
    [listed] = q.list()
    assert listed["qid"] == qid
    shown = q.show(qid)
    assert "raw" not in shown and shown["line"] == 3 and shown["findings"]
    assert q.show(qid, include_raw=True)["raw"] == raw
    assert q.release(qid) == raw
    assert q.list() == []
    with pytest.raises(QuarantineError):
        q.show(qid)
    with pytest.raises(QuarantineError):
        q.show("../../etc/passwd")
    qid2 = q.put("x", "a.txt", None, [])
    q.remove(qid2)
    assert not (tmp_path / "quarantine" / f"{qid2}.json").exists()


def _broken_index(tmp_path, gate) -> tuple[Quarantine, list[str]]:
    q = Quarantine(tmp_path / "quarantine")
    result, _ = gate.check_record(_record())
    qids = [q.put(json.dumps({"id": f"c{i}", "tekst": f"BSN {VALID_BSN}"}), "bron.jsonl", i, result.findings)
            for i in (1, 2, 3)]
    return q, qids


def test_corrupt_index_line_is_logged_and_recovered_from_its_file(tmp_path, gate, caplog):
    q, qids = _broken_index(tmp_path, gate)
    index = tmp_path / "quarantine" / "index.jsonl"
    lines = index.read_text(encoding="utf-8").splitlines()
    secret = f"Jan de Vries {VALID_BSN}"
    lines[1] = lines[1][:40] + secret  # line 2 broken (cut off, with a value in it)
    index.write_text("\n".join(lines) + "\n", encoding="utf-8")
    caplog.set_level(logging.DEBUG, logger="casusgraaf.privacy.quarantine")

    listed = q.list()
    assert sorted(r["qid"] for r in listed) == sorted(qids)  # nothing lost
    [recovered] = [r for r in listed if r["qid"] == qids[1]]
    assert recovered["source"] == "bron.jsonl" and recovered["line"] == 2 and recovered["types"]
    assert VALID_BSN not in json.dumps(listed)
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert any("regel 2" in r.getMessage() for r in warnings)
    assert secret not in caplog.text and VALID_BSN not in caplog.text and "Vries" not in caplog.text
    assert len(q) == 3 and q.show(qids[1])["line"] == 2

    # the next write puts the line back; then no more warnings
    q.put("x", "a.txt", None, [])
    caplog.clear()
    assert len(q.list()) == 4 and not [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert secret not in index.read_text(encoding="utf-8")
    q.remove(qids[1])
    assert qids[1] not in {r["qid"] for r in q.list()} and len(q) == 3


def test_missing_index_or_line_loses_no_entry(tmp_path, gate, caplog):
    q, qids = _broken_index(tmp_path, gate)
    index = tmp_path / "quarantine" / "index.jsonl"
    lines = index.read_text(encoding="utf-8").splitlines()
    index.write_text(lines[0] + "\n", encoding="utf-8")  # lines 2 and 3 gone
    caplog.set_level(logging.WARNING, logger="casusgraaf.privacy.quarantine")
    assert [r["qid"] for r in q.list()] == qids
    assert "mist 2 entries" in caplog.text
    index.unlink()  # no index at all
    assert sorted(r["qid"] for r in q.list()) == sorted(qids)
    # an unreadable entry file is listed (so it is not forgotten) and left as it is
    (tmp_path / "quarantine" / f"{qids[0]}.json").write_text("{kapot", encoding="utf-8")
    rows = {r["qid"]: r for r in q.list()}
    assert set(rows) == set(qids) and "onleesbaar" in rows[qids[0]]["source"]
    with pytest.raises(CasusgraafError, match="onleesbaar"):
        q.show(qids[0])
    assert (tmp_path / "quarantine" / f"{qids[0]}.json").read_text(encoding="utf-8") == "{kapot"


# --- CLI ----------------------------------------------------------------------------------------------

def _write(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def test_cli_privacy_check_exit_codes(tmp_path, gate):
    runner = CliRunner()
    clean = _write(tmp_path / "clean.jsonl", [{"id": "c1", "tekst": "Noor woont in Eikendam met Sem."}])
    dirty = _write(tmp_path / "dirty.jsonl", [
        {"id": "c1", "tekst": "Noor woont in Eikendam."},
        {"id": "c2", "tekst": f"Jan de Vries heeft BSN {VALID_BSN}."},
    ])
    res = runner.invoke(app, ["privacy-check", str(clean)])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["privacy-check", str(dirty), "--json"])
    assert res.exit_code == 2
    report = json.loads(res.stdout)
    assert report["aantallen"]["quarantaine"] == 1
    [item] = report["meldingen"]
    assert item["waar"].endswith("dirty.jsonl:2") and {f["type"] for f in item["bevindingen"]} == {"PERSOON", "BSN"}
    assert VALID_BSN not in res.output and "Vries" not in res.output
    res = runner.invoke(app, ["privacy-check", str(dirty)])
    assert res.exit_code == 2
    assert "BSN op positie" in res.output and "dirty.jsonl:2" in res.output
    assert VALID_BSN not in res.output and "Vries" not in res.output
    res = runner.invoke(app, ["privacy-check", str(dirty), "--redact", "--json"])
    assert res.exit_code == 0 and json.loads(res.stdout)["aantallen"]["redact"] == 1


def test_cli_quarantine_flow(tmp_path, monkeypatch, gate):
    monkeypatch.setenv("CASUSGRAAF_DATA_DIR", str(tmp_path / "data"))
    runner = CliRunner()
    dirty = {"id": "c2", "tekst": f"Jan de Vries heeft BSN {VALID_BSN}."}
    q = Quarantine(tmp_path / "data" / "quarantine")
    result, _ = gate.check_record(CaseRecord.model_validate(dirty))
    qid = q.put(json.dumps(dirty), "bron.jsonl", 2, result.findings)

    res = runner.invoke(app, ["quarantine", "list", "--json"])
    assert res.exit_code == 0 and json.loads(res.stdout)[0]["qid"] == qid
    res = runner.invoke(app, ["quarantine", "show", qid, "--json"])
    assert res.exit_code == 0 and VALID_BSN not in res.stdout and "raw" not in json.loads(res.stdout)
    assert runner.invoke(app, ["quarantine", "show", "0000000000000000"]).exit_code == 2

    # still personal data: stays in quarantine, exit 2
    res = runner.invoke(app, ["quarantine", "release", qid, "--json"])
    assert res.exit_code == 2 and VALID_BSN not in res.stdout and json.loads(res.stdout)["vrijgegeven"] is False
    still = _write(tmp_path / "still.jsonl", [dirty])
    assert runner.invoke(app, ["quarantine", "release", qid, "--file", str(still)]).exit_code == 2
    assert q.list()

    # fixed: re-checked and ingested by the real pipeline; only then the entry goes
    fixed = _write(tmp_path / "fixed.jsonl", [{"id": "c2", "tekst": "Jan heeft een BSN."}])
    res = runner.invoke(app, ["quarantine", "release", qid, "--file", str(fixed), "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["vrijgegeven"] is True and out["ingest"]["ingested"] == 1 and q.list() == []
    # (analyst Cypher runs on the text-free projection, so read the stored text through the store itself)
    from casusgraaf.config import get_settings
    from casusgraaf.graph import open_store

    store = open_store(get_settings())
    try:
        assert store.run("MATCH (c:Casus {id: 'c2'}) RETURN c.tekst AS t") == [{"t": "Jan heeft een BSN."}]
    finally:
        store.close()


# --- measured quality ---------------------------------------------------------------------------------

def test_eval_floors(gate):
    m = evaluate(PrivacyGate())
    assert m["pii_passages"] >= 90 and m["clean_passages"] >= 45
    # measured: identifiers 1.000, PERSOON 0.973, clean pass 1.000, precision 1.000 (docs/QUALITY.md)
    assert m["recall_identifiers"] >= 0.98
    assert m["recall_persoon"] >= 0.95
    assert m["clean_pass_rate"] >= 0.97
    assert m["precision"] >= 0.95
    for t, v in m["per_type"].items():
        assert v["recall"] >= 0.9, t
