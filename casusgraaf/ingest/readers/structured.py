"""JSONL and CSV readers."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

from casusgraaf.ingest.readers import ReadItem
from casusgraaf.ingest.readers.validate import to_record

# CSV cells that hold lists use ';' between values; nested objects may be given as JSON.
LIST_FIELDS = {"beleidsterreinen", "leefgebieden", "wetten", "organisaties", "interventies", "doelgroep"}
JSON_FIELDS = {"knelpunten", "leerpunten", "indiener"}


def _decode(path: Path) -> tuple[str | None, str | None]:
    data = path.read_bytes()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return None, (f"regel {line}: tekst is geen UTF-8; sla het bestand op als UTF-8 "
                      "(in Excel: 'CSV UTF-8') en lees het opnieuw in")


def read_jsonl(path: Path) -> Iterator[ReadItem]:
    """One item per line, read as the caller asks for them (a large file is never held whole); a line that is
    not UTF-8 or not JSON is reported with its number and the other lines are read."""
    with path.open("rb") as fh:
        for n, raw in enumerate(fh, start=1):
            if n == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            try:
                line = raw.decode("utf-8").rstrip("\r\n")
            except UnicodeDecodeError:
                yield ReadItem(str(path), n, error=f"regel {n}: tekst is geen UTF-8; sla het bestand op als UTF-8 "
                               "(in Excel: 'CSV UTF-8') en lees het opnieuw in")
                continue
            if not line.strip():
                continue
            try:
                data = json.loads(line)
            except json.JSONDecodeError as exc:
                yield ReadItem(str(path), n, raw=line, error=f"kapotte JSON (kolom {exc.colno}: {exc.msg}); "
                               "herstel deze regel, de andere regels zijn wel ingelezen")
                continue
            record, error, warnings = to_record(data)
            yield ReadItem(str(path), n, raw=line, record=record, error=error, warnings=warnings)


def _csv_row_to_dict(row: dict[str, str]) -> dict:
    out: dict = {}
    for key, value in row.items():
        if key is None or value is None or value.strip() == "":
            continue
        key = key.strip()
        value = value.strip()
        if key in LIST_FIELDS:
            out[key] = [v.strip() for v in value.split(";") if v.strip()]
        elif key in JSON_FIELDS:
            try:
                out[key] = json.loads(value)
            except json.JSONDecodeError:
                out[key] = value if key != "indiener" else {"type": "onbekend", "organisatie": value}
        elif key in ("let_ingezet", "op_ingezet"):
            out[key] = value.lower() in ("1", "true", "ja", "yes", "waar")
        else:
            out[key] = value
    return out


def read_csv(path: Path) -> Iterator[ReadItem]:
    text, err = _decode(path)
    if text is None:
        yield ReadItem(str(path), None, error=err)
        return
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    if not reader.fieldnames or "tekst" not in [f.strip() for f in reader.fieldnames]:
        yield ReadItem(str(path), 1, error="CSV mist een kopregel met minstens de kolommen 'id' en 'tekst'")
        return
    for row in reader:
        line = reader.line_num
        if None in row:
            yield ReadItem(str(path), line, error="regel heeft meer kolommen dan de kopregel; "
                           "zet tekst met komma's tussen aanhalingstekens")
            continue
        record, error, warnings = to_record(_csv_row_to_dict(row))
        raw = json.dumps(row, ensure_ascii=False)
        yield ReadItem(str(path), line, raw=raw, record=record, error=error, warnings=warnings)
