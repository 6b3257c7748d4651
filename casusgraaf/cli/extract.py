"""``casusgraaf extract``: entities with canonical name, surface text, offsets, type, method and confidence.

Free text passes the privacy gate first: ``quarantine`` refuses (exit 2, the gate's summary, no values);
``redact`` extracts from the redacted text (offsets then refer to that text).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from casusgraaf.cli._app import app
from casusgraaf.cli._common import JsonOpt, console, emit, err_console, fail, settings, user_errors
from casusgraaf.errors import CasusgraafError, Refused


def _run(text: str, jaar: int | None) -> dict[str, Any]:
    """The extraction result, from a running server for this data dir when there is one (it has the models
    loaded), else in-process. A :class:`casusgraaf.errors.CasusgraafError` when the text is refused or empty."""
    from casusgraaf.cli._remote import call

    s = settings()
    remote = call(s, "/api/extract", {"text": text, "jaar": jaar}) if text.strip() else None
    if remote is not None:
        if remote.get("tekst") is None:
            remote.pop("tekst", None)
        return remote
    from casusgraaf.services.search import run_extract

    return run_extract(s, text, jaar)


def _render(result: dict) -> None:
    table = Table(title="Entiteiten", show_lines=False)
    for col in ("type", "canonical", "tekst", "start", "end", "methode", "zekerheid", "extra"):
        table.add_column(col)
    for e in result["entities"]:
        extra = []
        if e.get("artikel"):
            extra.append(f"artikel {e['artikel']}")
        if e.get("negated"):
            extra.append("ontkend")
        if e["attrs"].get("implies"):
            extra.append(f"→ {e['attrs']['implies']}")
        if e["attrs"].get("belegd_bij"):
            extra.append(f"belegd bij {e['attrs']['belegd_bij']}")
        canonical = e["canonical"] if len(e["canonical"]) < 60 else e["canonical"][:57] + "…"
        surface = e["surface"] if len(e["surface"]) < 40 else e["surface"][:37] + "…"
        table.add_row(e["type"], canonical, surface, str(e["start"]), str(e["end"]), e["method"],
                      f"{e['confidence']:.2f}", ", ".join(extra))
    console.print(table)
    if result.get("redacted"):
        console.print("[yellow]Let op:[/] de tekst is eerst geredigeerd; posities verwijzen naar de geredigeerde tekst.")


def _read_file(path: Path, json_mode: bool) -> str:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        fail(f"kan {path} niet lezen: {exc.strerror}", json_mode)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        fail(f"{path} is geen UTF-8-tekst", json_mode)


def _jsonl(path: Path, jaar: int | None, json_mode: bool) -> None:
    text = _read_file(path, json_mode)
    ok, bad = 0, []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            if not isinstance(obj, dict) or not isinstance(obj.get("tekst"), str) or not obj["tekst"].strip():
                raise ValueError("verwacht een object met een niet-lege 'tekst'")
            rec_id = obj.get("id", n)
            rec_jaar = obj.get("jaar", jaar)
            if rec_jaar is not None and not isinstance(rec_jaar, int):
                raise ValueError("'jaar' moet een geheel getal zijn")
        except (json.JSONDecodeError, ValueError) as exc:
            msg = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
            bad.append({"regel": n, "fout": msg})
            continue
        try:
            result = _run(obj["tekst"], rec_jaar)
        except Refused as exc:
            bad.append({"regel": n, "id": rec_id, "fout": f"geweigerd door de privacy-poort: {exc}"})
            continue
        except CasusgraafError as exc:  # from the server: a refusal arrives as a 422
            bad.append({"regel": n, "id": rec_id, "fout": str(exc)})
            continue
        sys.stdout.write(json.dumps({"id": rec_id, "entities": result["entities"]}, ensure_ascii=False) + "\n")
        ok += 1
    for b in bad:
        err_console.print(f"[yellow]regel {b['regel']}:[/] {b['fout']}", highlight=False)
    if ok == 0:
        fail(f"geen enkele regel verwerkt ({len(bad)} fout)", json_mode)


@app.command()
def extract(
    text: str | None = typer.Option(None, "--text", help="Tekst om te analyseren."),
    file: Path | None = typer.Option(None, "--file", help="Tekstbestand (UTF-8)."),
    jsonl: Path | None = typer.Option(None, "--jsonl", help='JSONL met {"id", "tekst"} per regel; één resultaat per regel.'),
    jaar: int | None = typer.Option(None, "--jaar", help="Jaar van de casus: kiest de knelpunttaxonomie."),
    json_out: bool = JsonOpt,
) -> None:
    """Herken wetten, regelingen, organisaties, leefgebieden, knelpunten en leerpunten (met posities)."""
    given = [x for x in (text, file, jsonl) if x is not None]
    if len(given) != 1:
        fail("geef precies één van --text, --file of --jsonl", json_out)
    if jsonl is not None:
        _jsonl(jsonl, jaar, json_out)
        return
    src = text if text is not None else _read_file(file, json_out)  # type: ignore[arg-type]
    with user_errors(json_out):
        result = _run(src, jaar)
    emit(result, json_out, _render)
