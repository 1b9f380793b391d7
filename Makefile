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
# One pytest worker more than cores: the tests wait on kernels, browsers and time limits, and a
# spare worker keeps the cores busy meanwhile (on 2 cores: 8.5 instead of 9.5 minutes).
TEST_WORKERS ?= $(shell $(PYTHON) -c 'import os; print((os.cpu_count() or 1) + 1)')
FIRST_LESSON := $(firstword $(sort $(wildcard notebooks/[0-9][0-9]_*.ipynb)))

.PHONY: setup install system-deps lab assignment validate test outputs release zh en bench lock clean hub

setup: install system-deps

# Where pip looks for torch as well as PyPI. PyPI's Linux wheel of torch is the CUDA build (with
# about 20 nvidia-* packages); for the small CPU build: make setup TORCH_INDEX=https://download.pytorch.org/whl/cpu
TORCH_INDEX ?=

# What .venv was installed for: the contents of pyproject.toml and the lock, hashed (not their
# dates: every file of a fresh clone is newer than an environment installed before it).
DEPS_HASH := $(shell cat pyproject.toml requirements-lock.txt | { sha256sum 2>/dev/null || shasum -a 256; } | cut -c1-16)

# Installs only when .venv/.installed holds another hash, and never into an environment you cannot
# write (a .venv linking to a class's shared environment, as `make hub` lays out an instructor's).
install:
	@if [ "$$(cat $(INSTALLED) 2>/dev/null)" = "$(DEPS_HASH)" ]; then exit 0; fi; \
	if [ -d $(VENV) ] && ! [ -w $(VENV)/bin -a -w $(VENV) ]; then \
	    echo "$(VENV)（$$(readlink -f $(VENV))）装的是另一版 pyproject.toml / requirements-lock.txt 的依赖，而你无权写入它" >&2; \
	    echo "（比如 make hub 建立的全班共享环境），所以什么也没有安装。请让管理它的人更新它（在课程克隆里 sudo make hub）；" >&2; \
	    echo "或者不经过 make，直接用现有的环境运行老师的命令，例如：" >&2; \
	    echo "$(VENV) ($$(readlink -f $(VENV))) holds the dependencies of another pyproject.toml /" >&2; \
	    echo "requirements-lock.txt and you cannot write it (a class's shared environment, made by make hub?), so" >&2; \
	    echo "nothing was installed. Ask whoever manages it to update it (sudo make hub in the course's clone), or" >&2; \
	    echo "run the instructor's commands with the environment as it is, without make:" >&2; \
	    echo "  $(BIN)/python -m autograder.instructor.release            # make release" >&2; \
	    echo "  $(BIN)/nbgrader release_assignment 01_tensor_creation" >&2; \
	    echo "  $(BIN)/python -m autograder.instructor.grade_class 01_tensor_creation" >&2; \
	    exit 1; \
	fi; \
	set -ex; \
	test -x $(BIN)/python || $(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11, 5))' || { \
	    echo "$(PYTHON) 是 $$($(PYTHON) -V 2>&1)；锁定的依赖需要 3.11.5 或更新的版本。用 make PYTHON=python3.12 这样指定另一个。" >&2; \
	    echo "$(PYTHON) is $$($(PYTHON) -V 2>&1); the pinned dependencies need 3.11.5 or newer. Name another with make PYTHON=python3.12, say." >&2; \
	    exit 1; }; \
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV); \
	$(BIN)/python -m pip install -q --upgrade pip==26.3; \
	$(BIN)/python -m pip install -q -c requirements-lock.txt $(if $(TORCH_INDEX),--extra-index-url $(TORCH_INDEX)) -e ".[test,bench,hub]"; \
	echo $(DEPS_HASH) > $(INSTALLED)

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
	$(TEST_DEVICE) $(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadscope tests notebooks source

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

# A JupyterHub for a class on this machine, as root: lays it out (scripts/hub/setup.py; re-running
# it is safe), then runs it until Ctrl-C. README: "A class on JupyterHub".
#   sudo make hub INSTRUCTOR=teacher STUDENTS="alice bob"
HUB_PREFIX ?= /opt/pytorch-course
HUB_EXCHANGE ?= /srv/nbgrader/exchange
INSTRUCTOR ?= instructor
STUDENTS ?=
HUB_IP ?= 127.0.0.1
HUB_PORT ?= 8000

hub: setup
	$(BIN)/python -m scripts.hub.setup --prefix "$(HUB_PREFIX)" --exchange "$(HUB_EXCHANGE)" \
	    --instructor "$(INSTRUCTOR)" --students "$(STUDENTS)" --ip "$(HUB_IP)" --port "$(HUB_PORT)" --start

clean:
	rm -rf build .pytest_cache  # never gradebook.db: it holds manual grades
