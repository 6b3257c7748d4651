"""Quarantine: records the privacy gate stopped, kept aside so nothing is lost and nothing leaks.

Layout of the quarantine dir (mode 0700):

* ``<qid>.json`` (mode 0600): the raw record, where it came from, and the findings (types and
  positions). This is the only place the raw text is kept.
* ``index.jsonl`` (mode 0600): one line per entry with qid, source, line, time and the finding
  types and positions, never values or text. The index is derived data: an entry whose line is broken
  or missing is recovered from its ``<qid>.json`` (with a WARNING naming the line number, never its
  content), and the next write puts the line back.
* ``.key`` (mode 0600): a random key; the qid is an HMAC of (source, line, raw record), so putting
  the same record twice gives the same entry, and the qid reveals nothing about the text.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import logging
import os
import re
import secrets
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from casusgraaf.errors import CasusgraafError, NotFound
from casusgraaf.files import exclusive_lock, private_dir, write_private

log = logging.getLogger(__name__)

_QID = re.compile(r"^[0-9a-f]{16}$")
INDEX = "index.jsonl"


class QuarantineError(NotFound):
    """Unknown or malformed quarantine id."""


class QuarantineFileError(CasusgraafError):
    """A quarantine file exists but cannot be read; it is left untouched."""

    status = 500


def _finding_dict(f: Any) -> dict[str, Any]:
    d = f.to_dict() if hasattr(f, "to_dict") else dict(f)
    return {k: d[k] for k in ("type", "field", "start", "end", "confidence", "rule") if k in d}


class Quarantine:
    """The quarantine dir (``settings.quarantine_dir``)."""

    def __init__(self, dir: str | Path) -> None:
        self.dir = Path(dir)

    # -- internals --

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        with exclusive_lock(private_dir(self.dir) / ".lock"):
            yield

    def _key(self) -> bytes:
        path = self.dir / ".key"
        if not path.exists():
            with contextlib.suppress(FileExistsError):
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "wb") as fh:
                    fh.write(secrets.token_bytes(32))
        return path.read_bytes()

    def _path(self, qid: str) -> Path:
        if not isinstance(qid, str) or not _QID.match(qid):
            raise QuarantineError(f"ongeldig quarantaine-id '{qid}' (16 hexadecimale tekens verwacht)")
        return self.dir / f"{qid}.json"

    def _read_index(self) -> list[dict[str, Any]]:
        """The parseable index lines. A broken line is logged (its number, never its content) and skipped;
        :meth:`_entries` recovers its entry from the entry's file."""
        path = self.dir / INDEX
        if not path.exists():
            return []
        rows = []
        for n, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError:
                row = None
            if not isinstance(row, dict) or not isinstance(row.get("qid"), str):
                log.warning("quarantaine-index %s: regel %d is onleesbaar; de entry wordt uit zijn "
                            "quarantainebestand hersteld", path, n)
                continue
            rows.append(row)
        return rows

    def _entry_files(self) -> dict[str, Path]:
        if not self.dir.is_dir():
            return {}
        return {p.stem: p for p in sorted(self.dir.glob("*.json")) if _QID.match(p.stem)}

    def _index_row(self, qid: str, path: Path) -> dict[str, Any]:
        """The index line of an entry, rebuilt from its file (no values, no text)."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(data, dict):
                raise ValueError("not an object")
        except (OSError, ValueError):
            log.warning("quarantainebestand %s is onleesbaar; het blijft staan en wordt als onleesbaar getoond",
                        path)
            time = datetime.fromtimestamp(path.stat().st_mtime, UTC).isoformat(timespec="seconds")
            return {"qid": qid, "source": "onbekend (quarantainebestand onleesbaar)", "line": None, "time": time,
                    "types": [], "findings": []}
        found = [f for f in data.get("findings") or [] if isinstance(f, dict)]
        return {"qid": qid, "source": str(data.get("source", "onbekend")), "line": data.get("line"),
                "time": str(data.get("time", "")), "types": sorted({str(f.get("type")) for f in found}),
                "findings": [{k: f[k] for k in ("type", "field", "start", "end") if k in f} for f in found]}

    def _entries(self) -> list[dict[str, Any]]:
        """Every entry whose file exists: its index line, or (broken or missing line) one rebuilt from the file."""
        files = self._entry_files()
        rows = {r["qid"]: r for r in self._read_index() if r["qid"] in files}
        missing = [qid for qid in files if qid not in rows]
        if missing:
            log.warning("quarantaine-index mist %d entr%s; hersteld uit de quarantainebestanden",
                        len(missing), "y" if len(missing) == 1 else "ies")
            rows.update({qid: self._index_row(qid, files[qid]) for qid in missing})
        # Oldest first; within one second (the time's resolution) the order the files were written in.
        def order(r: dict[str, Any]) -> tuple[str, int]:
            path = files.get(r["qid"])
            return str(r.get("time", "")), path.stat().st_mtime_ns if path is not None else 0

        return sorted(rows.values(), key=order)

    def _write_index(self, rows: Iterable[dict[str, Any]]) -> None:
        write_private(self.dir / INDEX, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))

    # -- public API --

    def put(self, raw: str, source: str, line: int | None, findings: Iterable[Any]) -> str:
        """Keep ``raw`` aside; returns the qid. The same (source, line, raw) gives the same qid."""
        found = [_finding_dict(f) for f in findings]
        with self._locked():
            digest = hmac.new(self._key(), f"{source}\x00{line}\x00{raw}".encode(), hashlib.sha256)
            qid = digest.hexdigest()[:16]
            now = datetime.now(UTC).isoformat(timespec="seconds")
            entry = {"qid": qid, "source": str(source), "line": line, "time": now, "findings": found}
            rows = [r for r in self._entries() if r.get("qid") != qid]  # before the new file exists
            write_private(self._path(qid), json.dumps({**entry, "raw": raw}, ensure_ascii=False, indent=2))
            rows.append({"qid": qid, "source": str(source), "line": line, "time": now,
                         "types": sorted({f["type"] for f in found}),
                         "findings": [{k: f[k] for k in ("type", "field", "start", "end") if k in f} for f in found]})
            self._write_index(rows)
        return qid

    def list(self) -> list[dict[str, Any]]:
        """Every entry whose file exists (no values, no text), oldest first, also when its index line is
        broken or missing; index lines whose file is gone are skipped."""
        if not self.dir.is_dir():
            return []
        with self._locked():  # a concurrent put writes the file before its index line
            return self._entries()

    def show(self, qid: str, include_raw: bool = False) -> dict[str, Any]:
        """Source, line, time and findings of one entry; the raw record only with ``include_raw=True``."""
        path = self._path(qid)
        if not path.exists():
            raise QuarantineError(f"quarantaine-id '{qid}' bestaat niet; zie 'casusgraaf quarantine list'")
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            raise QuarantineFileError(f"quarantainebestand {path} is onleesbaar (geen geldige JSON); het is niet "
                                      "gewijzigd. Herstel of verwijder het met de hand.") from None
        data["path"] = str(path)
        if not include_raw:
            data.pop("raw", None)
        return data

    def release(self, qid: str) -> str:
        """Take the entry out of quarantine: returns the raw record and removes the entry."""
        raw = self.show(qid, include_raw=True)["raw"]
        self.remove(qid)
        return raw

    def remove(self, qid: str) -> None:
        """Delete an entry (file and index line)."""
        path = self._path(qid)
        with self._locked():
            if not path.exists() and not any(r.get("qid") == qid for r in self._read_index()):
                raise QuarantineError(f"quarantaine-id '{qid}' bestaat niet; zie 'casusgraaf quarantine list'")
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
            self._write_index(r for r in self._entries() if r.get("qid") != qid)

    def __len__(self) -> int:
        return len(self.list())


__all__ = ["Quarantine", "QuarantineError", "QuarantineFileError"]
