# The README's two commands: `make demo` and `make test`. Each installs what it needs first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test bench lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/python example/demo.py

# DuckDB only, unless DBT_LOSS_ENGINES=duckdb,postgres and DBT_LOSS_POSTGRES name a server
# (`eval "$$(bash .ci/postgres.sh)"` starts a throwaway one).
test: $(STAMP)
	$(BIN)/pytest

# Side by side with numpy, scikit-learn and hand-written SQL; OpenBLAS tuned for this machine.
bench: $(STAMP)
	env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE $(BIN)/python -m benchmarks

lint: $(STAMP)
	$(BIN)/ruff check python tests benchmarks
	$(BIN)/ruff format --check python tests benchmarks

clean:
	rm -rf $(VENV) integration_tests/target integration_tests/dbt_packages integration_tests/logs example/target example/dbt_packages example/logs *.duckdb example/*.duckdb
