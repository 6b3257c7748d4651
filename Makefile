# Conveniences; the README's two commands are the source of truth.
.PHONY: setup demo test bench quality lint

setup:
	bash scripts/dev.sh setup

demo:
	bash scripts/dev.sh demo

test:
	bash scripts/dev.sh test

lint:
	.venv/bin/ruff check casusgraaf tests bench

quality:  ## re-measure extraction, privacy and search quality into docs/QUALITY.md
	.venv/bin/python -m casusgraaf.ingest.nlp.evaluate
	.venv/bin/python -m casusgraaf.ingest.privacy_eval
	.venv/bin/python -m casusgraaf.search.evaluate

bench:  ## speed and memory into docs/BENCHMARKS.md
	.venv/bin/python bench/bench_extract.py
	.venv/bin/python bench/bench_embed.py
	.venv/bin/python bench/bench_vectors.py
	.venv/bin/python bench/bench_search.py
