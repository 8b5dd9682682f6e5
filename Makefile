# podecs: `make demo` converts the bundled example; `make test` runs the whole test suite.
GO      ?= go
BIN     := bin/podecs
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT  ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
LDFLAGS := -s -w -X main.version=$(VERSION) -X main.commit=$(COMMIT)
FUZZTIME ?= 30s
# urfave_cli_no_docs leaves out urfave/cli's Markdown and man page rendering, which only the docs
# test uses (docs/cli.md, docs/podecs.1): every run of the binary starts faster without it.
TAGS    := urfave_cli_no_docs

.PHONY: all build demo test test-unit bench fuzz lint dist clean

all: build

build:
	$(GO) build -trimpath -tags '$(TAGS)' -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/podecs

## demo: convert the bundled example and print the ECS JSON (findings on stderr).
demo: build
	$(BIN) convert -f docs/examples/shop.yaml --config docs/examples/shop.config.yaml

## test: the whole suite, with a moto ECS emulator on a free loopback port for the integration tests.
test:
	gofmt -l . | (! grep .) || (echo "gofmt needed on the files above" >&2; exit 1)
	$(GO) vet ./...
	scripts/with-moto $(GO) test -count=1 -timeout 30m ./...

## test-unit: the suite without starting moto (integration tests skip unless CI=true).
test-unit:
	$(GO) test ./...

## bench: batch conversion against the floor (4,000 documents in 2,000 files, and 40,000): wall
## time, throughput, ratio, peak RSS, one-file wall time; then the Go benchmarks (decode, both
## mappings, encoding) with allocation counts. Run it on an idle machine.
bench: build
	$(GO) build -o bin/podecs-bench ./cmd/podecs-bench
	bin/podecs-bench -podecs $(BIN)
	$(GO) test -run '^$$' -bench . -benchmem ./convert/... ./mapping/...

## fuzz: run every fuzz target for FUZZTIME each.
fuzz:
	@for pkg in $$($(GO) list ./...); do \
	  for t in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "== $$pkg $$t"; $(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done

## lint: go vet, then staticcheck at the version pinned in tools/go.mod (kept apart from go.mod).
lint:
	$(GO) vet ./...
	$(GO) tool -modfile=tools/go.mod staticcheck ./...

## dist: release binaries for every platform in DIST_PLATFORMS, stamped with VERSION and COMMIT,
## as DIST/podecs_VERSION_OS_ARCH[.exe], and their SHA-256 sums in DIST/checksums.txt.
DIST           ?= dist
DIST_PLATFORMS := linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64 windows/arm64
SHA256SUM      ?= sha256sum

dist:
	mkdir -p $(DIST)
	rm -f $(DIST)/podecs_* $(DIST)/checksums.txt
	@set -e; for p in $(DIST_PLATFORMS); do \
	  os=$${p%/*}; arch=$${p#*/}; ext=; \
	  if [ "$$os" = windows ]; then ext=.exe; fi; \
	  out=$(DIST)/podecs_$(VERSION)_$${os}_$${arch}$$ext; \
	  echo "$$out"; \
	  CGO_ENABLED=0 GOOS=$$os GOARCH=$$arch $(GO) build -trimpath -tags '$(TAGS)' -ldflags '$(LDFLAGS)' -o "$$out" ./cmd/podecs; \
	done
	cd $(DIST) && $(SHA256SUM) podecs_* > checksums.txt
	@cat $(DIST)/checksums.txt

## dist-check: make dist into a temporary directory and check the binaries (slow: six builds).
.PHONY: dist-check
dist-check:
	PODECS_DIST_TEST=1 $(GO) test -count=1 -timeout 30m -v ./internal/disttest/

clean:
	rm -rf bin dist
