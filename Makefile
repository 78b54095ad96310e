# EduGroup — build, run and test. See README.md.
GO      ?= go
NPM     ?= npm
BIN     := bin/edugroup
VERSION := $(shell git describe --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X edugroup/internal/app.Version=$(VERSION)
ADDR    ?= 127.0.0.1:8080
DATA    ?= ./data

.PHONY: run build ui api test test-go test-ui test-e2e load vet fmt clean bench-exams

## run: build the web client and the binary, start EduGroup with the demo county in ./data
run: build
	$(BIN) serve --demo --data $(DATA) --addr $(ADDR)

## build: the web client (when npm is present) and the binary
build: ui
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/edugroup

ui/node_modules/.package-lock.json: ui/package-lock.json
	cd ui && $(NPM) ci --no-audit --no-fund

e2e/node_modules/.package-lock.json: e2e/package-lock.json
	cd e2e && $(NPM) ci --no-audit --no-fund

# What the web client is built from: a build is redone only when one changed.
UI_SRC := $(shell find ui/src ui/public ui/scripts -type f 2>/dev/null) \
	ui/index.html ui/package.json ui/package-lock.json ui/vite.config.ts ui/tsconfig.json

## ui: build the Vue client into ui/dist/app (embedded by the Go build) when its sources changed
ui:
	@if command -v $(NPM) >/dev/null 2>&1; then \
		$(MAKE) --no-print-directory ui/dist/app/index.html; \
	else \
		echo "npm not found: the binary will serve the fallback page in ui/dist/index.html"; \
	fi

# A failed build leaves no index.html behind, so the next make tries again.
ui/dist/app/index.html: $(UI_SRC) ui/node_modules/.package-lock.json
	cd ui && $(NPM) run build || { rm -f dist/app/index.html; exit 1; }
	@touch $@

## api: rewrite ui/src/api/openapi.json from the route table, then the client's types from it
api:
	UPDATE_OPENAPI=1 $(GO) test -count=1 -run '^TestOpenAPIFile$$' ./internal/app
	cd ui && $(NPM) run gen:api

## test: every test — Go unit, store (SQLite and PostgreSQL), HTTP and durability tests, then the browser tests
test: vet test-go test-ui test-e2e

## fmt: format the Go sources in place (vet refuses unformatted ones)
fmt:
	gofmt -w cmd internal tools ui/embed.go

## vet: go vet, staticcheck (pinned in go.mod as a tool) and gofmt
vet:
	$(GO) vet ./...
	$(GO) tool staticcheck ./...
	@test -z "$$(gofmt -l cmd internal tools ui/embed.go)" || (gofmt -l cmd internal tools ui/embed.go; echo "gofmt needed"; exit 1)

test-go:
	$(GO) test -count=1 -timeout 30m ./...

## test-ui: the web client's ESLint, vue-tsc type check and unit tests (node --test: the workbook
## writer's neutralizing, the generated API types against the OpenAPI document), ESLint on the browser tests
test-ui:
	@if command -v $(NPM) >/dev/null 2>&1; then \
		$(MAKE) --no-print-directory ui/node_modules/.package-lock.json e2e/node_modules/.package-lock.json && \
		(cd ui && $(NPM) run lint && $(NPM) run typecheck && $(NPM) test) && \
		(cd e2e && $(NPM) run lint); \
	else \
		echo "npm not found: skipping the web client's lint, type check and unit tests"; \
	fi

## test-e2e: build everything, start a demo server on a free port, drive it with Chromium
test-e2e: build
	./e2e/run.sh $(BIN)

## load: for SQLite and a throwaway PostgreSQL, start a demo server and measure reads beside a bare handler
load: build
	./tools/load/run.sh $(BIN)

## bench-exams: generate a 1,000,000-student CSV and a 100,000-student .xlsx exam in a temp dir,
## time parse + analysis (wall, CPU, JSON writing, a cold run in a fresh process, its peak memory); twice each
bench-exams:
	$(GO) test -run '^$$' -bench 'Analyze' -benchtime 3x -count 2 -timeout 30m ./internal/exams/examfile/

clean:
	rm -rf bin ui/dist/app
