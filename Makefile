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

.PHONY: help venv engine images lab deploy smoke down lint test test-app test-molecule clean \
	vagrant-image vagrant-up vagrant-down test-vagrant

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

# --- Vagrant lab (docker provider here; libvirt or virtualbox for real VMs) ---
VAGRANT_INVENTORY := .vagrant/provisioners/ansible/inventory/vagrant_ansible_inventory
VAGRANT_LB_URL := http://127.0.0.1:$${ESCALA_VAGRANT_LB_PORT:-8085}

vagrant-image: engine
	@command -v vagrant >/dev/null || { apt-get update -q >/dev/null && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends vagrant >/dev/null; }
	scripts/build-vagrant-image.sh

vagrant-up: images vagrant-image
	vagrant up --provider=docker --no-parallel

# Vagrant's own destroy, then any machine container a killed run left behind (by label).
vagrant-down:
	-vagrant destroy -f
	docker ps -aq --filter label=io.escala.role=vagrant | xargs -r docker rm -f

# Bring the Vagrant lab up, check it through its load balancer, and always destroy it.
test-vagrant: images vagrant-image
	vagrant validate
	docker ps -aq --filter label=io.escala.role=vagrant | xargs -r docker rm -f
	status=0; \
	vagrant up --provider=docker --no-parallel && \
	$(PLAYBOOK) -i $(VAGRANT_INVENTORY) playbooks/smoke.yml \
	  -e escala_lb_url=$(VAGRANT_LB_URL) -e escala_redis_password=escala-vagrant-not-a-secret \
	  || status=$$?; \
	vagrant destroy -f; exit $$status

clean:
	rm -rf build reports
