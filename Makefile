# cmdr — plain make + pkg-config. `make help` lists the targets.
VERSION = 0.1.0
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man/man1
DATADIR ?= $(PREFIX)/share/cmdr
DESTDIR ?=

CC ?= cc
PKG_CONFIG ?= pkg-config

# pkg-config module : Debian package that provides it
DEPS_LIBS = ncursesw:libncurses-dev libcurl:libcurl4-openssl-dev libcjson:libcjson-dev \
	    libpcre2-8:libpcre2-dev libcrypto:libssl-dev md4c:libmd4c-dev libpq:libpq-dev
# command : Debian package (tools the build and the tests run)
DEPS_TOOLS = pkg-config:pkg-config
# what the tests and fuzzers run besides
TEST_TOOLS = tmux:tmux jq:jq clang:clang python3:python3 curl:curl prometheus:prometheus \
	     promtool:prometheus openssl:openssl haproxy:haproxy htop:htop valgrind:valgrind \
	     cmark-gfm:cmark-gfm prometheus-alertmanager:prometheus-alertmanager \
	     pg_virtualenv:postgresql

CORE_PKGS = libcurl libcjson libpcre2-8 libcrypto md4c libpq
TUI_PKGS = ncursesw

ifeq ($(SAN),1)
BUILD ?= build-san
OPT = -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDSAN = -fsanitize=address,undefined
else
BUILD ?= build
OPT = -O2 -g
LDSAN =
endif

WARN = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2
ifeq ($(CI),true)
WARN += -Werror
endif

CPPFLAGS += -D_GNU_SOURCE -DCMDR_VERSION='"$(VERSION)"' -DCMDR_DATADIR='"$(DATADIR)"'
CORE_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(CORE_PKGS) 2>/dev/null)
TUI_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(TUI_PKGS) 2>/dev/null)
# libcurl's headers only: core/io/curlfn.c loads it when a request needs it.
# libcrypto from its archive where there is one (Debian's libssl-dev has
# it): cmdr takes SHA-256 and base64 from it, some 30 KB of code, while
# mapping and relocating the shared library costs every run 1.3 MB of
# private memory (make bench, USS). Elsewhere the shared library serves.
CRYPTO_A := $(shell $(CC) -print-file-name=libcrypto.a)
ifeq ($(CRYPTO_A),libcrypto.a)
CRYPTO_LIBS = $(shell $(PKG_CONFIG) --libs libcrypto 2>/dev/null)
else
CRYPTO_LIBS = $(CRYPTO_A) -pthread
endif
# No libm: core/base/numeric.c rounds, which is all cmdr took from it, and
# mapping libm costs a run some 350 KB of private memory (its IFUNC
# resolvers touch most of its code at start-up; make bench, USS). A test
# may use it.
CORE_LIBS = $(shell $(PKG_CONFIG) --libs $(filter-out libcurl libcrypto,$(CORE_PKGS)) 2>/dev/null) $(CRYPTO_LIBS) -ldl -lm
TEST_LIBS = $(CORE_LIBS)
# Relative relocations packed (DT_RELR) where the linker and C library
# have them: the loader then reads 0.6 KB of them instead of 28 KB, which
# makes cmdr's first mapping 5 pages instead of 11 (make bench, USS).
LD_RELR := $(shell printf 'int main(void) { return 0; }\n' | \
	$(CC) -x c -o /dev/null -Wl,-z,pack-relative-relocs - 2>/dev/null && echo -Wl,-z,pack-relative-relocs)
TUI_LIBS = $(shell $(PKG_CONFIG) --libs $(TUI_PKGS) 2>/dev/null)
# Each object's header dependencies, written by the compiler beside it.
DEPFLAGS = -MMD -MP -MF $@.d
CFLAGS_ALL = -std=c11 $(OPT) $(WARN) $(CPPFLAGS) $(CFLAGS) $(DEPFLAGS)

