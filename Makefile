# Logbox: the two commands of the README, and the set-up they share.
#   make run   builds logbox and runs the collector daemon on the default pipeline
#              (Pipelines/default.yaml: tails Samples/*.log, syslog on 127.0.0.1:5514, data in ./data)
#   make test  runs the whole test suite
# Both first install what is missing on a Debian machine with Swift.

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Debian packages the build needs, checked by the command that shows each is present.
C_LIBRARIES := pkg-config zlib1g-dev liblz4-dev libzstd-dev libpcre2-dev
# Real programs the tests talk to: rsyslogd forwards to the daemon, logger (util-linux, in
# Debian's bsdutils) sends it syslog messages.
TEST_PROGRAMS := rsyslog bsdutils

.PHONY: run test deps test-deps build samples

deps:
	@if ! command -v pkg-config >/dev/null 2>&1 || ! pkg-config --exists zlib liblz4 libzstd libpcre2-8; then \
		echo "installing $(C_LIBRARIES)"; \
		$(SUDO) apt-get update && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y $(C_LIBRARIES); \
	fi

test-deps: deps
	@if ! command -v rsyslogd >/dev/null 2>&1 || ! command -v logger >/dev/null 2>&1; then \
		echo "installing $(TEST_PROGRAMS)"; \
		$(SUDO) apt-get update && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y $(TEST_PROGRAMS); \
	fi

build: deps
	swift build -c release --product logbox

run: build
	.build/release/logbox run --config Pipelines/default.yaml

# One test at a time: the daemon tests start real processes and wait for them against the clock,
# and on a 2-core machine CPU-bound tests running beside them starve those waits (Swift's
# concurrency pool has one thread per core). Serial, the suite takes about 3 minutes.
test: test-deps
	swift test --no-parallel

# Regenerates Samples/ (the committed files are this command's output).
samples: build
	.build/release/logbox sample --out Samples --seed 1
