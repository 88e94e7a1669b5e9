# The README's two commands: `make demo` and `make test`. Each installs what it needs first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SPARK_STAMP := $(VENV)/.installed-spark
# Engines for the cross-engine tests: duckdb (default), postgres, spark.
ENGINES ?= $(or $(DBT_LOSS_ENGINES),duckdb)

.PHONY: install browser demo test bench lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

# pyspark and dbt-spark's session method, only when the Spark engine is asked for.
$(SPARK_STAMP): $(STAMP)
	$(BIN)/pip install --quiet -e '.[test,spark]'
	touch $(SPARK_STAMP)

install: $(STAMP)

# Headless Chromium for the report tests (Debian's package).
browser:
	@command -v chromium >/dev/null 2>&1 || bash .ci/chromium.sh

demo: $(STAMP)
	$(BIN)/python example/demo.py

# DuckDB only, unless ENGINES=duckdb,postgres,spark (or DBT_LOSS_ENGINES) asks for more;
# postgres needs DBT_LOSS_POSTGRES to name a server (`eval "$$(bash .ci/postgres.sh)"` starts one).
test: $(STAMP) $(if $(findstring spark,$(ENGINES)),$(SPARK_STAMP)) browser
	DBT_LOSS_ENGINES=$(ENGINES) $(BIN)/pytest

# Side by side with numpy, scikit-learn and hand-written SQL; OpenBLAS tuned for this machine.
bench: $(STAMP)
	env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE $(BIN)/python -m benchmarks

lint: $(STAMP)
	$(BIN)/ruff check python tests benchmarks
	$(BIN)/ruff format --check python tests benchmarks

clean:
	rm -rf $(VENV) integration_tests/target integration_tests/dbt_packages integration_tests/logs example/target example/dbt_packages example/logs *.duckdb example/*.duckdb
