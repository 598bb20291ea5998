# swatsim — see README.md. `make run` runs the embedded default design;
# `make test` installs the HDL tools when missing and runs every test.
GO      ?= go
BIN     := bin/swatsim

.PHONY: run test tools build vet bench fuzz clean

run: build
	$(BIN) sim

build:
	$(GO) build -o $(BIN) ./cmd/swatsim

tools:
	bash scripts/install-hdl-tools.sh

vet:
	$(GO) vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (gofmt -l $$(git ls-files '*.go'); echo "gofmt: files above need formatting"; exit 1)

test: tools vet
	$(GO) test -timeout 25m ./...

bench: build
	$(GO) test -run XXX -bench . -benchtime 1x ./sim/ ./reference/ ./hdlgen/... ./sim/kv/...

fuzz:
	$(GO) test -run XXX -fuzz FuzzReadNpy -fuzztime 60s ./traces/
	$(GO) test -run XXX -fuzz FuzzFloat16 -fuzztime 30s ./reference/
	$(GO) test -run XXX -fuzz FuzzQuantize -fuzztime 30s ./reference/
	$(GO) test -run XXX -fuzz FuzzLoad -fuzztime 30s ./internal/config/
	$(GO) test -run XXX -fuzz FuzzLoad -fuzztime 30s ./dataflow/
	$(GO) test ./hdlgen/cosim/ -run TestLintRandomPoints -count=1 -args -fuzzpoints 600 -fuzzseed $$(date +%s)

clean:
	rm -rf bin