# core/ is one room a folder (core/README.md); every room's folder is on
# the include path, so an include names a header, never a path.
CORE_SRC = $(sort $(wildcard core/*/*.c))
CORE_INC = $(addprefix -I,$(sort $(dir $(wildcard core/*/*.h core/*/*.c))))
CLI_SRC = $(sort $(wildcard cli/*.c))
TUI_SRC = $(sort $(wildcard tui/*.c))
UNIT_SRC = $(sort $(wildcard tests/unit/test_*.c))
# What the unit tests share (a stub server): every other file there, in an
# archive each test links, taking what it uses.
UNIT_HELP_SRC = $(filter-out $(UNIT_SRC),$(sort $(wildcard tests/unit/*.c)))
UNIT_HELP_LIB = $(BUILD)/tests/libunithelp.a
CORE_OBJ = $(CORE_SRC:%.c=$(BUILD)/%.o)
TUI_OBJ = $(TUI_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ = $(CLI_SRC:%.c=$(BUILD)/%.o)
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
TOOL_BIN = $(BUILD)/tests/ptyrun $(BUILD)/tests/journal_bench $(BUILD)/tests/runbook_bench $(BUILD)/tests/burn_bench \
	   $(BUILD)/tests/rss_floor $(BUILD)/tests/journal_writers
FUZZ_SRC = $(sort $(wildcard tests/fuzz/fuzz_*.c))
# What the fuzz targets share (tests/fuzz/fuzz_text.h): each target and
# its replay is built again when it changes.
FUZZ_HDR = $(wildcard tests/fuzz/*.h)
REPLAY_BIN = $(FUZZ_SRC:tests/fuzz/fuzz_%.c=$(BUILD)/tests/replay_%)
SOAK_BIN = $(BUILD)/tests/journal_fill

BIN = $(BUILD)/cmdr
CORE_LIB = $(BUILD)/libcmdrcore.a

.PHONY: all deps deps-test demo check bench soak install uninstall clean help fuzz man

all: $(BIN)

help:
	@echo "make deps | deps-test | all | demo | check [SAN=1] | bench | soak | fuzz | man | install | uninstall | clean"

$(BUILD)/core/%.o: core/%.c $(BUILD)/core/%.o.d
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(CORE_CFLAGS) $(CORE_INC) -c -o $@ $<

$(BUILD)/cli/%.o: cli/%.c $(BUILD)/cli/%.o.d
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(CORE_CFLAGS) $(CORE_INC) -Icli -c -o $@ $<

$(BUILD)/tui/%.o: tui/%.c $(BUILD)/tui/%.o.d
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(TUI_CFLAGS) $(CORE_CFLAGS) $(CORE_INC) -Icli -c -o $@ $<

$(CORE_LIB): $(CORE_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(BIN): $(CLI_OBJ) $(TUI_OBJ) $(CORE_LIB)
	$(CC) $(LDSAN) $(LD_RELR) $(LDFLAGS) -o $@ $(CLI_OBJ) $(TUI_OBJ) $(CORE_LIB) $(TUI_LIBS) $(CORE_LIBS)

$(BUILD)/tests/unit/%.o: tests/unit/%.c $(BUILD)/tests/unit/%.o.d
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(CORE_CFLAGS) $(CORE_INC) -c -o $@ $<

$(UNIT_HELP_LIB): $(UNIT_HELP_SRC:%.c=$(BUILD)/%.o)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/tests/%: tests/unit/%.c $(UNIT_HELP_LIB) $(CORE_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(CORE_CFLAGS) $(CORE_INC) -o $@ $< $(UNIT_HELP_LIB) $(CORE_LIB) $(LDSAN) $(TEST_LIBS)

# linked with no-as-needed so that it loads every library cmdr does
$(BUILD)/tests/rss_floor: tests/bench/rss_floor.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(CORE_CFLAGS) -o $@ $< -Wl,--no-as-needed $(TUI_LIBS) $(CORE_LIBS)

$(BUILD)/tests/%: tests/bench/%.c $(CORE_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(CORE_CFLAGS) $(CORE_INC) -o $@ $< $(CORE_LIB) $(LDSAN) $(TEST_LIBS)

$(BUILD)/tests/%: tests/soak/%.c $(CORE_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(CORE_CFLAGS) $(CORE_INC) -o $@ $< $(CORE_LIB) $(LDSAN) $(TEST_LIBS)

# Every fuzz target again, without libFuzzer: `make check` replays each seed
# corpus (past crashes included) through its parser in this build.
$(BUILD)/tests/replay_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c $(CORE_LIB) $(FUZZ_HDR)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(CORE_CFLAGS) $(CORE_INC) -o $@ $< tests/fuzz/replay.c $(CORE_LIB) $(LDSAN) $(TEST_LIBS)

$(BUILD)/tests/ptyrun: tests/bench/ptyrun.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -o $@ $< -lutil

# libFuzzer targets, one per parser: build-fuzz/fuzz_NAME runs on the seed
# corpus tests/fuzz/corpus/NAME for FUZZ_TIME seconds each. New inputs are
# kept in build-fuzz/corpus, crashes in build-fuzz/. A crash, once fixed,
# goes into tests/fuzz/corpus/NAME: `make check` replays it from then on.
FUZZ_BIN = $(FUZZ_SRC:tests/fuzz/%.c=build-fuzz/%)
FUZZ_TIME ?= 60
FUZZ_CFLAGS = -std=c11 -O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined $(CPPFLAGS) $(CORE_CFLAGS) $(CORE_INC) $(DEPFLAGS)

fuzz: deps-test

	@$(MAKE) --no-print-directory $(FUZZ_BIN)
	@for f in $(FUZZ_BIN); do \
		name=$${f#build-fuzz/fuzz_}; \
		mkdir -p build-fuzz/corpus/$$name; \
		echo "fuzz: $$name for $(FUZZ_TIME) s"; \
		$$f -max_total_time=$(FUZZ_TIME) -artifact_prefix=build-fuzz/ -print_final_stats=1 \
			build-fuzz/corpus/$$name tests/fuzz/corpus/$$name >build-fuzz/$$name.log 2>&1; \
		rc=$$?; grep -E '^stat::(number_of_executed_units|new_units_added)|ERROR|SUMMARY' build-fuzz/$$name.log; \
		[ $$rc -eq 0 ] || { echo "fuzz: $$name failed, see build-fuzz/$$name.log"; exit 1; }; \
	done

.SECONDARY: $(CORE_SRC:%.c=build-fuzz/%.o)

build-fuzz/core/%.o: core/%.c build-fuzz/core/%.o.d
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -c -o $@ $<

build-fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(CORE_SRC:%.c=build-fuzz/%.o) $(FUZZ_HDR)
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer,address,undefined -o $@ $(filter-out %.h,$^) $(TEST_LIBS)

# Installs only what is missing, through sudo when not root; a no-op when
# everything is present.
deps:
	@missing=""; \
	for pair in $(DEPS_LIBS); do \
		$(PKG_CONFIG) --exists "$${pair%%:*}" 2>/dev/null || missing="$$missing $${pair#*:}"; \
	done; \
	for pair in $(DEPS_TOOLS); do \
		command -v "$${pair%%:*}" >/dev/null 2>&1 || missing="$$missing $${pair#*:}"; \
	done; \
	if [ -z "$$missing" ]; then echo "deps: all present"; exit 0; fi; \
	sudo=""; [ "$$(id -u)" = 0 ] || sudo=sudo; \
	echo "deps: installing$$missing"; \
	$$sudo apt-get update -qq && \
	DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends $$missing

# The tests' tools too, and libFuzzer's runtime, which clang only
# recommends: checked by linking a probe.
deps-test:
	@$(MAKE) --no-print-directory deps DEPS_TOOLS="$(DEPS_TOOLS) $(TEST_TOOLS)"
	@mkdir -p build-fuzz && \
	printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n);\nint LLVMFuzzerTestOneInput(const char *d, unsigned long n) { (void)d; (void)n; return 0; }\n' >build-fuzz/probe.c && \
	if ! clang -fsanitize=fuzzer -o build-fuzz/probe build-fuzz/probe.c 2>/dev/null; then \
		sudo=""; [ "$$(id -u)" = 0 ] || sudo=sudo; \
		echo "deps: installing libclang-rt-14-dev (libFuzzer)"; \
		$$sudo apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends libclang-rt-14-dev; \
	fi

DEMO_SCENARIO ?= drills/friday-1714.json
DEMO_SPEED ?= 10
demo: deps
	@$(MAKE) --no-print-directory all
	@dir=$$(mktemp -d "$${TMPDIR:-/tmp}/cmdr-demo.XXXXXX") && \
	echo "cmdr: drill journal in $$dir" && \
	$(BIN) drill $(DEMO_SCENARIO) --speed $(DEMO_SPEED) -i "$$dir"

check: deps-test
	@$(MAKE) --no-print-directory all $(UNIT_BIN) $(TOOL_BIN) $(REPLAY_BIN)
	@BUILD=$(BUILD) CMDR=$(abspath $(BIN)) sh tests/run.sh

bench: deps-test
	@$(MAKE) --no-print-directory all $(TOOL_BIN)
	@BUILD=$(BUILD) CMDR=$(abspath $(BIN)) sh tests/bench/all.sh

# Several simulated days of a busy drill console at full speed (SOAK_DAYS,
# default 3: about 4 minutes), then a shorter run under valgrind: RSS,
# descriptors and the cost of following the journal must stay flat.
soak: deps-test
	@$(MAKE) --no-print-directory all $(SOAK_BIN)
	@BUILD=$(BUILD) CMDR=$(abspath $(BIN)) sh tests/soak/run.sh

# cmdr.1's key lists, from the binary's key tables (tests/man_keys.sh):
# run after changing a key; tests/cli/docs.sh fails until it is run.
man: all
	@for kind in config scenario; do \
		sh tests/man_keys.sh $(BIN) $$kind >$(BUILD)/keys.roff && \
		awk -v kind="$$kind" -v list=$(BUILD)/keys.roff \
			'index($$0, "\" END " kind " keys") == 3 { while ((getline l < list) > 0) print l; skip = 0 } \
			 !skip { print } index($$0, "\" BEGIN " kind " keys") == 3 { skip = 1 }' \
			cmdr.1 >$(BUILD)/cmdr.1.new && mv $(BUILD)/cmdr.1.new cmdr.1 || exit 1; \
	done
	@echo "cmdr.1: key lists written"

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR) $(DESTDIR)$(DATADIR)/drills
	install -m 755 $(BIN) $(DESTDIR)$(BINDIR)/cmdr
	install -m 644 cmdr.1 $(DESTDIR)$(MANDIR)/cmdr.1
	install -m 644 drills/*.json drills/README.md $(DESTDIR)$(DATADIR)/drills/
	install -m 644 cmdr.example.json $(DESTDIR)$(DATADIR)/
	install -d $(DESTDIR)$(DATADIR)/runbooks
	install -m 644 runbooks/*.md $(DESTDIR)$(DATADIR)/runbooks/

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/cmdr $(DESTDIR)$(MANDIR)/cmdr.1
	rm -rf $(DESTDIR)$(DATADIR)

clean:
	rm -rf build build-san build-fuzz

# An object whose dependency file is missing (a build from before they
# were written) is built again, so that no header change goes unseen.
DEP_FILES = $(CORE_OBJ:%=%.d) $(CLI_OBJ:%=%.d) $(TUI_OBJ:%=%.d) $(UNIT_HELP_SRC:%.c=$(BUILD)/%.o.d) \
	    $(CORE_SRC:%.c=build-fuzz/%.o.d)
$(DEP_FILES):
-include $(wildcard $(DEP_FILES) $(BUILD)/tests/*.d)
