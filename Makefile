# memcgd — build, run, test and benchmark. Every target installs what it
# needs on a Debian machine that has the Swift toolchain (run as root, or
# with sudo available).

SWIFT      ?= swift
APT        := $(shell [ "$$(id -u)" = 0 ] && echo apt-get || echo sudo apt-get)
# Tests run on a release build with the engine's invariant checks compiled in.
TEST_FLAGS := -c release -Xswiftc -enable-testing -Xswiftc -DMEMCG_INTERNAL_CHECKS
RELEASE    := .build/release
ARGS       ?=
# Python test tools live in a virtual environment under the build folder
# (Debian 12 has no pip and refuses installs into the system Python).
VENV       := .build/venv
PY_TOOLS   := 'schemathesis>=4.0,<5' 'selenium>=4.15' 'pyyaml>=6'
# Extra flags for release builds (the Dockerfile adds --static-swift-stdlib).
SWIFT_BUILD_FLAGS ?=

.PHONY: all build run test test-swift test-e2e test-durability soak test-adversarial test-browser test-deploy deploy bench deps test-deps browser-deps clean openapi web

all: build

## deps: libmicrohttpd-dev and pkg-config (apt-get) when missing.
deps:
	@if ! pkg-config --exists libmicrohttpd 2>/dev/null; then \
	  echo "installing libmicrohttpd-dev"; \
	  $(APT) update -qq && DEBIAN_FRONTEND=noninteractive $(APT) install -y -qq libmicrohttpd-dev pkg-config >/dev/null; \
	fi

## test-deps: promtool and prometheus (Debian's prometheus), curl, the venv, and valgrind,
## perf and a C compiler (for the importer tests on real programs).
test-deps: deps venv
	@if ! command -v valgrind >/dev/null || ! command -v perf >/dev/null || ! command -v cc >/dev/null; then \
	  echo "installing valgrind, linux-perf and gcc"; \
	  $(APT) update -qq && DEBIAN_FRONTEND=noninteractive $(APT) install -y -qq valgrind linux-perf gcc libc6-dev >/dev/null; \
	fi
	@if ! command -v promtool >/dev/null || ! command -v prometheus >/dev/null || ! command -v curl >/dev/null; then \
	  echo "installing prometheus (promtool) and curl"; \
	  $(APT) update -qq && DEBIAN_FRONTEND=noninteractive $(APT) install -y -qq prometheus curl >/dev/null; \
	fi

## venv: schemathesis and selenium in $(VENV) (python3 and python3-venv from apt when missing).
venv: $(VENV)/.installed
$(VENV)/.installed:
	@if ! command -v python3 >/dev/null || ! dpkg -s python3-venv >/dev/null 2>&1; then \
	  echo "installing python3-venv"; \
	  $(APT) update -qq && DEBIAN_FRONTEND=noninteractive $(APT) install -y -qq python3 python3-venv >/dev/null; \
	fi
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --disable-pip-version-check $(PY_TOOLS)
	touch $@

## browser-deps: Debian's chromium and chromium-driver, and the venv (selenium).
browser-deps: venv
	@if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then \
	  echo "installing chromium and chromium-driver"; \
	  $(APT) update -qq && DEBIAN_FRONTEND=noninteractive $(APT) install -y -qq chromium chromium-driver fonts-dejavu-core >/dev/null; \
	fi

## build: release build of memcgd.
build: deps
	$(SWIFT) build -c release --product memcgd $(SWIFT_BUILD_FLAGS)

## run: start memcgd on 127.0.0.1:8080 with the defaults (ARGS="--swap 2G" to add flags).
run: build
	$(RELEASE)/memcgd serve $(ARGS)

## test: every test — engine, routes, live server, promtool, Prometheus, OpenAPI, adversarial clients, the web view in chromium.
test: test-deps test-swift test-e2e test-durability test-adversarial test-browser test-deploy

test-swift: test-deps
	$(SWIFT) build $(TEST_FLAGS) --build-tests
	$(SWIFT) test $(TEST_FLAGS) --skip-build

## test-deploy: deploy/ parses and says what it must (tests/deploy/check.py), promtool on its rules and Prometheus config.
test-deploy: test-deps
	@$(VENV)/bin/python -c 'import yaml' 2>/dev/null || $(VENV)/bin/pip install -q --disable-pip-version-check 'pyyaml>=6'
	bash tests/deploy/run.sh $(VENV)/bin/python

## deploy: regenerate the Kubernetes manifests made from dashboards/ and examples/workloads/.
deploy:
	bash deploy/kubernetes/generate.sh

test-e2e: test-deps
	$(SWIFT) build -c release --product memcgd
	ST=$(VENV)/bin/st bash tests/e2e/run.sh $(RELEASE)/memcgd

## test-durability: the crash test (SIGKILL at 20 random moments under concurrent writers; the seed is printed).
test-durability: deps
	$(SWIFT) build -c release --product memcgd
	python3 tests/durability/crash.py $(RELEASE)/memcgd --runs 20 $(if $(SEED),--seed $(SEED))

## soak: the longer crash soak (RUNS=300 by default, 8 writers).
soak: deps
	$(SWIFT) build -c release --product memcgd
	bash tests/durability/soak.sh $(RELEASE)/memcgd $(or $(RUNS),300) $(SEED)

## test-browser: the web view in a real browser; screenshots in .build/screenshots/.
test-browser: browser-deps
	$(SWIFT) build -c release --product memcgd
	$(VENV)/bin/python tests/browser/web_test.py $(RELEASE)/memcgd .build/screenshots

## test-adversarial: hostile clients over loopback (tests/adversarial), bounded in time.
test-adversarial: deps
	$(SWIFT) build -c release --product memcgd
	bash tests/adversarial/run.sh $(RELEASE)/memcgd

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
	  echo '"""#'; echo '}'; } > Sources/MemcgHTTP/Generated/OpenAPIDocument.swift

## web: regenerate the embedded copy of web/index.html served at GET /.
web:
	{ echo '// Generated from web/index.html by `make web`; a test keeps the two equal.'; \
	  echo 'enum WebPage {'; echo '    static let html = #"""'; cat web/index.html; \
	  echo '"""#'; echo '    static let bytes: [UInt8] = Array((html + "\\n").utf8)'; echo '}'; } > Sources/MemcgHTTP/Generated/WebPage.swift
