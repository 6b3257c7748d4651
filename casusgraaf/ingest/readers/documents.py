"""One case per document: .txt/.md (optional YAML front matter), .docx, .pdf."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import yaml

from casusgraaf.ingest.readers import ReadItem
from casusgraaf.ingest.readers.validate import to_record

_ID_OK = re.compile(r"[^A-Za-z0-9_.\-]+")


def _id_from_name(path: Path) -> str:
    return _ID_OK.sub("-", path.stem).strip("-.") or "casus"


def _item(path: Path, meta: dict, body: str) -> ReadItem:
    data = dict(meta)
    data.setdefault("id", _id_from_name(path))
    data["id"] = str(data["id"])
    if body.strip():
        data["tekst"] = body.strip()
    record, error, warnings = to_record(data)
    return ReadItem(str(path), None, raw=json.dumps(data, ensure_ascii=False, default=str),
                    record=record, error=error, warnings=warnings)


def read_text_case(path: Path) -> Iterator[ReadItem]:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        yield ReadItem(str(path), None, error="tekst is geen UTF-8; sla het bestand op als UTF-8")
        return
    meta: dict = {}
    body = text
    if text.startswith("---"):
        parts = text.split("\n---", 1)
        if len(parts) == 2:
            try:
                loaded = yaml.safe_load(parts[0][3:]) or {}
            except yaml.YAMLError as exc:
                mark = getattr(exc, "problem_mark", None)
                where = f" (regel {mark.line + 1})" if mark else ""
                yield ReadItem(str(path), None, error=f"YAML-kop is ongeldig{where}; herstel de kop tussen '---'")
                return
            if not isinstance(loaded, dict):
                yield ReadItem(str(path), None, error="YAML-kop moet velden bevatten (naam: waarde)")
                return
            meta, body = loaded, parts[1].lstrip("-\n")
    yield _item(path, meta, body)


def read_docx(path: Path) -> Iterator[ReadItem]:
    try:
        import docx  # python-docx

        document = docx.Document(str(path))
    except Exception:  # noqa: BLE001 - any parse failure means "not a readable docx"
        yield ReadItem(str(path), None, error="geen geldig .docx-bestand; open en sla het opnieuw op in Word")
        return
    body = "\n".join(p.text for p in document.paragraphs)
    yield _item(path, {}, body)


def read_pdf(path: Path) -> Iterator[ReadItem]:
    with path.open("rb") as fh:
        if fh.read(5) != b"%PDF-":
            yield ReadItem(str(path), None, error="bestand heet .pdf maar is geen PDF; controleer het bestand")
            return
    try:
        from pypdf import PdfReader

        reader = PdfReader(str(path))
        body = "\n".join((page.extract_text() or "") for page in reader.pages)
    except Exception:  # noqa: BLE001
        yield ReadItem(str(path), None, error="PDF kon niet gelezen worden (beschadigd of versleuteld)")
        return
    if not body.strip():
        yield ReadItem(str(path), None, error="PDF bevat geen tekst (gescand?); lever de tekst als .txt aan")
        return
    yield _item(path, {}, body)
