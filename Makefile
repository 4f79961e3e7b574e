# exchange_um.certificates — developer entry points.
#   make demo    create .venv, start the lab, run the procedure against it, print the per-host summary
#   make test    every check, on the oldest (ansible-core 2.16) and the newest controller stack
#   make bench   site.yml beside a naive role on fleets of 50, 200, 500 hosts: per-host cost, wall vs critical path
#   make ee      the AWX execution environment's build context;  make release VERSION=x.y.z  cut a release
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

find_python = $(shell PYENV_VERSION=$(1) pyenv which python$(2) 2>/dev/null || command -v python$(2))
PYTHON_NEWEST ?= $(call find_python,3.12.1,3.12)
PYTHON_OLDEST ?= $(call find_python,3.11.7,3.11)

VENV := .venv
VENV_OLDEST := .venv-oldest
ANSIBLE_NEWEST ?= ansible-core>=2.20
ANSIBLE_OLDEST ?= ansible-core>=2.16,<2.17
COLLECTIONS := $(CURDIR)/.build/collections
COLLECTION_LINK := $(COLLECTIONS)/ansible_collections/exchange_um/certificates
SANITY_ROOT := $(or $(TMPDIR),/tmp)/exchange_um-sanity-$(shell id -u)/ansible_collections/exchange_um/certificates
LAB_STATE ?= $(CURDIR)/.lab
PYTEST_ARGS ?=
DEMO_ARGS ?=# --keep: the lab keeps running after make demo
BENCH_ARGS ?=# e.g. --fleets 50

export ANSIBLE_COLLECTIONS_PATH := $(COLLECTIONS)

.PHONY: help
help:
	@echo "make demo | make test | make bench | make lab-up | make lab-down | make clean"

# --- environments -------------------------------------------------------------------------------------------------
$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON_NEWEST) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements.txt -r requirements-dev.txt '$(ANSIBLE_NEWEST)' ansible-lint antsibull-changelog
	touch $@

$(VENV_OLDEST)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON_OLDEST) -m venv $(VENV_OLDEST)
	$(VENV_OLDEST)/bin/pip install --quiet --upgrade pip
	$(VENV_OLDEST)/bin/pip install --quiet -r requirements.txt -r requirements-dev.txt '$(ANSIBLE_OLDEST)'
	touch $@

$(COLLECTION_LINK):
	mkdir -p $(dir $@)
	ln -sfn $(CURDIR) $@

.PHONY: venv
venv: $(VENV)/.installed $(VENV_OLDEST)/.installed $(COLLECTION_LINK)

# --- checks -------------------------------------------------------------------------------------------------------
.PHONY: lint
lint: $(VENV)/.installed $(COLLECTION_LINK)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	cd $(COLLECTIONS) && $(CURDIR)/$(VENV)/bin/mypy --config-file $(CURDIR)/pyproject.toml \
		-p ansible_collections.exchange_um.certificates.plugins

.PHONY: pscheck
pscheck: $(VENV)/.installed
	$(VENV)/bin/python -m tests.pwsh plugins/plugin_utils/host_scripts

.PHONY: unit
unit: venv
	$(VENV)/bin/python -m pytest -q -m "not integration" tests/unit tests/pwsh tests/lab $(PYTEST_ARGS)
	$(VENV_OLDEST)/bin/python -m pytest -q -m "not integration" tests/unit $(PYTEST_ARGS)

