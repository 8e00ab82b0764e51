# The two commands: `make demo` and `make test`. Both install what they need.
PY ?= python3
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: install test demo lint bench

install:
	bash scripts/install.sh

test: install
	$(PY) -m ruff check debugtape tests bench
	$(PY) -m mypy
	$(PY) -m pytest -q tests

lint:
	$(PY) -m ruff check debugtape tests bench
	$(PY) -m mypy

demo: install
	bash scripts/demo.sh

bench: install
	bash bench/run_all.sh
