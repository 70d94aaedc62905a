# fabrik.deploy: set-up, demo and test entry points. `make help` lists them.
# Every target is idempotent and works as root on a fresh Debian 12 machine.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

# Interpreters, in order of preference (tools/find-python looks for each in the
# distribution first, then in pyenv).
PYTHON_VERSIONS ?= 3.12 3.13
COMPAT_PYTHON_VERSIONS ?= 3.11

VENV := .venv
COMPAT_VENV := .venv-compat
# make conformance: one virtualenv per third-party client (their dependencies conflict), each from
# tests/conformance/requirements-<client>.txt.
CONFORMANCE_VENVS := .venv-conformance
CONFORMANCE_CLIENTS := cloudflare octodns lexicon namecheap-python coolipy chatcoolify uptime-kuma-api2 \
	uptime-kuma-api-ng
BIN := $(CURDIR)/$(VENV)/bin
COMPAT_BIN := $(CURDIR)/$(COMPAT_VENV)/bin
BUILD_COPY := build/ansible_collections/fabrik/deploy
TIMINGS := build/timings.tsv
WORDPRESS_DEBIAN13 := .cache/wordpress-debian13

# The stages of `make test`, in order; it stops at the first failure.
TEST_STAGES := lint sanity unit integration conformance molecule docs-lint compat wordpress-compat build-check

# The venv's tools come first on PATH: molecule and ansible-lint start
# ansible-playbook and friends by name.
export PATH := $(BIN):$(PATH)
# fabrik.deploy resolves from the checkout (collections/ holds a symlink to it).
export ANSIBLE_COLLECTIONS_PATH := $(CURDIR)/collections

# Python version of .venv (e.g. 3.12), read when a recipe needs it.
VENV_PYTHON_VERSION = $(shell $(BIN)/python -c 'import sys; print("%d.%d" % sys.version_info[:2])')

.PHONY: help setup system-packages venv venv-compat venv-conformance wordpress-debian13 demo gallery resume-walk sandbox \
	sandbox-stop bench docs test lint ansible-lint changelog-lint shell-lint sanity unit integration conformance \
	molecule docs-lint compat wordpress-compat build-copy build-check ee clean

help:
	@echo "make demo    set up, start the sandbox and run site.yml (every stage) against it"
	@echo "make test    set up, then run every check: $(TEST_STAGES)"
	@echo
	@echo "make docs    regenerate the reference in docs/ (collection/, site-spec.md, sections.md) and its HTML"
	@echo
	@echo "make gallery screenshots of every page of the five presets, desktop and mobile, in build/gallery/"
	@echo
	@echo "Other targets: setup sandbox sandbox-stop bench clean, and each stage of make test alone."

## Set-up

setup: system-packages venv venv-compat wordpress-debian13

system-packages:
	tools/apt-packages bindep.txt

venv: system-packages
	tools/make-venv $(VENV) requirements-dev.txt $(PYTHON_VERSIONS)

venv-compat: system-packages
	tools/make-venv $(COMPAT_VENV) requirements-compat.txt $(COMPAT_PYTHON_VERSIONS)

venv-conformance: system-packages
	for client in $(CONFORMANCE_CLIENTS); do \
		tools/make-venv $(CONFORMANCE_VENVS)/$$client tests/conformance/requirements-$$client.txt $(PYTHON_VERSIONS); \
	done

# The sandbox's current WordPress: Debian 13's 6.8 packages, unpacked into .cache/ (the system's
# WordPress, Debian 12's 6.1, stays the compatibility version: FABRIK_WORDPRESS_VERSION=6.1).
wordpress-debian13: system-packages
	tools/wordpress-debian13 $(WORDPRESS_DEBIAN13)

## Sandbox and demo

sandbox: venv
	@if tools/sandbox-running; then tools/show-sandbox $(BIN)/python; \
	else $(BIN)/python -m tests.sandbox start; fi

sandbox-stop:
	@if [[ -x $(BIN)/python ]]; then $(BIN)/python -m tests.sandbox stop; fi

demo: setup sandbox
	$(BIN)/ansible-playbook site.yml -i inventories/sandbox
	@echo
	@tools/show-sandbox $(BIN)/python
	@echo
	@site=$$($(BIN)/python -c 'import json; print(json.load(open("$(or $(FABRIK_SANDBOX_DIR),.sandbox)/sandbox.json"))["services"]["wordpress"]["url"])')/; \
		echo "The demo site (the sandbox's real WordPress): $$site"; \
		echo "Its front page, taken with headless Chromium: $$(tools/screenshot $$site build/demo-front-page.png)"
	@echo "Every page of all five presets at 1280 and 390 px: make gallery writes build/gallery/index.html."
	@echo "The sandbox keeps running: make sandbox-stop ends it."

# All five presets built on a sandbox of their own (the browser tests of tests/integration/test_wordpress.py),
# with desktop (1280 px) and mobile (390 px) screenshots of every page in build/gallery/ and an index.html
# (whole pages as a visitor sees them after answering the consent banner; each front page's first screen on
# a first visit, banner included, as <slug>-first-visit-<width>.png).
gallery: venv
	rm -rf build/gallery
	FABRIK_GALLERY=$(CURDIR)/build/gallery $(BIN)/pytest tests/integration/test_wordpress.py -k all_five_presets
	@echo "The gallery: $(CURDIR)/build/gallery/index.html"

# The whole resume walk of tests/integration/test_site.py: a lost response at every distinct write
# of a fresh site run, then a rerun (make test walks the first write of each service).
resume-walk: venv
	FABRIK_RESUME_WALK=all FABRIK_RESUME_REPORT=build/resume-walk.json \
		$(BIN)/pytest tests/integration/test_site.py -k resume_walk -s --timeout 5400

