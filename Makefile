# Two commands for a newcomer:   make lab   (start the course)   and   make test   (run every test)
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
SYSTEM_OK := $(VENV)/.system-deps-ok
# CPU-only sandboxes and CI: pick the notebooks' device explicitly so stored outputs stay comparable.
export COURSE_DEVICE ?= cpu
export PYTHONHASHSEED := 0
export MPLBACKEND := Agg

.PHONY: setup lab test unit notebooks roundtrip outputs release zh en bench clean

setup: $(INSTALLED) $(SYSTEM_OK)

# Re-runs only when the dependencies change.
$(INSTALLED): pyproject.toml requirements-lock.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade "pip>=24"
	$(BIN)/python -m pip install -q -c requirements-lock.txt -e ".[test,bench]"
	touch $@

$(SYSTEM_OK): scripts/system-deps.sh | $(INSTALLED)
	bash scripts/system-deps.sh
	touch $@

lab: setup
	MPLBACKEND= $(BIN)/jupyter lab --notebook-dir=. notebooks/05_autograd.ipynb

test: setup
	$(BIN)/python -m pytest tests notebooks source

# Re-execute every notebook in place on the CPU (the stored outputs nbval compares against).
outputs: setup
	$(BIN)/python -m scripts.execute_notebooks notebooks/*.ipynb source/*/*.ipynb

# Regenerate release/ from source/ with nbgrader (never edit release/ by hand).
release: setup
	$(BIN)/python -m autograder.release

zh en: setup
	$(BIN)/python -m scripts.export_language $@

bench: setup
	$(BIN)/python benchmarks/graph_bench.py

clean:
	rm -rf build .pytest_cache gradebook.db
