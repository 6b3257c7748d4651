"""Measure the privacy gate on our labelled sets: ``python -m tools.quality_privacy``.

* ``tests/data/privacy_pii.jsonl``: passages with planted (invented) personal data and gold spans.
* ``tests/data/privacy_clean.jsonl``: anonymised passages that must pass.

A gold span counts as caught when a finding of a hard type (action not ``allow``) overlaps it;
``typed`` recall also requires the same type. Precision counts hard findings on both sets that
overlap a gold span. The false-quarantine rate is the share of clean passages that would be
quarantined. Results go to the ``privacy`` section of docs/QUALITY.md.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from casusgraaf.privacy import PrivacyGate
from tools.report import REPO_ROOT, write_section

DATA = REPO_ROOT / "tests" / "data"
PII_FILE = DATA / "privacy_pii.jsonl"
CLEAN_FILE = DATA / "privacy_clean.jsonl"
# Pattern-based identifiers; PERSOON and LEEFTIJD_MET_NAAM depend on context and are reported apart.
IDENTIFIERS = ("BSN", "IBAN", "TELEFOON", "EMAIL", "POSTCODE", "ADRES", "GEBOORTEDATUM", "KENTEKEN",
               "DOSSIERNUMMER", "KVK")


def _load(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def evaluate(gate: PrivacyGate | None = None, pii_path: Path = PII_FILE, clean_path: Path = CLEAN_FILE
             ) -> dict[str, Any]:
    """Recall per type, precision and the false-quarantine rate (no values in the output)."""
    gate = gate or PrivacyGate()
    hard = {t for t, a in gate.actions.items() if a != "allow"}
    gold_n: Counter[str] = Counter()
    caught: Counter[str] = Counter()
    typed: Counter[str] = Counter()
    tp = fp = 0
    fp_types: Counter[str] = Counter()
    misses: list[str] = []
    pii_quarantined = 0
    pii = _load(pii_path)
    for row in pii:
        findings = [f for f in gate.scan(row["tekst"]) if f.type in hard]
        for g in row["gold"]:
            gold_n[g["type"]] += 1
            over = [f for f in findings if f.start < g["end"] and g["start"] < f.end]
            if over:
                caught[g["type"]] += 1
                if any(f.type == g["type"] for f in over):
                    typed[g["type"]] += 1
            else:
                misses.append(f"{row['id']}:{g['type']}")
        for f in findings:
            if any(f.start < g["end"] and g["start"] < f.end for g in row["gold"]):
                tp += 1
            else:
                fp += 1
                fp_types[f.type] += 1
        if row["gold"] and gate.check(row["tekst"]).action != "pass":
            pii_quarantined += 1
    clean = _load(clean_path)
    false_q: list[str] = []
    for row in clean:
        result = gate.check(row["tekst"])
        for f in result.findings:
            if f.type in hard:
                fp += 1
                fp_types[f.type] += 1
        if result.action == "quarantine":
            false_q.append(f"{row['id']}:{','.join(result.types)}")

    def ratio(a: int, b: int) -> float:
        return round(a / b, 4) if b else 1.0

    per_type = {t: {"gold": gold_n[t], "caught": caught[t], "recall": ratio(caught[t], gold_n[t]),
                    "typed_recall": ratio(typed[t], gold_n[t])} for t in sorted(gold_n)}
    ident_gold = sum(gold_n[t] for t in IDENTIFIERS)
    ident_caught = sum(caught[t] for t in IDENTIFIERS)
    return {
        "pii_passages": len(pii),
        "clean_passages": len(clean),
        "per_type": per_type,
        "recall_identifiers": ratio(ident_caught, ident_gold),
        "recall_persoon": per_type.get("PERSOON", {}).get("recall", 1.0),
        "recall_all": ratio(sum(caught.values()), sum(gold_n.values())),
        "precision": ratio(tp, tp + fp),
        "false_positive_types": dict(fp_types),
        "pii_passages_stopped": ratio(pii_quarantined, sum(1 for r in pii if r["gold"])),
        "false_quarantine_rate": ratio(len(false_q), len(clean)),
        "clean_pass_rate": ratio(len(clean) - len(false_q), len(clean)),
        "misses": misses,
        "false_quarantines": false_q,
    }


def to_markdown(m: dict[str, Any]) -> str:
    lines = [
        "## Privacy gate",
        "",
        f"Measured by `python -m tools.quality_privacy` on {m['pii_passages']} passages with planted "
        f"(invented) personal data and {m['clean_passages']} clean anonymised passages "
        "(`tests/data/privacy_*.jsonl`), real deduce 3.0.6, default policy. A gold span is caught when a "
        "finding of a hard type overlaps it; *typed* also requires the same type. The sets were written by the "
        "same hands as the rules (in-sample): read these numbers as a regression floor, not as an estimate "
        "for real slips in real case texts.",
        "",
        "| type | gold | recall | typed recall |",
        "|---|---:|---:|---:|",
    ]
    for t, v in m["per_type"].items():
        lines.append(f"| {t} | {v['gold']} | {v['recall']:.3f} | {v['typed_recall']:.3f} |")
    lines += [
        "",
        f"- recall, pattern identifiers (BSN, IBAN, telefoon, e-mail, postcode, adres, geboortedatum, kenteken, "
        f"dossiernummer, KvK): **{m['recall_identifiers']:.3f}**",
        f"- recall, PERSOON (full names): **{m['recall_persoon']:.3f}**; all types: {m['recall_all']:.3f}",
        f"- precision of hard findings (both sets): **{m['precision']:.3f}**"
        + (f" (false positives by type: {', '.join(f'{k} {v}' for k, v in sorted(m['false_positive_types'].items()))})"
           if m["false_positive_types"] else ""),
        f"- PII passages stopped (quarantine): {m['pii_passages_stopped']:.3f}",
        f"- clean passages quarantined (false-quarantine rate): **{m['false_quarantine_rate']:.3f}** "
        f"({len(m['false_quarantines'])} of {m['clean_passages']})",
    ]
    if m["misses"]:
        lines.append(f"- missed gold spans (passage:type): {', '.join(m['misses'])}")
    if m["false_quarantines"]:
        lines.append(f"- falsely quarantined (passage:types): {', '.join(m['false_quarantines'])}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    metrics = evaluate()
    write_section("docs/QUALITY.md", "privacy", to_markdown(metrics))
    if "--json" in (argv if argv is not None else sys.argv[1:]):
        print(json.dumps(metrics, ensure_ascii=False, indent=2))
    else:
        print(to_markdown(metrics))
    return metrics


if __name__ == "__main__":
    main()
