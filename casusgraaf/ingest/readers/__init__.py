"""Readers turn files into case records, one :class:`ReadItem` per record or per problem.

A bad record never stops the good ones: it comes out as a ``ReadItem`` with ``error`` set, naming
the file and line. Supported: ``.jsonl``/``.ndjson``, ``.csv`` (header row, same field names),
``.txt``/``.md`` (one case per file, optional YAML front matter), ``.docx``, ``.pdf``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from casusgraaf.models.records import CaseRecord

MAX_FILE_BYTES = 50 * 1024 * 1024
SUFFIXES = (".jsonl", ".ndjson", ".csv", ".txt", ".md", ".docx", ".pdf")


@dataclass
class ReadItem:
    """One record read from a file, or the reason it could not be read."""

    source: str
    line: int | None
    raw: str = ""
    record: CaseRecord | None = None
    error: str | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def where(self) -> str:
        return f"{self.source}:{self.line}" if self.line else self.source


def expand_paths(paths: Iterable[str | Path]) -> tuple[list[Path], list[ReadItem]]:
    """Files under ``paths`` (folders recursively, sorted); missing paths become error items."""
    files: list[Path] = []
    problems: list[ReadItem] = []
    for p in map(Path, paths):
        if p.is_dir():
            files.extend(sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in SUFFIXES))
        elif p.is_file():
            files.append(p)
        else:
            problems.append(ReadItem(str(p), None, error="bestand of map bestaat niet; controleer het pad"))
    return files, problems


def read_file(path: Path) -> Iterator[ReadItem]:
    from casusgraaf.ingest.readers import documents, structured

    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        yield ReadItem(str(path), None, error=f"bestand is {size // (1024 * 1024)} MB; de grens is 50 MB. "
                       "Splits het bestand (bijvoorbeeld per jaar) en lees de delen in.")
        return
    if size == 0:
        yield ReadItem(str(path), None, error="bestand is leeg; er is niets ingelezen")
        return
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        yield from structured.read_jsonl(path)
    elif suffix == ".csv":
        yield from structured.read_csv(path)
    elif suffix in (".txt", ".md"):
        yield from documents.read_text_case(path)
    elif suffix == ".docx":
        yield from documents.read_docx(path)
    elif suffix == ".pdf":
        yield from documents.read_pdf(path)
    else:
        yield ReadItem(str(path), None, error=f"onbekend bestandstype '{suffix}'; gebruik "
                       + ", ".join(SUFFIXES))


def iter_records(paths: Iterable[str | Path]) -> Iterator[ReadItem]:
    """Every record (or problem) under ``paths``, in a stable order."""
    files, problems = expand_paths(paths)
    yield from problems
    for f in files:
        yield from read_file(f)
