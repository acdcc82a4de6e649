# gjjid — the two commands a newcomer needs: `make dev` and `make test`.
GO      ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)

.PHONY: build dev test test-deps lint bench load clean

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

# Installs what the tests need when it is missing (Debian packages).
test-deps:
	@./.ci/deps

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...

# Throughput and latency at concurrency 32, memory and Redis stores.
bench:
	$(GO) test ./broker/ -run '^$$' -bench BenchmarkEndpoints -benchtime=2s -timeout 20m

# Load against a running broker (e.g. `make dev` in another terminal).
load:
	$(GO) run ./cmd/gjjid-load --issuer http://127.0.0.1:5556 --client-id demo-service --client-secret demo-service-secret --scope gjj:api --case all

clean:
	rm -rf bin
