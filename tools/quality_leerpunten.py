"""Measure the leerpunt recurrence rule on the labelled pairs (tests/data/leerpunt_pairs.jsonl).

    python -m tools.quality_leerpunten [--no-write]

For each threshold on the e5 cosine similarity: precision, recall and F1 of "similarity ≥ t and a shared
owner or law" and, as a baseline, of "similarity ≥ t" alone. Picks the threshold with the best F1 of the
rule (ties: the higher threshold, fewer suggestions to wade through) and writes the "leerpunten" section
of docs/QUALITY.md. The chosen value belongs in ``casusgraaf/leerpunten/recurrence.py`` (SIM_THRESHOLD).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from casusgraaf.config import get_settings
from casusgraaf.embedding import get_embedder
from casusgraaf.leerpunten import recurrence
from tools.report import REPO_ROOT, write_section

PAIRS_FILE = REPO_ROOT / "tests" / "data" / "leerpunt_pairs.jsonl"
GRID = [round(0.80 + 0.005 * i, 3) for i in range(31)]  # 0.80 .. 0.95


def load_pairs(path: Path = PAIRS_FILE) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def measure(embedder, pairs: list[dict]) -> dict:
    rule = recurrence.evaluate(pairs, embedder, GRID, need_context=True)
    alone = recurrence.evaluate(pairs, embedder, GRID, need_context=False)
    best = max(rule, key=lambda r: (r["f1"], r["threshold"]))
    sims = recurrence.pair_similarities(pairs, embedder)
    pos = sorted(s for s, p in zip(sims, pairs, strict=True) if p["terugkerend"])
    neg = sorted(s for s, p in zip(sims, pairs, strict=True) if not p["terugkerend"])
    return {"rule": rule, "alone": alone, "best": best, "pos": pos, "neg": neg, "n": len(pairs)}


def markdown(m: dict, current: float) -> str:
    at = {r["threshold"]: r for r in m["rule"]}
    alone = {r["threshold"]: r for r in m["alone"]}
    cur = at.get(round(current, 3)) or min(m["rule"], key=lambda r: abs(r["threshold"] - current))
    lines = [
        "## Leerpunt recurrence (suggesting `terugkerend_van`)",
        "",
        f"{m['n']} leerpunt pairs labelled by hand ({len(m['pos'])} recurring, {len(m['neg'])} not; invented, in "
        "`tests/data/leerpunt_pairs.jsonl`). Negatives are hard on purpose: same owner or same law, another problem. "
        "Rule: e5 cosine similarity ≥ t **and** a shared owner or a shared law. Measured with "
        "`python -m tools.quality_leerpunten`.",
        "",
        f"e5 similarity of recurring pairs: min {m['pos'][0]:.3f}, median {m['pos'][len(m['pos']) // 2]:.3f}; of "
        f"non-recurring pairs: median {m['neg'][len(m['neg']) // 2]:.3f}, max {m['neg'][-1]:.3f}.",
        "",
        "| t | precision | recall | F1 | similarity alone: P / R |",
        "|---|---|---|---|---|",
    ]
    for t in GRID[::2]:
        r, a = at[t], alone[t]
        lines.append(f"| {t:.2f} | {r['precision']:.2f} | {r['recall']:.2f} | {r['f1']:.2f} | "
                     f"{a['precision']:.2f} / {a['recall']:.2f} |")
    lines += [
        "",
        f"Best F1 of the rule at t = {m['best']['threshold']:.3f} (P {m['best']['precision']:.2f}, "
        f"R {m['best']['recall']:.2f}). **In use: t = {current:.3f}: precision {cur['precision']:.2f}, recall "
        f"{cur['recall']:.2f}** ({cur['tp']} found, {cur['fp']} false, {cur['fn']} missed). A suggestion is only a "
        "suggestion: a person confirms it (`casusgraaf leerpunt koppel`), so recall matters more than in an "
        "automatic link, but every false suggestion costs the ambassadeursoverleg time. "
        "`tests/test_leerpunten.py` holds a floor on both.",
        "",
        "**On the sample corpus the rule is weaker than on the pairs.** e5 similarities of Dutch policy sentences are "
        "compressed (almost every pair of leerpunten scores 0.88–0.95), and cases share broad laws (Wmo 2015, "
        "Participatiewet). A spot check of the 36 suggestions on the sample corpus (`casusgraaf leerpunt suggesties`, "
        "judged by hand, December 2026) found about 11 real recurrences (ALO-kop, SMI, urgentie dakloze gezinnen, "
        "remigranten, CJIB en schuldhulp, kinderbijslag broers en zussen, energieleverancier): precision ≈ 0.3. "
        "Only registered laws count as shared context and at most 3 suggestions per leerpunt are shown for that "
        "reason; a sharper signal (lexical overlap of the key terms, or a cross-encoder) is the next step.",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/QUALITY.md alone")
    args = parser.parse_args()
    m = measure(get_embedder(get_settings()), load_pairs())
    md = markdown(m, recurrence.SIM_THRESHOLD)
    print(md)
    if not args.no_write:
        print("→", write_section("docs/QUALITY.md", "leerpunten", md))


if __name__ == "__main__":
    main()
