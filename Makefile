# Switchboard — every target is self-contained: it installs what it needs into the
# repo's ignored .cache/ (Go tools) or _tools/ (npm), and starts the real components its
# tests use on 127.0.0.1 from the tests themselves.

SHELL       := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
ROOT        := $(CURDIR)
TOOLS       := $(ROOT)/.cache/bin
export GOCACHE    ?= $(ROOT)/.cache/go-build
export GOMODCACHE ?= $(ROOT)/.cache/gomod
export GOFLAGS    ?= -buildvcs=false
# Go 1.27.3, fetched once from the Go module proxy like a module (~76 MB): it carries
# the standard library's security fixes that govulncheck finds in 1.26.8, and its
# encoding/json (the v2 implementation) decodes webhooks 2-3x faster. go.mod still
# says 1.26, so a plain `go test` on a 1.26 machine works too.
export GOTOOLCHAIN ?= go1.27.3
export PATH       := $(TOOLS):$(PATH)
export JSII_RUNTIME_PACKAGE_CACHE_ROOT ?= $(ROOT)/.cache/jsii
# npm's download cache too stays in the repo's ignored .cache/.
export npm_config_cache ?= $(ROOT)/.cache/npm

GO          ?= go
ADDR        ?= 127.0.0.1:8080
CONFIG      ?=
BUILD_DIR   ?= $(ROOT)/build
GOARCH_LAMBDA ?= arm64
# Every folder under functions/ (an intent's function, the router, the smoke function):
# a new intent's function is built without an edit here.
FUNCTIONS   := $(sort $(notdir $(patsubst %/,%,$(dir $(wildcard functions/*/main.go)))))
# Lambda builds: lambda.norpc drops aws-lambda-go's net/rpc shim; lambdabuild leaves out
# the SQLite demo backend and store and the AWS SDK's profile/SSO/IMDS configuration
# chain (a function's credentials are in its environment). Both shorten the cold start.
LAMBDA_TAGS := lambda.norpc,lambdabuild
STRIPE_MOCK_VERSION := v0.203.0
RIE_VERSION := latest
FUZZTIME    ?= 60s
# Cap on minimising one input. Go minimises every input that finds new coverage, and
# its minimiser is quadratic in the input's length: uncapped (60 s) the worker spent
# most of a run minimising. 5000 calls take ~0.25 s on these targets (all run at
# 10-100k execs/s); a crasher can be minimised further by hand with a larger value.
FUZZMINTIME ?= 5000x
# Fuzz workers per target (go test -parallel; empty: GOMAXPROCS).
FUZZPARALLEL ?=
# Only the targets whose "<package dir> <target>" matches this extended regexp.
FUZZONLY ?=
GOVULNCHECK_VERSION := v1.9.0
# deadcode v0.52.0: v0.53.0 fails to load the go1.27 standard library with go.mod at 1.26.
DEADCODE_VERSION := v0.52.0
STATICCHECK_VERSION := v0.8.2
VULNDB_VERSION := v0.0.0-20261105234957-e22db6528018
# Packages whose tests exercise concurrency run under the race detector.
RACE_PKGS   := ./shared/... ./cmd/...
# Go modules besides the product's (the root): the CDK app, whose bindings the product
# never compiles, and the benchmark and vulnerability-database tools, whose
# dependencies (vegeta, x/mod) the product does not have. Each uses the product's
# packages from this checkout (a replace directive in its go.mod).
SUBMODULES  := infra tests/loadbench tests/vulndb

.PHONY: help cli run chat replay reset install test build lint fmt vet vuln unused bench bench-turn memload oracle fuzz synth deploy diff cdk-cli tools tool-stripe-mock tool-rie tool-postgres tool-moto tool-cfn-lint tool-prism tool-chromium clean

help: ## list the targets (with this run's values: make help ENV=prod)
	@grep -E '^[a-z-]+:.*## ' $(firstword $(MAKEFILE_LIST)) | sed 's/:.*## /\t/' | sort | \
	  sed -e 's|$$(ADDR)|$(ADDR)|g' -e 's|$$(GOARCH_LAMBDA)|$(GOARCH_LAMBDA)|g' -e 's|$$(FUZZTIME)|$(FUZZTIME)|g' -e 's|$$(FUZZMINTIME)|$(FUZZMINTIME)|g' \
	      -e 's|$$(ENV)|$(or $(ENV),<unset>)|g' -e 's|$$(INSTALL_DIR)|$(INSTALL_DIR)|g'

# `make install` puts the switchboard CLI where `go install` does: $(go env GOPATH)/bin
# (or $GOBIN when set); docs call it as $(go env GOPATH)/bin/switchboard.
INSTALL_DIR = $(or $(shell $(GO) env GOBIN),$(shell $(GO) env GOPATH)/bin)

install: ## install the switchboard CLI into $(INSTALL_DIR)
	GOBIN=$(INSTALL_DIR) $(GO) install ./cmd/switchboard
	@echo "installed $(INSTALL_DIR)/switchboard"

# `make run` builds the CLI once into build/switchboard (with the Makefile's toolchain)
# and runs it; the README's other commands call that binary, so nothing is compiled
# again with another toolchain.
SWITCHBOARD := $(BUILD_DIR)/switchboard

cli:
	@echo "==> building $(SWITCHBOARD)"
	$(GO) build -o $(SWITCHBOARD) ./cmd/switchboard

run: cli ## build build/switchboard and start the local server on the embedded default (demo data) at $(ADDR)
	$(SWITCHBOARD) serve --addr $(ADDR) $(if $(CONFIG),--config $(CONFIG))

chat: cli ## a conversation in the terminal with the server `make run` started (PLATFORM=lex, CHAT_LANG=en)
	$(SWITCHBOARD) chat --platform $(or $(PLATFORM),lex) --language $(or $(CHAT_LANG),en) --url http://$(ADDR)

replay: cli ## send recorded requests (FILE= a console export or an events/ file) to the server `make run` started; show replies and traces
	@test -n "$(FILE)" || { echo "usage: make replay FILE=events/lex/create_ticket.json"; exit 2; }
	$(SWITCHBOARD) replay --url http://$(ADDR) $(FILE)

reset: cli ## remove the local demo state (demo tickets, stored replies, one-time codes and their limits); stop `make run` first
	$(SWITCHBOARD) reset --addr $(ADDR) $(if $(CONFIG),--config $(CONFIG))

test: tools vet fmt ## install test tools, then vet, gofmt check and every test (race detector on shared/ and cmd/)
	@echo "==> test (1/3): shared/ and cmd/ under the race detector"
	$(GO) test -race -count=1 -timeout 20m $(RACE_PKGS)
	@echo "==> test (2/3): functions/ and tests/"
	$(GO) test -count=1 -timeout 30m $$($(GO) list ./... | grep -v -e '/shared/' -e '/cmd/')
	@echo "==> test (3/3): the modules $(SUBMODULES) (the first infra compile takes minutes: the CDK bindings)"
	@for m in $(SUBMODULES); do echo "$(GO) -C $$m test -count=1 -timeout 30m ./..."; $(GO) -C $$m test -count=1 -timeout 30m ./...; done
	@echo "==> test: all passed"

# Per-deployment linking: with ENV=<name> (and the STAGE= and CDK_ARGS -c settings synth
# gets) each intent function links only the tools that deployment chooses for its
# capabilities: _tools/linktags computes, with synth's own settings loader, the tags
# omit_<tool> that leave the others' functions/<fn>/link_<tool>.go out. Without ENV every
# function links every tool that can serve it. The CDK app refuses a bootstrap built
# without a tool its settings choose (settings.CheckBootstraps).
build: ## build the Lambda bootstrap binaries for linux/$(GOARCH_LAMBDA) into build/<fn>/bootstrap (ENV=: only that deployment's tools)
	@fns=""; for fn in $(FUNCTIONS); do if [ -d functions/$$fn ]; then fns="$$fns $$fn"; fi; done; \
	n=$$(echo $$fns | wc -w); i=0; links=""; \
	if [ -n "$(ENV)" ]; then links=$$($(GO) run ./_tools/linktags $(CONTEXT) $(CDK_ARGS)); fi; \
	for fn in $$fns; do \
	  i=$$((i+1)); tags=$(LAMBDA_TAGS); note=""; \
	  line=$$(printf '%s\n' "$$links" | awk -v f=$$fn '$$1 == f'); \
	  if [ -n "$$line" ]; then set -- $$line; if [ "$$2" != "-" ]; then tags="$$tags,$$2"; fi; note=", ENV=$(ENV) tools: $$3"; fi; \
	  echo "==> building $$fn ($$i/$$n) for linux/$(GOARCH_LAMBDA)$$note"; \
	  GOOS=linux GOARCH=$(GOARCH_LAMBDA) CGO_ENABLED=0 $(GO) build -tags $$tags -trimpath -ldflags='-s -w' \
	    -o $(BUILD_DIR)/$$fn/bootstrap ./functions/$$fn; \
	done; \
	echo "==> built $$n bootstraps into $(BUILD_DIR)/ ($(if $(ENV),the tools of ENV=$(ENV),every tool that can serve each function: no ENV))"

# The CDK app is infra/, a Go module of its own (infra/go.mod) so that building and testing
# the product never compiles the CDK bindings: synth (and cdk.json's "app", which the CDK
# CLI runs for diff and deploy) builds it into build/cdk-app and runs it from the
# repository root. It reads build/<fn>/bootstrap, so synth builds the functions first.
# No AWS credentials are needed to synthesize: the stacks stay environment-agnostic.
# ENV=<name> picks infra/env/<name>.yaml (every setting of one deployment); STAGE=
# overrides its rollout (reads, writes, payments); CDK_ARGS passes more arguments:
# -c key=value to synth, any CDK CLI option to diff and deploy.
CDK         := $(ROOT)/_tools/node_modules/.bin/cdk
CDK_ARGS    ?=
ENV         ?=
STAGE       ?=
CONTEXT     := $(if $(ENV),-c env=$(ENV)) $(if $(STAGE),-c stage=$(STAGE))
# The CDK's JavaScript runtime (jsii, run by the CDK app) prints a 30-line banner
# when Node.js is past the support jsii gives it: Node 20 reached end-of-life on
# 2026-04-30 and jsii's support ended six months later, so on Node 20 every synth
# printed it (JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION covers only the months
# between). README asks for Node.js 24; on an older Node the Makefile says so in one
# line (node-note) and silences the banner for that major version.
NODE_MAJOR  := $(shell node -p 'process.versions.node.split(".")[0]' 2>/dev/null)
export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION ?= 1
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION ?= $(NODE_MAJOR)
define node-note
	@if [ -z "$(NODE_MAJOR)" ]; then echo "==> note: node not found: the CDK needs Node.js, 24 or 22 (README, Prerequisites)"; \
	elif [ "$(NODE_MAJOR)" -lt 22 ]; then echo "==> note: Node.js $(NODE_MAJOR) is end-of-life and no longer supported by the CDK's jsii runtime: synth still runs, unsupported; deploy with Node.js 24 or 22 (README, Prerequisites). Its banner is silenced."; fi
endef

synth: build ## synthesize the CDK app into cdk.out (ENV=, STAGE=, CDK_ARGS="-c key=value"; no AWS credentials)
	$(node-note)
	@echo "==> synth $(if $(ENV),ENV=$(ENV) )$(if $(STAGE),STAGE=$(STAGE) )into cdk.out (the first run compiles the CDK bindings: several minutes)"
	$(GO) -C infra build -o $(BUILD_DIR)/cdk-app .
	CDK_OUTDIR=cdk.out $(BUILD_DIR)/cdk-app $(CONTEXT) $(CDK_ARGS)

cdk-cli: ## install the CDK CLI pinned in _tools/package-lock.json (needs Node.js)
	@test -x $(CDK) || { command -v npm >/dev/null || { echo "npm not found: the CDK CLI needs Node.js (see README)"; exit 1; }; \
	  echo "==> installing the pinned CDK CLI into _tools/ (npm ci)"; \
	  npm --prefix _tools ci --no-audit --no-fund; }

deploy: build cdk-cli ## deploy every stack with the pinned CDK CLI (ENV=, STAGE=, CDK_ARGS=; needs AWS credentials)
	$(node-note)
	@echo "==> deploy $(if $(ENV),ENV=$(ENV) )$(if $(STAGE),STAGE=$(STAGE) )with the AWS credentials of this shell (AWS_PROFILE or AWS_ACCESS_KEY_ID …)"
	$(CDK) deploy --all --require-approval never $(CONTEXT) $(CDK_ARGS)

diff: build cdk-cli ## show what deploy would change, every stack (ENV=, STAGE=, CDK_ARGS=; needs AWS credentials)
	$(node-note)
	@echo "==> diff $(if $(ENV),ENV=$(ENV) )$(if $(STAGE),STAGE=$(STAGE) )against the deployed stacks: needs AWS credentials for the target account (AWS_PROFILE or AWS_ACCESS_KEY_ID …)"
	$(CDK) diff $(CONTEXT) $(CDK_ARGS)

vet: ## go vet (also the Lambda build's tagged files, _tools/linktags, and the modules infra, tests/loadbench, tests/vulndb)
	$(GO) vet ./... ./_tools/linktags
	@for m in $(SUBMODULES); do echo "$(GO) -C $$m vet ./..."; $(GO) -C $$m vet ./...; done
	$(GO) vet -tags $(LAMBDA_TAGS) ./functions/... ./shared/app/... ./shared/connector/registry/... ./shared/awsenv/...

fmt: ## fail if gofmt would change a file
	@out=$$(gofmt -l $$(git ls-files '*.go' | grep -v '^_') 2>/dev/null); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

lint: vet fmt vuln ## vet, gofmt and govulncheck

vuln: ## govulncheck ./... against the Go vulnerability database built from golang.org/x/vulndb (module proxy)
	GOBIN=$(TOOLS) $(GO) install golang.org/x/vuln/cmd/govulncheck@$(GOVULNCHECK_VERSION)
	$(GO) mod download golang.org/x/vulndb@$(VULNDB_VERSION)
	rm -rf $(ROOT)/.cache/vulndb
	$(GO) -C tests/vulndb run . -src $(GOMODCACHE)/golang.org/x/vulndb@$(VULNDB_VERSION) \
	  -accepted $(ROOT)/tests/vulndb/accepted.txt -out $(ROOT)/.cache/vulndb
	$(TOOLS)/govulncheck -db file://$(ROOT)/.cache/vulndb ./...
	@for m in $(SUBMODULES); do echo "govulncheck -C $$m ./..."; $(TOOLS)/govulncheck -C $$m -db file://$(ROOT)/.cache/vulndb ./...; done

unused: ## dead code and unused names: deadcode -test, staticcheck U1000, and exported names no other package names
	GOBIN=$(TOOLS) $(GO) install golang.org/x/tools/cmd/deadcode@$(DEADCODE_VERSION)
	GOBIN=$(TOOLS) $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)
	@echo "==> deadcode -test ./... (functions no binary or test reaches; infra and the bench modules are not seen: check before removing)"
	$(TOOLS)/deadcode -test ./...
	@echo "==> staticcheck -checks U1000 ./..."
	$(TOOLS)/staticcheck -checks U1000 ./...
	@echo "==> exported package-level names (go run ./_tools/exports -list names them)"
	$(GO) run ./_tools/exports

# One run, one table: local load per platform, the two Node peers, fan-out, cold start,
# breaker; also written to docs/benchmarks.md. BENCH_ARGS passes flags (e.g. -duration 3s).
BENCH_ARGS ?=
bench: tools build ## run the load benchmarks against the peers and print one table (docs/benchmarks.md)
	@test -d _tools/node_modules/dialogflow-fulfillment -a -d _tools/node_modules/@aws-lambda-powertools/idempotency \
	  || npm --prefix _tools ci --no-audit --no-fund
	$(GO) -C tests/loadbench run . -build-dir $(BUILD_DIR) $(BENCH_ARGS)

# Per-turn CPU and allocations in process (go test -bench, no servers): every platform ×
# intent through the server's wiring, the engine alone on the demo tools and on memoized
# answers, and the hot paths on their own (token check, formatters, reply encoding);
# and a routed Dialogflow ES turn (router → Lambda Invoke → function) against the
# function answering it directly (BenchmarkRouted, at GOMAXPROCS=1: issue 24's routed/
# direct CPU). Allocations per turn are exact; ns/op depends on what else runs on the
# machine (BenchmarkRouted's cpu-ns/op is the process's CPU time, steadier). Last, what
# the dynamodb audit sink's PutItem adds to a signed lookup on moto_server
# (BenchmarkAuditTurn; fewer turns, each waits for moto: BENCHAUDIT_ARGS).
BENCHTURN_ARGS ?= -benchtime=2000x -count=3
BENCHAUDIT_ARGS ?= -benchtime=200x -count=3
bench-turn: ## per-turn allocations and CPU, per platform × intent (go test -bench -benchmem; docs/benchmarks.md "Per-turn allocations")
	$(GO) test -run '^$$' -bench 'BenchmarkTurn$$|BenchmarkVerify$$|BenchmarkT$$|BenchmarkEncode$$|BenchmarkDecodeEncode$$' -benchmem $(BENCHTURN_ARGS) \
	  ./tests ./shared/identity ./shared/i18n ./shared/platform/...
	$(GO) test -run '^$$' -bench 'BenchmarkRouted$$' -benchmem -cpu 1 $(BENCHTURN_ARGS) ./tests
	$(GO) test -run '^$$' -bench 'BenchmarkAuditTurn$$' $(BENCHAUDIT_ARGS) ./tests

# RSS of serve under 50 concurrent 7.5 MiB-inflating bodies (a measurement, not a test).
MEMLOAD_ARGS ?=
memload: ## measure serve's RSS under 50 concurrent compressed 7.5 MiB bodies (docs/security.md)
	$(GO) build -o $(BUILD_DIR)/switchboard ./cmd/switchboard
	$(GO) run ./tests/memload -bin $(BUILD_DIR)/switchboard $(MEMLOAD_ARGS)

# Whether an anonymous code request's time tells a known email from an unknown one (a
# measurement, not a test): 300 + 300 interleaved requests to the embedded demo over
# HTTP, a threshold classifier trained on half and tested on the other half.
ORACLE_ARGS ?=
oracle: ## measure the account-existence timing oracle of code requests (docs/identity.md)
	$(GO) run ./tests/oracle $(ORACLE_ARGS)

# Every Fuzz target in the module (found with grep: `go test -list` would compile every
# package's tests, infra included), one after another; logs in build/fuzz/. A target that
# fails is reported and the others still run; the target exits non-zero if any failed.
# The table keeps each target's last "fuzz: elapsed: …, execs: N (N/sec), new
# interesting: N" line; execs/s is the run's average, and "idle" counts the ~3 s
# progress windows in which the exec counter did not move (minimising, or stuck).
FUZZ_LOGS := $(BUILD_DIR)/fuzz
fuzz: ## run every fuzz target for $(FUZZTIME) each (minimising an input at most $(FUZZMINTIME)), then a table of execs per target
	@rm -rf $(FUZZ_LOGS); mkdir -p $(FUZZ_LOGS); failed=0; \
	targets=$$(grep -rEo --include='*_test.go' --exclude-dir=testdata --exclude-dir=node_modules --exclude-dir=cdk.out \
	    '^func Fuzz[A-Za-z0-9_]*' shared cmd functions tests infra events 2>/dev/null | \
	  sed -E 's|^(.*)/[^/]*_test\.go:func |\1 |' | sort -u | grep -E -- '$(FUZZONLY)' || true); \
	if [ -z "$$targets" ]; then echo "fuzz: no Fuzz targets found" >&2; exit 1; fi; \
	while read -r dir fn; do \
	  log=$(FUZZ_LOGS)/$$(echo "$$dir" | tr / .).$$fn.log; \
	  echo "== fuzz ./$$dir $$fn ($(FUZZTIME), minimise ≤ $(FUZZMINTIME))"; \
	  if $(GO) test -run '^$$' -fuzz "^$$fn\$$" -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINTIME) \
	      $(if $(FUZZPARALLEL),-parallel $(FUZZPARALLEL)) ./$$dir </dev/null 2>&1 | tee "$$log"; then \
	    echo "$$dir $$fn ok" >>$(FUZZ_LOGS)/results; \
	  else \
	    echo "$$dir $$fn FAIL" >>$(FUZZ_LOGS)/results; failed=$$((failed+1)); \
	  fi; \
	done <<<"$$targets"; \
	{ printf '\n%-36s %-24s %-6s %8s %12s %9s %12s %s\n' package target result elapsed execs execs/s interesting idle; \
	  while read -r dir fn res; do \
	    awk -v pkg="./$$dir" -v fn="$$fn" -v res="$$res" ' \
	      function secs(d,  m) { m = 0; if (d ~ /m/) { m = substr(d, 1, index(d, "m") - 1); d = substr(d, index(d, "m") + 1) } \
	        sub(/s$$/, "", d); return m * 60 + d } \
	      /^fuzz: elapsed: .*execs: / { \
	        e = $$3; sub(/,$$/, "", e); el = secs(e); x = $$5 + 0; \
	        ni = $$0; sub(/.*new interesting: /, "", ni); sub(/ .*/, "", ni); \
	        if (el - pel >= 2) { windows++; if (x == prev) idle++ } \
	        n++; prev = x; pel = el; execs = x; elapsed = el; interesting = ni } \
	      /Failing input written to / { crash = $$0; sub(/.*Failing input written to /, "", crash) } \
	      END { rate = elapsed > 0 ? execs / elapsed : 0; \
	        printf "%-36s %-24s %-6s %7ds %12d %9d %12s %3d/%d\n", pkg, fn, res, elapsed, execs, rate, (n ? interesting : "-"), idle, windows; \
	        if (crash != "") printf "    crasher: %s/%s\n", substr(pkg, 3), crash }' \
	      "$(FUZZ_LOGS)/$$(echo "$$dir" | tr / .).$$fn.log"; \
	  done <$(FUZZ_LOGS)/results; } | tee $(FUZZ_LOGS)/summary.txt; \
	if [ "$$failed" -ne 0 ]; then echo "fuzz: $$failed target(s) failed (logs in $(FUZZ_LOGS))" >&2; exit 1; fi

tools: tool-stripe-mock tool-rie tool-postgres tool-moto tool-cfn-lint tool-prism tool-chromium ## install what the tests need (Go tools into .cache/bin, Prism into _tools)

tool-stripe-mock:
	@test -x $(TOOLS)/stripe-mock || GOBIN=$(TOOLS) $(GO) install github.com/stripe/stripe-mock@$(STRIPE_MOCK_VERSION)

tool-rie:
	@test -x $(TOOLS)/aws-lambda-rie || GOBIN=$(TOOLS) $(GO) install github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@$(RIE_VERSION)

tool-postgres: ## PostgreSQL server binaries from Debian's packages, when absent
	@if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null; then :; \
	elif command -v apt-get >/dev/null; then \
	  echo "installing PostgreSQL from Debian packages"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq postgresql >/dev/null; \
	else echo "apt-get unavailable: PostgreSQL tests will be skipped"; fi

tool-chromium: ## headless Chromium from Debian's packages (the console's browser test), when absent
	@if command -v chromium >/dev/null || command -v chromium-browser >/dev/null; then :; \
	elif command -v apt-get >/dev/null; then \
	  echo "installing Chromium from Debian packages"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; \
	else echo "apt-get unavailable: the console's browser test will be skipped"; fi

tool-moto: ## moto_server comes with the machine's Python (moto 5.2.1)
	@command -v moto_server >/dev/null || { \
	  echo "moto_server not found: install moto[server]==5.2.1 with pip"; \
	  if [ -n "$${CI:-}" ]; then exit 1; fi; }

# Stoplight Prism (@stoplight/prism-cli, pinned in _tools/package-lock.json): the
# connectors' OpenAPI tests run it as a validating proxy in front of the HubSpot and
# Zendesk stand-ins (docs/connectors/openapi.md). `npm ci` installs the whole lock file;
# npm's download cache stays in .cache/npm.
PRISM       := $(ROOT)/_tools/node_modules/.bin/prism
tool-prism: ## Stoplight Prism pinned in _tools/ (npm ci), for the OpenAPI tests of the connectors
	@test -x $(PRISM) || { command -v npm >/dev/null || { \
	    echo "npm not found: the OpenAPI tests need Node.js for Stoplight Prism (see README)"; \
	    if [ -n "$${CI:-}" ]; then exit 1; fi; exit 0; }; \
	  npm_config_cache=$(ROOT)/.cache/npm npm --prefix _tools ci --no-audit --no-fund; }

tool-cfn-lint: ## cfn-lint comes with the machine's Python; TestCfnLint lints the synthesized templates
	@command -v cfn-lint >/dev/null || { \
	  echo "cfn-lint not found: install it with pip"; \
	  if [ -n "$${CI:-}" ]; then exit 1; fi; }

clean: ## remove build output and the local data dir (keeps caches)
	rm -rf $(BUILD_DIR) cdk.out .switchboard
