"""Shared by the benchmark scripts: one machine description and one way to write a results section.

Importing it puts the repository root on ``sys.path`` (for ``tools.report`` and ``bench.*``), so the scripts run
as ``.venv/bin/python bench/<script>.py`` without ``PYTHONPATH=.``.
"""

from __future__ import annotations

import os
import platform
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))


def machine(*packages: str, load: float | None = None, extra: str = "") -> str:
    """CPU, cores, RAM, load before the run, Python and the given packages' versions."""
    cpu = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                if ln.startswith("model name")), platform.processor() or "unknown")
    mem = int(next(ln.split()[1] for ln in Path("/proc/meminfo").read_text().splitlines()
                   if ln.startswith("MemTotal"))) / 1024 / 1024
    parts = [f"{cpu}, {os.cpu_count()} cores, {mem:.1f} GB RAM"]
    if load is not None:
        parts[0] += f", load average {load:.2f} before the run (shared machine)"
    versions = [f"Python {platform.python_version()}"]
    for name in packages:
        try:
            versions.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            versions.append(f"{name} ?")
    return "; ".join(parts + [", ".join(versions) + (f" {extra}" if extra else "")])


def finish(section: str, script: str, results: list[dict], render, notes: list[str], notes_file: str | None,
           no_write: bool, machine_text: str) -> None:
    """Print the notes and write ``section`` of docs/BENCHMARKS.md (unless ``no_write``)."""
    if notes_file:
        notes = notes + [ln.strip() for ln in Path(notes_file).read_text().splitlines() if ln.strip()]
    for note in notes:
        print("-", note)
    if no_write:
        return
    from tools.report import write_section

    cmd = f"python bench/{script} " + " ".join(
        a for a in sys.argv[1:] if not a.startswith(("--from-json", "--notes", "--json", "/tmp")))
    write_section("docs/BENCHMARKS.md", section, render(results, machine_text, cmd.strip(), notes))
