"""The hash-chained audit log: :class:`AuditLog` appends, reads, filters, verifies and expires.

Each line is one record ``{seq, ts, user, role, action, what, result_ids, result, prev, hash}``: ``hash`` is
the SHA-256 of the canonical JSON of the record without ``hash`` (sorted keys, no spaces, UTF-8), ``prev``
the hash of the record before it (the first: :data:`GENESIS`). The head file ``audit.head`` holds the seq
and hash of the last record, with an HMAC under the install key, and is rewritten with every append: a cut
off tail leaves the head pointing past the end. Expiry (``CASUSGRAAF_AUDIT_RETENTION_DAYS``) drops the
oldest lines and puts a ``checkpoint`` record first that carries the ``prev`` of the first kept line.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from casusgraaf.audit.keys import audit_dir, install_key, keyed_hash
from casusgraaf.config import Settings
from casusgraaf.errors import BadInput, Refused
from casusgraaf.files import exclusive_lock, private_dir, write_private

LOG_FILE, HEAD_FILE, LOCK_FILE = "audit.jsonl", "audit.head", ".lock"
GENESIS = "0" * 64
CHECKPOINT = "checkpoint"
ACTIONS = frozenset({"zoeken", "trefwoorden", "casus_bekijken", "cypher", "export", "status_wijziging",
                     "inloggen", "inloggen_mislukt", "verwijderen", "quarantaine", "audit_bekijken",
                     "casus_voorstellen", "casus_registreren", "casus_afronden"})
RESULTS = frozenset({"ok", "geweigerd", "fout", "niet_gevonden"})
MAX_STRING = 200  # no string in ``what`` longer than this: case text never fits
MAX_IDS = 1000  # result ids per record
_ID = re.compile(r"^[A-Za-z0-9._:#~+-]{1,128}$")
_NAME = re.compile(r"^[^\x00-\x1f\x7f]{1,100}$")
_HASH = re.compile(r"^[0-9a-f]{64}$")
_ROLE = re.compile(r"^[a-z_]{1,32}(,[a-z_]{1,32}){0,7}$")


class AuditRefused(Refused):
    """``record`` was given something that must not be in the audit (text, personal data, a bad value)."""


@dataclass(frozen=True)
class Broken:
    """Why the chain does not verify: the first bad line (1-based; 0 = the head file) and what is wrong."""

    line: int
    reason: str

    def __str__(self) -> str:
        where = "kopbestand" if self.line == 0 else f"regel {self.line}"
        return f"{where}: {self.reason}"


def canonical(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def record_hash(record: dict[str, Any]) -> str:
    return hashlib.sha256(canonical({k: v for k, v in record.items() if k != "hash"}).encode()).hexdigest()


def text_hash(key: bytes, text: str) -> str:
    """HMAC-SHA256 of a free text (normalised whitespace) under the install key: the audit's stand-in for
    a search query or Cypher text. Equal texts give equal hashes on one install, nothing else."""
    return keyed_hash(key, "tekst", " ".join(text.split()))


class AuditLog:
    """The audit trail of one data dir."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.dir = audit_dir(settings)
        self.path = self.dir / LOG_FILE
        self.head_path = self.dir / HEAD_FILE

    # -- keys --

    def text_hash(self, text: str) -> str:
        """HMAC-SHA256 of ``text`` with this install's secret key (see :func:`text_hash`)."""
        return text_hash(install_key(self.settings), text)

    def _head_mac(self, seq: int, h: str, first_ts: str | None) -> str:
        return keyed_hash(install_key(self.settings), "audit-kop", f"{seq}:{h}:{first_ts or ''}")

    # -- writing --

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        with exclusive_lock(private_dir(self.dir) / LOCK_FILE):
            yield

    def record(self, user: str, role: str, action: str, what: dict, result_ids: list[str] | None = None,
               result: str = "ok") -> dict[str, Any]:
        """Append one record and return it. Raises :class:`AuditRefused` (nothing written) when ``what``
        holds a string longer than :data:`MAX_STRING`, anything the privacy gate flags, or when a field is
        not what it should be; the message names the field, never its value."""
        ids = list(result_ids or [])
        self._check(user, role, action, what, ids, result)
        with self._locked():
            seq, prev, first_ts = self._tail()
            now = datetime.now(UTC)
            if first_ts and self._expired(first_ts, now):
                seq, prev, first_ts, _n = self._expire_unlocked(now)
            ts = now.isoformat(timespec="microseconds")
            rec: dict[str, Any] = {"seq": seq + 1, "ts": ts, "user": user, "role": role, "action": action,
                                   "what": what, "result_ids": ids, "result": result, "prev": prev}
            rec["hash"] = record_hash(rec)
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            try:
                os.write(fd, (canonical(rec) + "\n").encode("utf-8"))
                os.fsync(fd)
            finally:
                os.close(fd)
            self._write_head(seq + 1, rec["hash"], first_ts or ts)
        return rec

    def _check(self, user: str, role: str, action: str, what: dict, ids: list[str], result: str) -> None:
        if not isinstance(user, str) or not _NAME.match(user):
            raise AuditRefused("audit: 'user' moet een naam van 1-100 tekens zonder regeleinden zijn")
        if not isinstance(role, str) or not _ROLE.match(role):
            raise AuditRefused("audit: 'role' moet een rol zijn (bv. 'analist' of 'analist,beheerder')")
        if action not in ACTIONS:
            raise AuditRefused(f"audit: onbekende actie; kies uit {', '.join(sorted(ACTIONS))}")
        if result not in RESULTS:
            raise AuditRefused(f"audit: 'result' moet een van {', '.join(sorted(RESULTS))} zijn")
        if not isinstance(what, dict):
            raise AuditRefused("audit: 'what' moet een object (dict) zijn")
        if len(ids) > MAX_IDS or not all(isinstance(i, str) and _ID.match(i) for i in ids):
            raise AuditRefused(f"audit: 'result_ids' moet een lijst van hoogstens {MAX_IDS} ids zijn "
                               "(letters, cijfers en . _ : # ~ + -, hoogstens 128 tekens)")
        strings: list[tuple[str, str]] = []
        _strings(what, "what", strings)
        for where, value in strings:
            if len(value) > MAX_STRING:
                raise AuditRefused(f"audit: {where} is langer dan {MAX_STRING} tekens; leg vrije tekst vast als "
                                   "AuditLog.text_hash(tekst), nooit de tekst zelf")
        if strings:
            from casusgraaf.privacy import get_gate

            gate = get_gate()
            for where, value in strings:
                if _HASH.match(value):  # a text_hash: hex digits only, nothing to find (and no false phone number)
                    continue
                if gate.check(value).blocking:
                    raise AuditRefused(f"audit: {where} bevat iets wat de privacypoort tegenhoudt "
                                       f"({gate.check(value).summary()}); leg het vast als "
                                       "AuditLog.text_hash(tekst)")

    def _tail(self) -> tuple[int, str, str | None]:
        """(seq, hash, first ts) to chain the next record to: the head file; without one, the last line."""
        head = self._read_head()
        if head is not None:
            return head["seq"], head["hash"], head.get("first_ts")
        last = first = None
        for _n, rec in self._lines():
            if isinstance(rec, dict):
                first = first or rec
                last = rec
        if last is None:
            return 0, GENESIS, None
        if last.get("action") == CHECKPOINT:
            return int(last["seq"]), str(last["prev"]), str(first and first.get("ts"))
        return int(last["seq"]), str(last["hash"]), str(first and first.get("ts"))

    def _read_head(self) -> dict[str, Any] | None:
        try:
            head = json.loads(self.head_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return head if isinstance(head, dict) and isinstance(head.get("seq"), int) else None

    def _write_head(self, seq: int, h: str, first_ts: str | None) -> None:
        write_private(self.head_path, canonical({"seq": seq, "hash": h, "first_ts": first_ts,
                                                 "mac": self._head_mac(seq, h, first_ts)}) + "\n")

    # -- retention --

    def _expired(self, first_ts: str, now: datetime) -> bool:
        try:
            return datetime.fromisoformat(first_ts) < now - timedelta(days=self.settings.audit_retention_days)
        except ValueError:
            return False

    def expire(self, now: datetime | None = None) -> int:
        """Drop records older than the retention; returns how many were dropped (also done by ``record``)."""
        with self._locked():
            return self._expire_unlocked(now or datetime.now(UTC))[3]

    def _expire_unlocked(self, now: datetime) -> tuple[int, str, str | None, int]:
        cutoff = now - timedelta(days=self.settings.audit_retention_days)
        lines = list(self._lines())
        seq, prev, _first = self._tail()
        keep_from = len(lines)
        for i, (_n, rec) in enumerate(lines):
            if not isinstance(rec, dict):  # never drop what verify must still report
                keep_from = i
                break
            try:
                old = datetime.fromisoformat(str(rec.get("ts"))) < cutoff
            except ValueError:
                old = False
            if not old:
                keep_from = i
                break
        dropped = [rec for _n, rec in lines[:keep_from] if isinstance(rec, dict) and rec.get("action") != CHECKPOINT]
        if not dropped:
            return seq, prev, _first, 0
        kept = [rec for _n, rec in lines[keep_from:]]
        last = dropped[-1]
        point = {"seq": int(last["seq"]), "ts": now.isoformat(timespec="microseconds"), "user": "casusgraaf",
                 "role": "systeem", "action": CHECKPOINT,
                 "what": {"verwijderd": len(dropped), "bewaartermijn_dagen": self.settings.audit_retention_days,
                          "tot": cutoff.isoformat(timespec="seconds"), "laatste_hash": last["hash"]},
                 "result_ids": [], "result": "ok", "prev": last["hash"]}
        point["hash"] = record_hash(point)
        body = "".join((canonical(r) if isinstance(r, dict) else r) + "\n" for r in [point, *kept])
        write_private(self.path, body)
        first_ts = next((str(r["ts"]) for r in kept if isinstance(r, dict) and "ts" in r), point["ts"])
        self._write_head(seq, prev, first_ts)
        return seq, prev, first_ts, len(dropped)

    # -- reading --

    def _lines(self) -> Iterator[tuple[int, dict[str, Any] | str]]:
        """(line number, record) per non-empty line; an unreadable line comes back as its raw text."""
        if not self.path.exists():
            return
        with open(self.path, encoding="utf-8", errors="replace") as fh:
            for n, line in enumerate(fh, start=1):
                line = line.rstrip("\n")
                if not line.strip():
                    continue
                try:
                    rec = json.loads(line)
                except ValueError:
                    yield n, line
                    continue
                yield n, rec if isinstance(rec, dict) else line

    def records(self, user: str | None = None, since: datetime | None = None,
                action: str | None = None) -> list[dict[str, Any]]:
        """The records (checkpoints included), oldest first, filtered by user, time and action."""
        if since is not None and since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
        out = []
        for _n, rec in self._lines():
            if not isinstance(rec, dict):
                continue
            if user is not None and rec.get("user") != user:
                continue
            if action is not None and rec.get("action") != action:
                continue
            if since is not None:
                try:
                    if datetime.fromisoformat(str(rec.get("ts"))) < since:
                        continue
                except ValueError:
                    continue
            out.append(rec)
        return out

    def verify(self) -> tuple[Broken | None, dict[str, Any]]:
        """(None, summary) when every line chains and the head matches the last one; else the first
        :class:`Broken` line. The summary holds the count and the last hash (note it elsewhere: it pins
        the whole log)."""
        chain, seq, count = GENESIS, 0, 0
        for n, rec in self._lines():
            if not isinstance(rec, dict):
                return Broken(n, "onleesbaar (geen JSON-object): de regel is beschadigd of bewerkt"), {}
            if record_hash(rec) != rec.get("hash"):
                return Broken(n, "de inhoud klopt niet met zijn hash: de regel is gewijzigd"), {}
            if rec.get("action") == CHECKPOINT:
                if count:
                    return Broken(n, "een checkpoint hoort alleen als eerste regel (na het opschonen)"), {}
                if rec.get("what", {}).get("laatste_hash") != rec.get("prev"):
                    return Broken(n, "checkpoint: laatste_hash en prev verschillen"), {}
                chain, seq, count = str(rec["prev"]), int(rec["seq"]), 1
                continue
            count += 1
            if rec.get("prev") != chain or rec.get("seq") != seq + 1:
                return Broken(n, f"sluit niet aan op de regel ervoor (seq {rec.get('seq')}, verwacht {seq + 1}): "
                                 "er is een regel verwijderd of de volgorde is veranderd"), {}
            chain, seq = str(rec["hash"]), int(rec["seq"])
        head = self._read_head()
        if head is None:
            if count == 0:
                return None, {"records": 0, "laatste_seq": 0, "laatste_hash": GENESIS}
            return Broken(0, f"{self.head_path.name} ontbreekt of is onleesbaar; het eind van het logboek kan "
                             "niet worden gecontroleerd"), {}
        if head.get("mac") != self._head_mac(head["seq"], str(head.get("hash")), head.get("first_ts")):
            return Broken(0, f"{self.head_path.name} is gewijzigd (handtekening klopt niet)"), {}
        if head["seq"] != seq or head.get("hash") != chain:
            if head["seq"] > seq:
                return Broken(count + 1, f"het eind is afgekapt: na seq {seq} ontbreken {head['seq'] - seq} "
                                         f"record(s) tot seq {head['seq']}"), {}
            return Broken(0, f"wijst naar seq {head['seq']}, het logboek eindigt bij seq {seq}"), {}
        return None, {"records": count, "laatste_seq": seq, "laatste_hash": chain}


def _strings(value: Any, where: str, out: list[tuple[str, str]]) -> None:
    """Every string in ``value`` (keys too), with where it sits (``what.filters.wet[0]``)."""
    if isinstance(value, str):
        out.append((where, value))
    elif isinstance(value, dict):
        for k, v in value.items():
            if not isinstance(k, str):
                raise AuditRefused(f"audit: {where} heeft een sleutel die geen tekst is")
            out.append((f"{where} (sleutel)", k))
            _strings(v, f"{where}.{k}", out)
    elif isinstance(value, list | tuple):
        for i, v in enumerate(value):
            _strings(v, f"{where}[{i}]", out)
    elif not (value is None or isinstance(value, bool | int | float)):
        raise AuditRefused(f"audit: {where} heeft een waarde van type {type(value).__name__}; alleen tekst, "
                           "getallen, ja/nee, lijsten en objecten")


def parse_since(value: str) -> datetime:
    """``--sinds``: a date (2026-01-31) or an ISO time; :class:`BadInput` otherwise."""
    try:
        out = datetime.fromisoformat(value)
    except ValueError:
        raise BadInput("--sinds (API: sinds) is geen datum; gebruik JJJJ-MM-DD of een ISO-tijd") from None
    return out if out.tzinfo else out.replace(tzinfo=UTC)


__all__ = ["ACTIONS", "GENESIS", "MAX_IDS", "MAX_STRING", "AuditLog", "AuditRefused", "Broken", "parse_since",
           "text_hash"]
