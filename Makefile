# Logbox: the two commands of the README, and the set-up they share.
#   make run   builds logbox and runs the main job on the default inputs (Samples/)
#   make test  runs the whole test suite
# Both first install what is missing on a Debian machine with Swift.

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Debian packages the build and the tests need, checked by the command that shows each is present.
C_LIBRARIES := pkg-config zlib1g-dev liblz4-dev libpcre2-dev

.PHONY: run test deps build samples

deps:
	@if ! command -v pkg-config >/dev/null 2>&1 || ! pkg-config --exists zlib liblz4 libpcre2-8; then \
		echo "installing $(C_LIBRARIES)"; \
		$(SUDO) apt-get update && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y $(C_LIBRARIES); \
	fi

build: deps
	swift build -c release --product logbox

run: build
	.build/release/logbox parse Samples/auth.log Samples/nginx_access.log Samples/app.jsonl Samples/syslog5424.log Samples/app.logfmt

test: deps
	swift test

# Regenerates Samples/ (the committed files are this command's output).
samples: build
	.build/release/logbox sample --out Samples --seed 1
