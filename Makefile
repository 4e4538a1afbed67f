# escala: `make lab` builds the local lab and deploys the stack; `make test` runs every test.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV ?= .venv
BIN := $(VENV)/bin
PYTHON ?= python3
export ANSIBLE_CONFIG := $(CURDIR)/ansible.cfg
export PATH := $(CURDIR)/$(BIN):$(PATH)
# Molecule (and plays run from its folders) find the project's roles and module here.
export ANSIBLE_ROLES_PATH := $(CURDIR)/roles
export ANSIBLE_LIBRARY := $(CURDIR)/library

PLAYBOOK := $(BIN)/ansible-playbook

.PHONY: help venv engine images lab deploy smoke down lint test test-app test-molecule clean

help:
	@echo "make lab    - build the images and lab hosts, deploy the stack, print the URL"
	@echo "make test   - lint, app tests and the full-stack Molecule scenario"
	@echo "make down   - remove everything the lab created"
	@echo "make deploy - run site.yml against the lab again"

$(BIN)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements.txt
	touch $@

venv: $(BIN)/.installed

engine:
	scripts/ensure-engine.sh

images: venv engine
	scripts/build-images.sh

lab: images
	$(PLAYBOOK) playbooks/lab_up.yml
	$(PLAYBOOK) site.yml
	$(PLAYBOOK) playbooks/smoke.yml

deploy: venv
	$(PLAYBOOK) site.yml

smoke: venv
	$(PLAYBOOK) playbooks/smoke.yml

down: venv engine
	$(PLAYBOOK) playbooks/lab_down.yml

lint: venv
	$(BIN)/yamllint --strict .
	$(BIN)/ansible-lint
	$(BIN)/ruff check app tests library roles
	$(BIN)/ruff format --check app tests library roles

test-app: venv
	$(BIN)/pytest -q tests/app

test-molecule: images
	$(BIN)/molecule test --all

test: lint test-app test-molecule

clean:
	rm -rf build reports
