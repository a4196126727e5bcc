# kubectl-imagerepo: every target installs what it needs itself.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_PACKAGES := docker-registry tinyproxy microsocks
# Debian packages only `make bench` uses: skopeo (a tag lister it compares), GNU time (peak memory)
BENCH_APT_PACKAGES := skopeo time

# apt is a target too
.PHONY: install venv apt test faults unit e2e lint testenv sandbox sandbox-down bench krew clean fuzz

PREFIX ?= $(HOME)/.local
APP_VENV := $(PREFIX)/share/kubectl-imagerepo/venv

## install: kubectl-imagerepo in its own virtualenv, linked as $(PREFIX)/bin/kubectl-imagerepo
install:
	$(PYTHON) -m venv $(APP_VENV)
	$(APP_VENV)/bin/pip install -q --upgrade pip
	$(APP_VENV)/bin/pip install -q .
	mkdir -p $(PREFIX)/bin
	ln -sf $(APP_VENV)/bin/kubectl-imagerepo $(PREFIX)/bin/kubectl-imagerepo
	@echo "installed $(PREFIX)/bin/kubectl-imagerepo"

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test,dev]'
	touch $@

venv: $(VENV)/.installed

## apt: the Debian packages the tests use (the 2.8 registry)
apt:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  $(SUDO) apt-get update -q && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q $$missing; \
	fi

## testenv: build (or find in the cache) kube-apiserver, kubectl, etcd, the v3 registry and krew
testenv: apt
	bash hack/testbin.sh
	bash hack/krew.sh

## test: lint, unit tests and e2e tests against the real servers
test: venv testenv lint
	$(BIN)/pytest -rs -p no:cacheprovider tests

## faults: just the registry-fault e2e suite (tests/e2e/test_registry_faults.py)
faults: venv testenv
	$(BIN)/pytest -rs -p no:cacheprovider tests/e2e/test_registry_faults.py

unit: venv
	$(BIN)/pytest -q -p no:cacheprovider tests/unit

e2e: venv testenv
	$(BIN)/pytest -rs -p no:cacheprovider tests/e2e

## fuzz: run each atheris harness of tests/fuzz for FUZZ_SECONDS (default 300) with a random seed
FUZZ_SECONDS ?= 300
fuzz: venv
	@for harness in tests/fuzz/fuzz_*.py; do \
	  name=$$(basename $$harness .py); name=$${name#fuzz_}; echo "== $$name"; \
	  $(BIN)/python $$harness -dict=tests/fuzz/$$name.dict -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	    || exit 1; \
	done

lint: venv
	$(BIN)/ruff check kubectl_imagerepo tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

## sandbox: start the test environment in the background for a person to try; see .sandbox/env
sandbox: venv testenv
	$(BIN)/python -m tests.harness.sandbox up

sandbox-down:
	@[ -x $(BIN)/python ] && $(BIN)/python -m tests.harness.sandbox down || rm -rf .sandbox

bench: venv testenv
	@$(MAKE) --no-print-directory apt APT_PACKAGES="$(BENCH_APT_PACKAGES)"
	bash hack/benchbin.sh
	$(BIN)/python bench/all.py

## krew: the linux-amd64 one-folder build (PyInstaller), its krew archive and imagerepo.yaml in $(KREW_DIST)
KREW_DIST ?= dist
krew: venv
	$(BIN)/pip install -q -e '.[release]'
	$(BIN)/python krew/build.py local --dist $(KREW_DIST)

clean:
	rm -rf $(VENV) build dist *.egg-info .sandbox
