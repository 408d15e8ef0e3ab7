# memcgd — build, run, test and benchmark. Every target installs what it
# needs on a Debian machine that has the Swift toolchain (run as root, or
# with sudo available).

SWIFT      ?= swift
APT        := $(shell [ "$$(id -u)" = 0 ] && echo apt-get || echo sudo apt-get)
# Tests run on a release build with the engine's invariant checks compiled in.
TEST_FLAGS := -c release -Xswiftc -enable-testing -Xswiftc -DMEMCG_INTERNAL_CHECKS
RELEASE    := .build/release
ARGS       ?=
# Extra flags for release builds (the Dockerfile adds --static-swift-stdlib).
SWIFT_BUILD_FLAGS ?=

.PHONY: all build run test test-swift test-e2e bench deps test-deps clean openapi

all: build

## deps: libmicrohttpd-dev and pkg-config (apt-get) when missing.
deps:
	@if ! pkg-config --exists libmicrohttpd 2>/dev/null; then \
	  echo "installing libmicrohttpd-dev"; \
	  $(APT) update -qq && DEBIAN_FRONTEND=noninteractive $(APT) install -y -qq libmicrohttpd-dev pkg-config >/dev/null; \
	fi

## test-deps: promtool and prometheus (Debian's prometheus), curl, valgrind and perf (for the
## importer tests on real programs), a C compiler, and schemathesis (pip).
test-deps: deps
	@if ! command -v valgrind >/dev/null || ! command -v perf >/dev/null || ! command -v cc >/dev/null; then \
	  echo "installing valgrind, linux-perf and gcc"; \
	  $(APT) update -qq && DEBIAN_FRONTEND=noninteractive $(APT) install -y -qq valgrind linux-perf gcc libc6-dev >/dev/null; \
	fi
	@if ! command -v promtool >/dev/null || ! command -v prometheus >/dev/null || ! command -v curl >/dev/null; then \
	  echo "installing prometheus (promtool) and curl"; \
	  $(APT) update -qq && DEBIAN_FRONTEND=noninteractive $(APT) install -y -qq prometheus curl >/dev/null; \
	fi
	@if ! command -v st >/dev/null && ! python3 -c 'import schemathesis' 2>/dev/null; then \
	  echo "installing schemathesis"; \
	  python3 -m pip install -q 'schemathesis>=3.39' >/dev/null; \
	fi

## build: release build of memcgd.
build: deps
	$(SWIFT) build -c release --product memcgd $(SWIFT_BUILD_FLAGS)

## run: start memcgd on 127.0.0.1:8080 with the defaults (ARGS="--swap 2G" to add flags).
run: build
	$(RELEASE)/memcgd serve $(ARGS)

## test: every test — engine, routes, live server, promtool, Prometheus, OpenAPI.
test: test-deps test-swift test-e2e

test-swift: test-deps
	$(SWIFT) build $(TEST_FLAGS) --build-tests
	$(SWIFT) test $(TEST_FLAGS) --skip-build

test-e2e: test-deps
	$(SWIFT) build -c release --product memcgd
	bash tests/e2e/run.sh $(RELEASE)/memcgd

## bench: engine and HTTP benchmarks (release build); numbers go in BENCHMARKS.md.
bench: deps
	$(SWIFT) build -c release --product MemcgBench
	$(SWIFT) build -c release --product memcgd
	$(RELEASE)/MemcgBench
	bash Benchmarks/http.sh $(RELEASE)/memcgd

clean:
	rm -rf .build

## openapi: regenerate the embedded copy of openapi/openapi.yaml served at GET /openapi.yaml.
openapi:
	{ echo '// Generated from openapi/openapi.yaml by `make openapi`; a test keeps the two equal.'; \
	  echo 'enum OpenAPIDocument {'; echo '    static let yaml = #"""'; cat openapi/openapi.yaml; \
	  echo '"""#'; echo '}'; } > Sources/MemcgHTTP/Routes/OpenAPIDocument.swift