# Timings against the sandbox with 50 ms added per request; writes tests/bench/results.json
# (docs/performance.md). Not part of make test: timings are noisy, the counts are tested instead.
bench: venv
	$(BIN)/python -m tests.bench

## Documentation

# The generated reference in docs/ (commit it), offline: antsibull-docs' RST of
# every module, plugin and role in docs/collection/, docs/site-spec.md and
# docs/sections.md; then the HTML of docs/collection in build/docs-html/.
docs: venv
	tools/gen-docs --html build/docs-html

## Tests

test:
	@MAKE="$(MAKE)" tools/run-stages $(TIMINGS) setup $(TEST_STAGES)

lint: ansible-lint changelog-lint shell-lint

ansible-lint: venv
	$(BIN)/ansible-lint --profile production

# The fragments, and CHANGELOG.rst as antsibull-changelog generates it from changelogs/changelog.yaml
# (`antsibull-changelog release` writes both; a hand edit of either fails here).
changelog-lint: venv
	$(BIN)/antsibull-changelog lint
	@mkdir -p build
	$(BIN)/antsibull-changelog generate --output build/CHANGELOG.rst
	@cmp -s build/CHANGELOG.rst CHANGELOG.rst || { diff -u CHANGELOG.rst build/CHANGELOG.rst | head -40; \
		echo "error: CHANGELOG.rst is not what antsibull-changelog generates from changelogs/changelog.yaml" >&2; exit 1; }

# ansible-test's shellcheck sees only *.sh files; these bash scripts have no suffix.
shell-lint: system-packages
	shellcheck .ci/run $$(grep -l '^#!/usr/bin/env bash' tools/*)

# ansible-test needs the collection under .../ansible_collections/NAMESPACE/NAME
# and sees every file there, hence the clean copy. Its sanity virtualenvs
# bootstrap pip from a script it would download: seed it with ours first.
sanity: venv build-copy
	$(BIN)/python tools/seed_ansible_test_cache.py
	cd $(BUILD_COPY) && env -u ANSIBLE_COLLECTIONS_PATH \
		$(BIN)/ansible-test sanity --local --python $(VENV_PYTHON_VERSION) --color no

# pytest on every unit test, then ansible-test units on the clean copy as a collection's users and
# reviewers run it (each test in a fork of its own, on the controller's and the modules' Python path).
unit: venv build-copy
	FABRIK_NO_SKIP=1 tools/pytest-stage $(BIN)/pytest tests/unit
	cd $(BUILD_COPY) && env -u ANSIBLE_COLLECTIONS_PATH \
		$(BIN)/ansible-test units --local --python $(VENV_PYTHON_VERSION) --color no

# The integration tests start and stop their own sandbox (tests/integration/conftest.py).
integration: venv
	FABRIK_NO_SKIP=1 tools/pytest-stage $(BIN)/pytest tests/integration

# Third-party clients (vendor SDKs, octodns, dns-lexicon, community clients), each in its own
# virtualenv, against the emulators; the emulators' objects against recorded live responses
# (tests/conformance/README.md).
conformance: venv venv-conformance
	FABRIK_NO_SKIP=1 tools/pytest-stage $(BIN)/pytest tests/conformance

molecule: venv
	tools/with-sandbox $(BIN)/python $(BIN)/molecule test --all

# The plugin and role docs as antsibull-docs validates them, and the generated
# reference in docs/ up to date with the sources (tools/gen-docs --check).
docs-lint: venv build-copy
	cd $(BUILD_COPY) && env -u ANSIBLE_COLLECTIONS_PATH \
		$(BIN)/antsibull-docs lint-collection-docs --plugin-docs .
	tools/gen-docs --check --html build/docs-html

# The oldest supported controller, ansible-core 2.19 on Python 3.11: the unit
# tests of the collection's code (tests/unit/sandbox tests the test harness,
# which runs in .venv) and a playbook against the sandbox.
compat: venv venv-compat
	tools/pytest-stage $(COMPAT_BIN)/pytest tests/unit/plugins tests/integration/modules
	tools/with-sandbox $(BIN)/python \
		$(COMPAT_BIN)/ansible-playbook -i inventories/sandbox tests/compat/playbook.yml

# The WordPress compatibility pass: every other stage runs WordPress 6.8 (Debian 13's) with Twenty
# Twenty-Five; this one runs the tests of every WordPress module and the wordpress stage's integration
# tests on 6.1 (Debian 12's) with Twenty Twenty-Three (tests/sandbox/README.md, "Versions"), the five
# presets' browser tests included (the presets on Twenty Twenty-Three). The fault walk stays on 6.8.
WORDPRESS_COMPAT_TESTS := tests/integration/modules/test_wordpress_*.py tests/unit/sandbox/test_wordpress_sandbox.py \
	tests/integration/test_wordpress.py
wordpress-compat: venv
	FABRIK_NO_SKIP=1 FABRIK_WORDPRESS_VERSION=6.1 $(BIN)/pytest $(WORDPRESS_COMPAT_TESTS) \
		-k "not fault_at_each_write"

build-copy: system-packages
	tools/build-copy $(BUILD_COPY)

# The artifact ships no local state, and the execution environment definition
# is accepted by ansible-builder.
# The execution environment's build context in build/ee (ansible-builder create; `ansible-builder build`
# with a container engine builds the image): the collection from its tarball, its requirements introspected.
ee: build-check

build-check: venv build-copy
	tools/build-check $(BIN)/ansible-galaxy build/dist
	tools/ee-check $(BIN)/ansible-builder build/ee

clean:
	rm -rf build .ansible tests/output
