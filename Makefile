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
export ANSIBLE_MODULE_UTILS := $(CURDIR)/module_utils

PLAYBOOK := $(BIN)/ansible-playbook

# The lab (or site) that lab, deploy, smoke, load, bench and down act on, e.g.
# `make bench INVENTORY=inventories/bench/hosts.yml`.
INVENTORY ?= inventories/lab/hosts.yml
# load and bench: the load balancer's URL; empty takes the inventory's escala_lb_url.
URL ?=
# `make down` alone removes every lab on the engine; given an INVENTORY, only that one's.
LAB_DOWN_SCOPE ?= $(if $(filter file,$(origin INVENTORY)),all,inventory)

.PHONY: help venv engine images lab deploy smoke drill load bench down lint test test-app \
	test-loadtest test-contracts test-drill test-molecule clean \
	vagrant-image vagrant-up vagrant-down test-vagrant

help:
	@echo "make lab    - build the images and lab hosts, deploy the stack, print the URL"
	@echo "make test   - lint, app and contract tests, every Molecule scenario"
	@echo "make down   - remove every lab; with INVENTORY=..., only that inventory's lab"
	@echo "make deploy - run site.yml against the lab again"
	@echo "make drill  - fail the Redis master over in 8 ways under traffic, report in reports/drill"
	@echo "make load   - the origin's load test through the LB, report in reports/load"
	@echo "make bench  - throughput at 1, 2 and 4 app instances, report in reports/bench"

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
	$(PLAYBOOK) -i $(INVENTORY) playbooks/lab_up.yml
	$(PLAYBOOK) -i $(INVENTORY) site.yml
	$(PLAYBOOK) -i $(INVENTORY) playbooks/smoke.yml

deploy: venv
	$(PLAYBOOK) -i $(INVENTORY) site.yml

smoke: venv
	$(PLAYBOOK) -i $(INVENTORY) playbooks/smoke.yml

# Every variant by default; one or some with e.g. `make drill DRILL_VARIANTS=kill,partition`.
DRILL_VARIANTS ?=
drill: venv
	$(PLAYBOOK) -i $(INVENTORY) playbooks/failover_drill.yml \
	  $(if $(DRILL_VARIANTS),-e drill_variants=$(DRILL_VARIANTS))

# Load and speed figures, never part of `make test`: each run is bounded and stops by itself.
load: venv
	$(BIN)/python -m loadtest.load --inventory $(INVENTORY) $(if $(URL),--url $(URL))

# More bench options, e.g. BENCH_ARGS="--counts 1,2 --delay-ms 400" (python -m loadtest.bench -h).
BENCH_ARGS ?=
bench: venv
	$(BIN)/python -m loadtest.bench --inventory $(INVENTORY) $(if $(URL),--url $(URL)) $(BENCH_ARGS)

down: venv engine
	$(PLAYBOOK) -i $(INVENTORY) playbooks/lab_down.yml -e lab_down_scope=$(LAB_DOWN_SCOPE)

lint: venv
	$(BIN)/yamllint --strict .
	$(BIN)/ansible-lint
	$(BIN)/ruff check app tests library module_utils roles loadtest
	$(BIN)/ruff format --check app tests library module_utils roles loadtest

test-app: venv
	$(BIN)/pytest -q tests/app

# The bench's and the load test's computations only; no load is sent.
test-loadtest: venv
	$(BIN)/pytest -q tests/loadtest

# The roles' input contracts: argument specs against defaults, and site.yml refusing bad
# inventories (on hosts that do not exist, so nothing can be changed).
test-contracts: venv
	$(BIN)/pytest -q tests/roles tests/inventory

# The failover drill's own verdicts, on synthetic runs; no lab is needed.
test-drill: venv
	$(BIN)/pytest -q tests/drill

test-molecule: images
	$(BIN)/molecule test --all

test: lint test-app test-loadtest test-contracts test-drill test-molecule

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
