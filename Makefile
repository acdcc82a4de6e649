# gjjid — the two commands a newcomer needs: `make dev` and `make test`.
GO      ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)

.PHONY: build dev test test-deps lint bench load load-dev soak clean image image-binary chart-test

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o bin/gjjid ./cmd/gjjid
	$(GO) build -o bin/gjjid-load ./cmd/gjjid-load

# Runs the broker on the embedded memory store with the demo client and
# demo accounts at http://127.0.0.1:5556.
dev:
	$(GO) run -ldflags "$(LDFLAGS)" ./cmd/gjjid dev

# Every test: unit, store conformance (memory, Redis, 3-master Redis
# Cluster), protocol flows through real RP libraries, headless Chromium.
test: test-deps
	$(GO) vet ./...
	$(GO) test -race -count=1 -timeout 15m ./...
	$(GO) test -run '^$$' -fuzz '^FuzzParseEvidence$$' -fuzztime 5s ./connectors/x509/
	$(GO) test -run '^$$' -fuzz '^FuzzExtract$$' -fuzztime 5s ./connectors/x509/
	$(MAKE) chart-test

# Installs what the tests need when it is missing (Debian packages).
test-deps:
	@./.ci/deps

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...

# Throughput and latency at concurrency 32 for client_credentials, code
# exchange, refresh, introspection, JWKS and discovery, with the memory store
# and Redis (REDIS_URL, else a private redis-server). About a minute.
BENCHTIME ?= 2s
# Each store runs in its own process, so one's heap does not tax the other.
bench:
	$(GO) test ./broker/ -run '^$$' -bench 'BenchmarkEndpoints/memory' -benchtime=$(BENCHTIME) -timeout 10m
	$(GO) test ./broker/ -run '^$$' -bench 'BenchmarkEndpoints/redis' -benchtime=$(BENCHTIME) -timeout 10m
	# Redis + PostgreSQL (DATABASE_URL, else the local server), then the
	# admin lookups over GJJID_BENCH_PERSONS / GJJID_BENCH_AUDIT rows.
	$(GO) test ./broker/ -run '^$$' -bench 'BenchmarkEndpoints/postgres' -benchtime=$(BENCHTIME) -timeout 10m
	$(GO) test ./broker/store/postgres/ -run '^$$' -bench . -benchtime=$(BENCHTIME) -timeout 30m
	$(GO) test ./broker/bulkimport/ -run '^$$' -bench . -benchtime=3x -timeout 10m
	$(GO) test ./connectors/x509/ -run '^$$' -bench 'BenchmarkVerify' -benchtime=$(BENCHTIME)
	# QR login at scale (README, appscan): 10,000 waiting pages, notification
	# latency across two instances, Redis bytes per session, creations/s.
	$(GO) test ./broker/ -run '^$$' -bench 'BenchmarkQR' -benchtime=1x -timeout 15m

# Load against a running broker (e.g. `make dev` in another terminal);
# loopback targets only.
LOAD_ISSUER ?= http://127.0.0.1:5556
LOAD_FLAGS ?= --duration 10s
load:
	$(GO) run ./cmd/gjjid-load --issuer $(LOAD_ISSUER) --case all $(LOAD_FLAGS)

# Self-contained: starts `gjjid dev` on another port, loads it, stops it.
load-dev: build
	bin/gjjid dev --addr 127.0.0.1:5557 >/dev/null 2>&1 & pid=$$!; \
	bin/gjjid-load --issuer http://127.0.0.1:5557 --wait 15s --case all $(LOAD_FLAGS); rc=$$?; kill $$pid; exit $$rc

# A long run of mixed load at half the measured capacity against `gjjid dev`
# on Redis (a private redis-server unless SOAK_FLAGS has --store redis://…)
# and a private PostgreSQL database it creates and drops (on DATABASE_URL,
# else the local server), in its own process; its code flows are whole
# visits that sign in and out. Fails on any error, on RSS, goroutines or
# Redis memory growing 10 % after warm-up, or on a p99 rising 20 %. Not in
# `make test`.
SOAK_DURATION ?= 30m
SOAK_FLAGS ?=
soak: build
	bin/gjjid-load soak --duration $(SOAK_DURATION) $(SOAK_FLAGS)

# The container image (deploy/Dockerfile), where a container engine runs.
CONTAINER_ENGINE ?= $(shell command -v docker 2>/dev/null || command -v podman 2>/dev/null)
IMAGE ?= gjjid:$(VERSION)
image:
	@if [ -z "$(CONTAINER_ENGINE)" ] || ! $(CONTAINER_ENGINE) info >/dev/null 2>&1; then \
		echo "make image: no container engine runs here (looked for docker and podman; set CONTAINER_ENGINE=…)." >&2; \
		echo "make image-binary builds the image's static binary without one." >&2; exit 1; fi
	$(CONTAINER_ENGINE) build -f deploy/Dockerfile --build-arg VERSION=$(VERSION) -t $(IMAGE) .

# The image's binary, built by the Dockerfile's own command, and checked static.
image-binary:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "-s -w -X main.version=$(VERSION)" -o bin/gjjid-static ./cmd/gjjid
	@file bin/gjjid-static | tee /dev/stderr | grep -q 'statically linked' || { echo "bin/gjjid-static is not static" >&2; exit 1; }

# The Helm chart (deploy/helm/gjjid): helm lint and helm template for the
# default, Sentinel and Cluster values, then a Go test that decodes every
# rendered manifest strictly and checks the security settings and the config.
# The first run downloads and builds helm (about 2 minutes here), then the
# Go build cache has it.
HELM ?= $(GO) run helm.sh/helm/v4/cmd/helm@v4.3.2
CHART := deploy/helm/gjjid
chart-test:
	$(HELM) lint $(CHART)
	$(HELM) lint $(CHART) -f $(CHART)/ci/sentinel-values.yaml
	$(HELM) lint $(CHART) -f $(CHART)/ci/cluster-values.yaml
	$(HELM) template gjjid $(CHART) >/dev/null
	$(HELM) template gjjid $(CHART) -f $(CHART)/ci/sentinel-values.yaml >/dev/null
	$(HELM) template gjjid $(CHART) -f $(CHART)/ci/cluster-values.yaml >/dev/null
	$(GO) test -count=1 ./deploy/helm/

clean:
	rm -rf bin
