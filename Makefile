# aisync: `make run` starts the app, `make test` runs every test suite.
# Both install what they need (Debian packages, npm packages, Go modules) first.
SHELL := /bin/bash
export GOFLAGS := -tags=webkit2_41
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT  ?= $(shell git rev-parse --short=12 HEAD 2>/dev/null)
LDFLAGS := -w -s -X aisync/backend/buildinfo.Version=$(VERSION) -X aisync/backend/buildinfo.Commit=$(COMMIT)
BIN     := build/bin/aisync
# The same program without the desktop app (see headless.go): no GTK/WebKit, no cgo.
HEADLESS := build/bin/aisync-headless
GO_SRC  := $(shell find . -name '*.go' -not -path './frontend/node_modules/*' 2>/dev/null) go.mod go.sum
FE_SRC  := $(shell find frontend/src frontend/index.html frontend/vite.config.ts frontend/public -type f 2>/dev/null)

.PHONY: run build headless test deps deps-test modules frontend go-test fe-test e2e smoke realclients bindings package bench soak clean fmt

run: deps $(BIN)
	@if [ -n "$$DISPLAY$$WAYLAND_DISPLAY" ]; then \
	  echo "Starting the aisync desktop app"; exec ./$(BIN); \
	else \
	  echo "No display found: starting the headless server with the web UI instead (aisync serve)"; \
	  if [ -z "$$DBUS_SESSION_BUS_ADDRESS" ] && [ -z "$$AISYNC_SECRETS_BACKEND" ]; then \
	    echo "No keyring session either: secrets go to a 0600 file in the data dir (AISYNC_SECRETS_BACKEND=file)"; \
	    export AISYNC_SECRETS_BACKEND=file; \
	  fi; \
	  echo "Log in with your admin password, or with the API token from: $(BIN) token"; \
	  exec ./$(BIN) serve; \
	fi

build: deps $(BIN)

# Go modules and the frontend's npm packages; deps and deps-test install the Debian packages
# first, the headless build needs nothing more.
define fetch-modules
@go mod download
@[ -d frontend/node_modules ] || (cd frontend && npm ci --no-audit --no-fund)
endef

deps:
	@scripts/deps.sh build
	$(fetch-modules)

deps-test:
	@scripts/deps.sh test
	$(fetch-modules)

modules:
	$(fetch-modules)

frontend/dist/index.html: $(FE_SRC) frontend/package-lock.json
	cd frontend && npm run build

frontend: frontend/dist/index.html

$(BIN): frontend/dist/index.html $(GO_SRC)
	go build -tags webkit2_41,production -ldflags "$(LDFLAGS)" -o $(BIN) .

# `make headless`: for servers and containers. Built without cgo it is a static binary, and
# `aisync serve` maps no GUI library (about 50 MB less resident memory than $(BIN)).
headless: modules $(HEADLESS)

$(HEADLESS): frontend/dist/index.html $(GO_SRC)
	CGO_ENABLED=0 go build -tags headless -ldflags "$(LDFLAGS)" -o $(HEADLESS) .

# Real AI client CLIs (codex, copilot, gemini, claude, opencode) from npm, pinned in
# tests/realclients, read what our adapters write.
REALCLIENTS := $(CURDIR)/tests/realclients/node_modules/.bin

test: deps-test frontend/dist/index.html $(BIN)
	scripts/realclients.sh
	AISYNC_REALCLIENTS_DIR=$(REALCLIENTS) scripts/test.sh

go-test: deps-test frontend/dist/index.html
	scripts/realclients.sh
	AISYNC_REALCLIENTS_DIR=$(REALCLIENTS) scripts/test.sh go

realclients: deps-test
	scripts/realclients.sh
	AISYNC_REALCLIENTS_DIR=$(REALCLIENTS) go test -count=1 -v ./tests/realclients/

e2e: deps-test $(BIN)
	cd frontend && AISYNC_BIN=$(CURDIR)/$(BIN) npm run e2e

bindings:
	scripts/bindings.sh

fe-test: deps-test
	cd frontend && npm run check && npm test

smoke: deps-test $(BIN)
	scripts/smoke-desktop.sh $(BIN)

package: deps frontend/dist/index.html
	scripts/package.sh "$(VERSION)" "$(LDFLAGS)"

bench: deps-test $(BIN) $(HEADLESS)
	scripts/bench.sh

soak: deps-test $(BIN)
	AISYNC_SOAK=1 scripts/test.sh soak

fmt:
	gofmt -w $$(git ls-files '*.go')

clean:
	rm -rf build/bin frontend/dist/assets frontend/dist/index.html
