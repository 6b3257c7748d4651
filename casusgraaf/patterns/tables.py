"""Tables: the one shape every figure can also take (CSV download, the table under each chart)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field


@dataclass
class Tabel:
    naam: str  # machine name, used in ?tabel=... and CSV file names
    titel: str  # Dutch caption
    kolommen: list[str]
    rijen: list[list] = field(default_factory=list)

    def to_csv(self) -> str:
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(self.kolommen)
        for row in self.rijen:
            writer.writerow(["" if v is None else _fmt(v) for v in row])
        return buf.getvalue()

    def to_dict(self) -> dict:
        return {"naam": self.naam, "titel": self.titel, "kolommen": self.kolommen, "rijen": self.rijen}


def _fmt(v) -> str:
    if isinstance(v, bool):
        return "ja" if v else "nee"
    if isinstance(v, float):
        return f"{v:.4g}"
    if isinstance(v, list | tuple):
        return " ".join(str(x) for x in v)
    return str(v)


def pick(tabellen: list[Tabel], naam: str | None) -> Tabel:
    """One table by name (the first when ``naam`` is None); KeyError names the choices."""
    if naam is None:
        return tabellen[0]
    for t in tabellen:
        if t.naam == naam:
            return t
    raise KeyError(f"onbekende tabel '{naam}'; kies uit: {', '.join(t.naam for t in tabellen)}")
