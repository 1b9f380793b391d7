# Two commands for a newcomer:   make lab   (start the course)   and   make test   (run every test)
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
# Tests and stored outputs run on the CPU unless COURSE_DEVICE says otherwise; `make lab` lets
# helpers.choose_device() pick MPS, CUDA or CPU.
TEST_DEVICE = COURSE_DEVICE=$${COURSE_DEVICE:-cpu}
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)
# Chapters are found from the files: notebooks/NN_name.ipynb and source/NN_name/.
FIRST_LESSON := $(firstword $(sort $(wildcard notebooks/[0-9][0-9]_*.ipynb)))

.PHONY: setup system-deps lab assignment validate test outputs release zh en bench lock clean

setup: $(INSTALLED) system-deps

# Where pip looks for torch as well as PyPI. PyPI's Linux wheel of torch is the CUDA build (with
# about 20 nvidia-* packages); for the small CPU build: make setup TORCH_INDEX=https://download.pytorch.org/whl/cpu
TORCH_INDEX ?=

# Re-runs only when the dependencies change.
$(INSTALLED): pyproject.toml requirements-lock.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip==26.3
	$(BIN)/python -m pip install -q -c requirements-lock.txt $(if $(TORCH_INDEX),--extra-index-url $(TORCH_INDEX)) -e ".[test,bench]"
	touch $@

# Graphviz's `dot` and a Chinese font: checked every time (instant), installed only when missing.
system-deps:
	@bash scripts/system-deps.sh

# .venv/bin goes on PATH: nbgrader's formgrader runs the `alembic` command installed there.
LAB = PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/jupyter lab $(ALLOW_ROOT) --ServerApp.root_dir=.

lab: setup
	$(LAB) $(FIRST_LESSON)

# Copy chapter CHAPTER's assignment into workspace/ (never overwrites your answers) and open it.
assignment: setup
	notebook="$$($(BIN)/python -m scripts.workspace $(CHAPTER))" && $(LAB) "$$notebook"

# Exit 1 when a test cell of NB fails (nbgrader's own validate always exits 0).
validate: setup
	$(BIN)/python -m scripts.validate $(NB)

test: setup
	$(TEST_DEVICE) $(BIN)/python -m pytest -n auto --dist loadscope tests notebooks source

# Re-execute every notebook in place on the CPU (the stored outputs nbval compares against).
outputs: setup
	$(TEST_DEVICE) $(BIN)/python -m scripts.execute_notebooks notebooks/*.ipynb source/*/*.ipynb

# Regenerate release/ from source/ with nbgrader (never edit release/ by hand).
release: setup
	$(BIN)/python -m autograder.instructor.release

zh en: setup
	$(BIN)/python -m scripts.export_language $@

bench: setup
	$(BIN)/python benchmarks/graph_bench.py
	$(BIN)/python benchmarks/grading_bench.py

# Re-pin requirements-lock.txt from what .venv has now (after changing pyproject.toml).
lock: setup
	{ sed -n '1,2p' requirements-lock.txt; $(BIN)/python -m pip freeze --exclude-editable | sed 's/+cpu$$//'; } > requirements-lock.tmp
	mv requirements-lock.tmp requirements-lock.txt

clean:
	rm -rf build .pytest_cache  # never gradebook.db: it holds manual grades
