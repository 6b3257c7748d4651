"""The audit trail: a hash chain that `audit verify` checks line by line, a head pointer for the tail, no
text ever, retention with a checkpoint, and the CLI's filters and formats. Real files, the real gate."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from typer.testing import CliRunner

from casusgraaf.audit import GENESIS, MAX_STRING, AuditLog, AuditRefused
from casusgraaf.cli import app
from tests.conftest import make_settings

runner = CliRunner()


@pytest.fixture
def settings(tmp_path):
    return make_settings(tmp_path / "data")


@pytest.fixture
def filled(settings):
    log = AuditLog(settings)
    log.record("anna", "analist", "cypher", {"query": log.text_hash("MATCH (c) RETURN count(c)")})
    log.record("bert", "regievoerder", "zoeken", {"tekst": log.text_hash("dakloos zonder id"),
                                                  "filters": {"wet": ["Participatiewet"], "jaar_van": 2020}},
               ["2019-001", "2020-004"])
    log.record("anna", "analist", "casus_bekijken", {}, ["2019-001"])
    log.record("carla", "beheerder", "verwijderen", {"quarantaine": 0}, ["2019-002"])
    log.record("dirk", "ambassadeur", "status_wijziging", {"leerpunt": "LP2019-001-ID", "code": "OPGEPAKT"})
    return log


def lines(log: AuditLog) -> list[str]:
    return log.path.read_text(encoding="utf-8").splitlines()


def write(log: AuditLog, rows: list[str]) -> None:
    log.path.write_text("".join(r + "\n" for r in rows), encoding="utf-8")


def test_chain_verifies_and_links(filled):
    broken, summary = filled.verify()
    assert broken is None and summary["records"] == 5 and summary["laatste_seq"] == 5
    recs = [json.loads(line) for line in lines(filled)]
    assert recs[0]["prev"] == GENESIS and [r["seq"] for r in recs] == [1, 2, 3, 4, 5]
    assert all(b["prev"] == a["hash"] for a, b in zip(recs, recs[1:], strict=False))
    assert set(recs[1]) == {"seq", "ts", "user", "role", "action", "what", "result_ids", "result", "prev", "hash"}
    assert (filled.path.stat().st_mode & 0o777) == 0o600 and (filled.head_path.stat().st_mode & 0o777) == 0o600


def test_a_deleted_line_is_named(filled):
    rows = lines(filled)
    write(filled, rows[:2] + rows[3:])
    broken, _ = filled.verify()
    assert broken is not None and broken.line == 3 and "verwijderd" in broken.reason


def test_an_edited_line_is_named(filled):
    rows = lines(filled)
    rec = json.loads(rows[1])
    rec["result_ids"] = ["2019-001"]  # hide that 2020-004 was returned
    write(filled, [rows[0], json.dumps(rec), *rows[2:]])
    broken, _ = filled.verify()
    assert broken is not None and broken.line == 2 and "gewijzigd" in broken.reason


def test_an_edited_line_with_a_recomputed_hash_is_still_caught(filled):
    from casusgraaf.audit.log import canonical, record_hash

    rows = lines(filled)
    rec = json.loads(rows[2])
    rec["user"] = "iemand anders"
    rec["hash"] = record_hash(rec)
    write(filled, [*rows[:2], canonical(rec), *rows[3:]])
    broken, _ = filled.verify()
    assert broken is not None and broken.line == 4  # the next line no longer chains to it


def test_a_reordered_line_is_named(filled):
    rows = lines(filled)
    write(filled, [rows[0], rows[2], rows[1], *rows[3:]])
    broken, _ = filled.verify()
    assert broken is not None and broken.line == 2 and "volgorde" in broken.reason


def test_a_truncated_tail_is_detected(filled):
    write(filled, lines(filled)[:3])
    broken, _ = filled.verify()
    assert broken is not None and broken.line == 4 and "afgekapt" in broken.reason


def test_a_changed_head_and_a_missing_head_are_detected(filled):
    head = json.loads(filled.head_path.read_text())
    filled.head_path.write_text(json.dumps({**head, "seq": 3}))
    broken, _ = filled.verify()
    assert broken is not None and broken.line == 0 and "handtekening" in broken.reason
    filled.head_path.unlink()
    broken, _ = filled.verify()
    assert broken is not None and broken.line == 0 and "ontbreekt" in broken.reason


def test_a_broken_line_is_named(filled):
    rows = lines(filled)
    write(filled, [*rows[:4], rows[4][:-10]])
    broken, _ = filled.verify()
    assert broken is not None and broken.line == 5 and "onleesbaar" in broken.reason


def test_an_empty_log_verifies(settings):
    assert AuditLog(settings).verify() == (None, {"records": 0, "laatste_seq": 0, "laatste_hash": GENESIS})


CASE_TEXT = ("Een man van middelbare leeftijd is na jaren zwerven weer in beeld bij het wijkteam van Eikendam. "
             "Hij slaapt bij een kennis op de bank en heeft geen enkel inkomen. Zijn paspoort is lang geleden "
             "verlopen en zijn identiteitskaart is bij een verhuizing zoekgeraakt.")


@pytest.mark.parametrize("what", [
    {"tekst": CASE_TEXT},  # case text: too long
    {"filters": {"wet": ["x" * (MAX_STRING + 1)]}},  # nested
    {"zoekterm": "Jan de Vries"},  # a name: the gate catches it
    {"bsn": "123456782"},  # a valid BSN
    {"iban": "NL91ABNA0417164300"},
    {"x": b"bytes"},
], ids=["case-text", "nested-long", "name", "bsn", "iban", "bytes"])
def test_record_refuses_text(settings, what):
    log = AuditLog(settings)
    with pytest.raises(AuditRefused) as err:
        log.record("anna", "analist", "zoeken", what)
    message = str(err.value)
    assert "what" in message  # names the field ...
    for value in ("Jan de Vries", "123456782", "NL91ABNA0417164300", CASE_TEXT[:30]):
        assert value not in message  # ... never the value
    assert not log.path.exists()  # nothing written


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"action": "wissen"}, "actie"), ({"role": "Analist!"}, "role"), ({"user": "a\nb"}, "user"),
    ({"result": "prima"}, "result"), ({"result_ids": ["2019 001"]}, "result_ids"),
    ({"result_ids": ["x"] * 1001}, "result_ids"),
])
def test_record_refuses_bad_fields(settings, kwargs, field):
    args = {"user": "anna", "role": "analist", "action": "zoeken", "what": {}, **kwargs}
    with pytest.raises(AuditRefused, match=field):
        AuditLog(settings).record(**args)


def test_text_hash_is_keyed_and_stable(settings, tmp_path):
    a = AuditLog(settings)
    other = AuditLog(make_settings(tmp_path / "other"))
    assert a.text_hash("dakloos  zonder id") == a.text_hash("dakloos zonder id")
    assert a.text_hash("dakloos zonder id") != other.text_hash("dakloos zonder id")  # per-install key
    import hashlib

    assert a.text_hash("ja") != hashlib.sha256(b"ja").hexdigest()
    assert (settings.data_dir / "audit" / ".key").stat().st_mode & 0o777 == 0o600


def test_retention_drops_old_records_and_verify_still_works(settings):
    log = AuditLog(settings)
    for i in range(4):
        log.record("anna", "analist", "cypher", {"n": i})
    rows = [json.loads(line) for line in lines(log)]
    old = (datetime.now(UTC) - timedelta(days=settings.audit_retention_days + 5)).isoformat()
    # make the first two old, keeping the chain valid (as if they were written then)
    from casusgraaf.audit.log import canonical, record_hash

    prev = GENESIS
    for r in rows:
        if r["seq"] <= 2:
            r["ts"] = old
        r["prev"] = prev
        r["hash"] = record_hash(r)
        prev = r["hash"]
    write(log, [canonical(r) for r in rows])
    log._write_head(4, prev, old)
    assert log.verify()[0] is None
    log.record("anna", "analist", "cypher", {"n": 4})  # the write expires first
    recs = [json.loads(line) for line in lines(log)]
    assert recs[0]["action"] == "checkpoint" and recs[0]["what"]["verwijderd"] == 2
    assert recs[0]["what"]["laatste_hash"] == rows[1]["hash"]
    assert [r["seq"] for r in recs[1:]] == [3, 4, 5]
    broken, summary = log.verify()
    assert broken is None and summary["laatste_seq"] == 5
    # deleting the line after the checkpoint is still caught
    rows = lines(log)
    write(log, [rows[0], *rows[2:]])
    assert log.verify()[0].line == 2


def test_expiring_everything_keeps_the_chain(settings):
    log = AuditLog(settings)
    log.record("anna", "analist", "cypher", {})
    future = datetime.now(UTC) + timedelta(days=settings.audit_retention_days + 1)
    assert log.expire(now=future) == 1
    assert log.verify()[0] is None
    log.record("anna", "analist", "cypher", {})
    broken, summary = log.verify()
    assert broken is None and summary["laatste_seq"] == 2


def run(settings, *args):
    env = {"CASUSGRAAF_DATA_DIR": str(settings.data_dir)}
    return runner.invoke(app, list(args), env=env)


def test_cli_filters_and_formats(settings, filled):
    out = run(settings, "audit", "--json")
    assert out.exit_code == 0, out.output
    assert [r["seq"] for r in json.loads(out.output)["records"]] == [1, 2, 3, 4, 5]
    out = run(settings, "audit", "--gebruiker", "anna", "--json")
    assert [r["action"] for r in json.loads(out.output)["records"]] == ["cypher", "casus_bekijken"]
    out = run(settings, "audit", "--actie", "zoeken", "--csv")
    table = list(csv.DictReader(io.StringIO(out.output)))
    assert len(table) == 1 and table[0]["user"] == "bert" and table[0]["result_ids"] == "2019-001 2020-004"
    assert json.loads(table[0]["what"])["filters"]["wet"] == ["Participatiewet"]
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
    assert json.loads(run(settings, "audit", "--sinds", tomorrow, "--json").output) == {"records": []}
    assert len(json.loads(run(settings, "audit", "--sinds", "2000-01-01", "--json").output)["records"]) == 5
    bad = run(settings, "audit", "--sinds", "gisteren", "--json")
    assert bad.exit_code == 2 and "JJJJ-MM-DD" in json.loads(bad.output)["error"]
    table_out = run(settings, "audit")
    assert table_out.exit_code == 0 and "seq" in table_out.output and "Traceback" not in table_out.output


def test_cli_verify_exit_codes(settings, filled):
    ok = run(settings, "audit", "verify", "--json")
    assert ok.exit_code == 0 and json.loads(ok.output)["intact"] is True
    rows = lines(filled)
    write(filled, rows[:1] + rows[2:])
    bad = run(settings, "audit", "verify", "--json")
    assert bad.exit_code == 2 and "regel 2" in json.loads(bad.output)["error"]
