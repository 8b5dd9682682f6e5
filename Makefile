# podecs: `make demo` converts the bundled example; `make test` runs the whole test suite.
GO      ?= go
BIN     := bin/podecs
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT  ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
LDFLAGS := -s -w -X main.version=$(VERSION) -X main.commit=$(COMMIT)
FUZZTIME ?= 30s

.PHONY: all build demo test test-unit bench fuzz lint dist clean

all: build

build:
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/podecs

## demo: convert the bundled example and print the ECS JSON (findings on stderr).
demo: build
	$(BIN) convert -f docs/examples/shop.yaml --config docs/examples/shop.config.yaml

## test: the whole suite, with a moto ECS emulator on a free loopback port for the integration tests.
test:
	gofmt -l . | (! grep .) || (echo "gofmt needed on the files above" >&2; exit 1)
	$(GO) vet ./...
	scripts/with-moto $(GO) test -count=1 ./...

## test-unit: the suite without starting moto (integration tests skip unless CI=true).
test-unit:
	$(GO) test ./...

## bench: Go benchmarks with allocation counts.
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

## fuzz: run every fuzz target for FUZZTIME each.
fuzz:
	@for pkg in $$($(GO) list ./...); do \
	  for t in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "== $$pkg $$t"; $(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done

lint:
	$(GO) vet ./...

clean:
	rm -rf bin dist