# Debian packages the tests use: tests/integration/test_report.py renders the fleet report in headless Chromium.
# Installed when missing, as root with apt-get (CI, a fresh machine); otherwise make says what to install.
DEBIAN_PACKAGES := chromium
.PHONY: system-packages
system-packages:
	@missing=(); for package in $(DEBIAN_PACKAGES); do command -v $$package >/dev/null || missing+=($$package); done; \
	if [ $${#missing[@]} -gt 0 ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$${missing[@]}"; \
		else echo "the tests need the Debian packages: $${missing[*]} (apt-get install $${missing[*]})"; exit 1; fi; \
	fi

.PHONY: integration
integration: venv system-packages
	$(VENV)/bin/python -m pytest -q -m integration tests/integration $(PYTEST_ARGS)
	$(VENV_OLDEST)/bin/python -m pytest -q -m integration tests/integration $(PYTEST_ARGS)

# ansible-test needs the collection at ansible_collections/<namespace>/<name> as a real directory, outside this git
# checkout (inside it, .gitignore would hide the copy from ansible-test).
.PHONY: sanity
sanity: venv
	rm -rf $(SANITY_ROOT) && mkdir -p $(SANITY_ROOT)
	git ls-files -z --cached --others --exclude-standard | xargs -0 cp --parents -t $(SANITY_ROOT)
	$(call ansible_test_sanity,$(VENV),3.12)
	$(call ansible_test_sanity,$(VENV_OLDEST),3.11)

# $(call ansible_test_sanity,VENV,PYTHON): that venv's ansible-test, on the tests that run offline.
define ansible_test_sanity
	$(1)/bin/python hacking/ansible_test_pip_bootstrap.py --install
	cd $(SANITY_ROOT) && $(CURDIR)/$(1)/bin/ansible-test sanity --python $(2) --color no \
		--skip-test pslint --skip-test shellcheck
endef

.PHONY: ansible-lint
ansible-lint: $(VENV)/.installed $(COLLECTION_LINK)
	$(VENV)/bin/ansible-lint --profile production $(wildcard roles/*/) playbooks

# Fragments are valid, and CHANGELOG.md is what changelogs/changelog.yaml renders (nobody edits it by hand).
.PHONY: changelog-lint
changelog-lint: $(VENV)/.installed
	$(VENV)/bin/antsibull-changelog lint
	$(VENV)/bin/antsibull-changelog lint-changelog-yaml changelogs/changelog.yaml
	mkdir -p .build && $(VENV)/bin/antsibull-changelog generate --output .build/CHANGELOG.md --output-format md
	cmp CHANGELOG.md .build/CHANGELOG.md || { echo "CHANGELOG.md is stale: run antsibull-changelog generate"; exit 1; }

# The execution environment's build context (.build/ee) from execution-environment.yml, with the collection tarball
# it installs; building the image needs podman: ansible-builder build --context .build/ee (docs/awx.md).
EE_FILES := .build/ee-files
.PHONY: ee
ee: $(VENV)/.installed
	rm -rf $(EE_FILES) .build/ee && mkdir -p $(EE_FILES)
	$(VENV)/bin/ansible-galaxy collection build --force --output-path $(EE_FILES)
	mv $(EE_FILES)/exchange_um-certificates-*.tar.gz $(EE_FILES)/exchange_um-certificates.tar.gz
	$(VENV)/bin/ansible-builder create --file execution-environment.yml --context .build/ee --output-filename Containerfile
	@echo "build context in .build/ee; image: $(VENV)/bin/ansible-builder build --context .build/ee --tag exchange-um-ee"

# A release: make release VERSION=x.y.z sets galaxy.yml's version, moves the fragments into changelogs/changelog.yaml,
# regenerates CHANGELOG.md and builds the tarball into .build/dist; commit the result and tag it.
.PHONY: release
release: $(VENV)/.installed
	@[[ "$(VERSION)" =~ ^[0-9]+\.[0-9]+\.[0-9]+$$ ]] || { echo "usage: make release VERSION=x.y.z"; exit 2; }
	sed -i 's/^version: .*/version: $(VERSION)/' galaxy.yml
	PATH=$(CURDIR)/$(VENV)/bin:$$PATH $(VENV)/bin/antsibull-changelog release --version $(VERSION)  # runs ansible-doc
	$(VENV)/bin/ansible-galaxy collection build --force --output-path .build/dist

.PHONY: test
test: lint pscheck unit integration sanity ansible-lint changelog-lint ee
	@echo "make test: all checks passed"

# --- lab, demo, benchmark ---------------------------------------------------------------------------------------
.PHONY: lab-up
lab-up: venv
	$(VENV)/bin/python -m tests.lab up --state-dir $(LAB_STATE)

.PHONY: lab-down
lab-down:
	@if [ -x $(VENV)/bin/python ]; then $(VENV)/bin/python -m tests.lab down --state-dir $(LAB_STATE); fi

.PHONY: demo
demo: $(VENV)/.installed $(COLLECTION_LINK)
	$(VENV)/bin/python hacking/demo.py --state-dir $(LAB_STATE) $(DEMO_ARGS)

.PHONY: bench
bench: $(VENV)/.installed $(COLLECTION_LINK)
	$(VENV)/bin/python hacking/bench.py $(BENCH_ARGS)

.PHONY: clean
clean: lab-down
	rm -rf .build $(LAB_STATE) .pytest_cache .ruff_cache
