"""Throughput of ``extract()`` on the gold passages (repeated), rules only and with embeddings when available.

    python bench/bench_extract.py [--repeat 5] [--copies 4]

Medians over repeats; the baseline is bare ``spacy.blank("nl")`` tokenisation of the same texts in the same
run, reported as a ratio. Writes the "extract" section of docs/BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time

import spacy

from casusgraaf.config import get_settings
from casusgraaf.embedding import get_embedder
from casusgraaf.nlp import extract, get_pipeline
from tools.quality_extract import load_gold
from tools.report import write_section


def _time(fn, repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t0)
    return statistics.median(runs)


def main() -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--copies", type=int, default=4, help="times the gold set is repeated per run")
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()

    gold = load_gold()
    texts = [g["tekst"] for g in gold] * args.copies
    jaren = [g.get("jaar") for g in gold] * args.copies
    n = len(texts)
    chars = sum(map(len, texts))

    t0 = time.perf_counter()
    get_pipeline()
    extract("Warm-up: het UWV en de gemeente.")
    build_s = time.perf_counter() - t0

    blank = spacy.blank("nl")
    base = _time(lambda: [blank(t) for t in texts], args.repeat)
    rules = _time(lambda: [extract(t, jaar=j) for t, j in zip(texts, jaren, strict=True)],
                  args.repeat)
    res = {"passages": n, "chars": chars, "blank_pps": n / base, "rules_pps": n / rules, "build_s": build_s}
    emb = get_embedder(get_settings())
    if emb is not None:
        extract(texts[0], embedder=emb)
        one = texts[: len(gold)]  # the model dominates; one copy of the set is enough
        t_e = _time(lambda: [extract(t, jaar=j, embedder=emb)
                             for t, j in zip(one, jaren[: len(one)], strict=True)], max(1, args.repeat // 2))
        res["emb_pps"] = len(one) / t_e
        res["embedder"] = getattr(emb, "model_id", type(emb).__name__)

    md = [
        "## extract()",
        "",
        f"`python bench/bench_extract.py --repeat {args.repeat} --copies {args.copies}` on {platform.machine()}, "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}: the {len(gold)} gold passages x {args.copies} "
        f"({n} passages, mean {chars / n:.0f} characters). Medians of {args.repeat} runs, measured in one process.",
        "",
        "| what | passages/s | ratio to baseline |",
        "|---|---|---|",
        f"| baseline: bare `spacy.blank(\"nl\")` tokenisation | {res['blank_pps']:.0f} | 1.00 |",
        f"| `extract()` rules only (tokeniser, lemmas, gazetteers, articles, negation, leerpunten, knelpunt rules) "
        f"| {res['rules_pps']:.0f} | {res['rules_pps'] / res['blank_pps']:.3f} |",
    ]
    if "emb_pps" in res:
        md.append(f"| `extract()` + knelpunt embeddings ({res['embedder']}) | {res['emb_pps']:.1f} | "
                  f"{res['emb_pps'] / res['blank_pps']:.4f} |")
    else:
        md.append("| `extract()` + embeddings | not measured: no embedder available in this run | – |")
    md += ["", f"Building the pipeline (tokenizer rules and gazetteer matchers) plus one warm-up call took "
           f"{build_s:.1f} s once per process."]
    if not args.no_write:
        write_section("docs/BENCHMARKS.md", "extract", "\n".join(md))
    print("\n".join(md))
    return res


if __name__ == "__main__":
    main()
