# Conveniences; the README's two commands are the source of truth.
.PHONY: setup demo test bench quality lint screens

setup:
	bash scripts/dev.sh setup

demo:
	bash scripts/dev.sh demo

test:
	bash scripts/dev.sh test

lint:
	.venv/bin/ruff check casusgraaf tests bench tools

quality:  ## re-measure extraction, privacy and search quality into docs/QUALITY.md
	.venv/bin/python -m tools.quality_extract
	.venv/bin/python -m tools.quality_privacy
	.venv/bin/python -m tools.quality_search

bench:  ## speed and memory into docs/BENCHMARKS.md
	.venv/bin/python bench/bench_extract.py
	.venv/bin/python bench/bench_embed.py
	.venv/bin/python bench/bench_vectors.py
	.venv/bin/python bench/bench_search.py

screens:  ## screenshots at 1366 and 390 px plus layout checks of a running server (URL=http://127.0.0.1:8000)
	bash scripts/dev.sh browsers
	.venv/bin/python -m tools.screens $${URL:-http://127.0.0.1:8000} screens
