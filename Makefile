# frappe-op: `make help` lists the targets.
SHELL := /bin/bash
DENO := ./node_modules/.bin/deno
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
IMAGE ?= frappe-op:$(VERSION)

.PHONY: help
help: ## Show this help
	@grep -hE '^[a-zA-Z0-9_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-18s %s\n", $$1, $$2}'

.PHONY: setup
setup: ## Install everything the tests and the demo need, KEDA build included (idempotent)
	hack/setup.sh

.PHONY: test
test: ## Set up, start the local control plane, run every test tier, print totals
	hack/test.sh all

.PHONY: test-unit test-integration test-e2e
test-unit: ## Pure tests (render, schema, encoding, queue, ...)
	hack/test.sh unit
test-integration: ## Tests against the real local control plane and real Redis/RQ
	hack/test.sh integration
test-e2e: ## End-to-end scenarios (control plane + KEDA + Redis + RQ workers)
	hack/test.sh e2e

.PHONY: cluster-up cluster-down
cluster-up: ## Build (cached) and start etcd, kube-apiserver, controller-manager, scheduler + KEDA CRDs
	hack/setup.sh kubernetes etcd && hack/cluster-up.sh
cluster-down: ## Stop the local control plane and remove its state
	hack/cluster-down.sh

.PHONY: kind-up
kind-up: ## With Docker: a kind cluster with KEDA installed (cannot run on machines without Docker)
	hack/kind-up.sh

.PHONY: fmt lint check
fmt: ## Format the code
	@hack/setup.sh deno
	$(DENO) fmt
lint: ## Lint, format check and type check
	@hack/setup.sh deno
	$(DENO) fmt --check && $(DENO) lint && $(DENO) check .
check: lint

.PHONY: build
build: ## Compile the single binary dist/frappe-op, stamped with VERSION (honours DENORT_BIN)
	FRAPPE_OP_VERSION=$(VERSION) hack/build.sh

.PHONY: image
image: ## Build the operator image, stamped with VERSION (needs Docker)
	docker build --build-arg VERSION=$(VERSION) -t $(IMAGE) .

.PHONY: manifests
manifests: ## Regenerate manifests/ (CRD, RBAC, operator Deployment, samples) and docs/api.md
	@hack/setup.sh deno
	$(DENO) run --allow-read --allow-write hack/gen-manifests.ts
	$(DENO) run --allow-read=. --allow-write=docs hack/gen-api-docs.ts

.PHONY: demo
demo: ## The main job end to end: cluster + KEDA + Redis + operator + sample + loadtest
	hack/demo.sh

.PHONY: bench-operator
bench-operator: ## Operator at 100 FrappeDeployments: converge time, API requests, steady writes, RSS
	hack/cluster-up.sh && $(DENO) run -A bench/operator_scale.ts $(BENCH_ARGS)
