# The README's two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
DATA ?= data

.PHONY: setup run test reliability bench lint canvas system-deps fuzz

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	rm -f $(VENV)/.installed-* && touch $@

setup: $(STAMP)

# The canvas (React + TypeScript, canvas_ui/) built into canvas_ui/dist, served at /nifi/.
canvas:
	bash scripts/build-canvas.sh

# Debian packages the tests need (Chromium for the browser tests); a no-op once installed.
system-deps:
	bash scripts/install-system-deps.sh

# Starts the engine on 127.0.0.1:8080. The first run loads the demo flow from conf/;
# later runs carry on with the flow stored in $(DATA)/ (components resume as they were).
run: setup canvas
	@if [ -f $(DATA)/flow.json ]; then \
		$(PY) -m nifi_like.cli run --data $(DATA); \
	else \
		$(PY) -m nifi_like.cli run --data $(DATA) --flow conf/demo-flow.json; \
	fi

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

# ruff, mypy, then every test except the long reliability runs (pytest's exit 5, "no tests", is not a failure).
test: lint canvas system-deps
	$(VENV)/bin/pytest -q -m "not slow" -p no:cacheprovider; rc=$$?; if [ $$rc -eq 5 ]; then exit 0; else exit $$rc; fi

# Every reliability test, the long variants too (25 kill rounds of the mixed flow, 300 model runs);
# each prints its counts (rounds, acknowledged, delivered, lost, duplicates) in a summary at the end.
reliability: setup
	MODEL_EXAMPLES=$${MODEL_EXAMPLES:-300} $(VENV)/bin/pytest -q tests/reliability -p no:cacheprovider
	$(VENV)/bin/pytest -q -m slow tests/integration tests/cluster -p no:cacheprovider

bench: setup
	$(PY) -m bench all

# A local cluster: etcd (Debian's etcd-server) and three nodes on 127.0.0.1:8081-8083; prints
# the URLs and the login. Ctrl+C stops it and removes its temp dir.
.PHONY: cluster-demo
cluster-demo: setup
	bash scripts/cluster-demo.sh

# Each fuzzer (Expression Language, flow JSON loader, REST API via schemathesis) for FUZZ_SECONDS, one after another.
FUZZ_SECONDS ?= 300
fuzz: setup
	FUZZ_SECONDS=$(FUZZ_SECONDS) PYTHONUNBUFFERED=1 $(VENV)/bin/pytest -q -s -p no:cacheprovider \
		--timeout=$$(( $(FUZZ_SECONDS) + 600 )) -k for_the_fuzz_budget \
		tests/fuzz/test_fuzz_expression.py tests/fuzz/test_fuzz_flow_loader.py tests/integration/web/test_openapi.py
