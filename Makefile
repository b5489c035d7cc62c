# Makefile: the one entry point of the project.
#
#   make deps    install the Debian packages that are missing (apt-get);
#                `make run` installs only what building and running need
#   make all     (the default) install what building needs if it is missing,
#                then build libotel-lite, the services, the tools, the tests
#                and the benchmarks into build/
#   make run     build, then run the four services and the local viewer
#   make test    deps + all + every unit and integration test
#   make bench   build and run the benchmarks (they print figures)
#   make tsan    the unit and concurrency tests under ThreadSanitizer
#   make soak    minutes of load while the collector restarts: RSS and fds
#   make clean   remove build/, build-asan/, build-tsan/ and build-fuzz/
#   make install [PREFIX=/usr/local] [DESTDIR=]   libotel-lite's headers
#                (include/otel/), libotel-lite.a, libotel-lite.so and
#                otel-lite.pc for pkg-config (libotel-lite/module.mk);
#                make uninstall removes them
#
# The workshop (workshop/README.md; the engine is workshop/engine/):
#   make workshop-start        the participant's starting point (TODOs)
#   make solution N=k          the state at the end of section k
#                              (WITHOUT=k.m: without that step)
#   make check-section N=k     build, run, and judge section k step by step
#   make workshop-run          make run, rebuilt and restarted on every save
#   make workshop-status       every section's check, one line each
#   make workshop-doctor       what is missing before you start
#   make workshop-reset        back to the finished, marked source
#   make workshop-screenshots  the viewer pages' pictures in the text
# start, solution and reset never replace your edits unless FORCE=1, and
# then save them under .workshop/saved/ first.
#
# SANITIZE=1 builds into build-asan/ with AddressSanitizer +
# UndefinedBehaviorSanitizer (`make test SANITIZE=1`).
# `make tsan` builds the library and the unit tests (the concurrency tests
# among them) into build-tsan/ with ThreadSanitizer and runs them.
#
#   make fuzz    the libFuzzer targets of fuzz/ (clang, ASan+UBSan, into
#                build-fuzz/), each for FUZZ_SECONDS (30); prints execs/s.
#                `make test` replays their corpora with the plain build
#
# Each component folder may hold a module.mk that adds its own programs and
# tests to ALL_BINS, BUILD_ONLY_BINS, TEST_BINS, TEST_SCRIPTS and BENCH_BINS; everything else
# (library sources, protos, unit tests, benchmarks) is found by wildcard.

SANITIZE ?= 0
FUZZ ?= 0
ifeq ($(FUZZ),1)
# `make fuzz` builds with clang's libFuzzer and ASan+UBSan into build-fuzz/
# (fuzz/module.mk, fuzz/README.md)
BUILD ?= build-fuzz
CC := clang
SAN_FLAGS := -fsanitize=address,undefined,fuzzer-no-link -fno-omit-frame-pointer -fno-sanitize-recover=undefined
OPT ?= -O1
else ifeq ($(SANITIZE),1)
BUILD ?= build-asan
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
OPT ?= -O1
else ifeq ($(SANITIZE),thread)
BUILD ?= build-tsan
SAN_FLAGS := -fsanitize=thread -fno-omit-frame-pointer
OPT ?= -O1
else
BUILD ?= build
SAN_FLAGS :=
OPT ?= -O2
endif

CC ?= cc
PKGS := libcurl libprotobuf-c libcjson zlib
CFLAGS ?= $(OPT) -g
CFLAGS += -std=c11 -Wall -Wextra -Werror -pthread $(SAN_FLAGS)
CPPFLAGS += -D_GNU_SOURCE -Ilibotel-lite/include -I$(BUILD)/gen \
            $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDFLAGS += -pthread $(SAN_FLAGS)
# gRPC C core: -lgrpc -lgpr is enough to link dynamically (its .pc file lists
# every abseil library); civetweb ships no pkg-config file.
OTEL_LDLIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lgrpc -lgpr -lcivetweb -lm

LIBOTEL := $(BUILD)/lib/libotel-lite.a
# The library's sources, in libotel-lite/src/ and its folders by layer
# (docs/internals/). Its internal headers are found by name (#include
# "otlp_client.h") by the library's own sources and by the tests and
# benchmarks that reach inside it: every source folder is on their include
# path; nothing else (services, tools) sees them.
LIB_DIRS := libotel-lite/src libotel-lite/src/* libotel-lite/src/*/*
LIB_SRCS := $(wildcard $(addsuffix /*.c,$(LIB_DIRS)))
LIB_HDRS := $(wildcard $(addsuffix /*.h,$(LIB_DIRS)))
LIB_INTERNAL_INCLUDES := $(patsubst %/,-I%,$(sort $(dir $(LIB_SRCS) $(LIB_HDRS))))
$(BUILD)/obj/libotel-lite/%.o $(BUILD)/obj/tests/%.o $(BUILD)/obj/bench/%.o: CPPFLAGS += $(LIB_INTERNAL_INCLUDES)

# ---- protobuf-c code, generated into $(BUILD)/gen -------------------------
PROTO_DIR := libotel-lite/proto
PROTOS := $(shell find $(PROTO_DIR) -name '*.proto' | sort)
PROTO_C := $(patsubst $(PROTO_DIR)/%.proto,$(BUILD)/gen/%.pb-c.c,$(PROTOS))
PROTO_H := $(PROTO_C:.c=.h)
PROTO_STAMP := $(BUILD)/gen/.stamp

$(PROTO_STAMP): $(PROTOS)
	@mkdir -p $(BUILD)/gen
	protoc-c --proto_path=$(PROTO_DIR) --c_out=$(BUILD)/gen $(PROTOS)
	@touch $@

$(PROTO_C) $(PROTO_H): $(PROTO_STAMP)

# ---- libotel-lite ----------------------------------------------------------
PROTO_OBJS := $(patsubst $(BUILD)/gen/%.c,$(BUILD)/obj/gen/%.o,$(PROTO_C))
LIB_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(LIB_SRCS)) $(PROTO_OBJS)

$(BUILD)/obj/%.o: %.c $(PROTO_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/obj/gen/%.o: $(BUILD)/gen/%.c $(PROTO_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(LIBOTEL): $(LIB_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^

# The OTLP protobuf-c types alone (also inside $(LIBOTEL)), for programs
# that only receive and decode OTLP: the viewer links this, not the SDK.
OTLP_PROTO_LIB := $(BUILD)/lib/libotlp-proto.a

$(OTLP_PROTO_LIB): $(PROTO_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^

# servicekit (the services' HTTP plumbing) comes first: later rules use
# its object list, and prerequisites are expanded where a rule is read.
ALL_BINS :=
# built by `make` and `make test` but not needed by `make run` (fuzz corpus
# replays, the shared library): a participant's first `make run` skips them
BUILD_ONLY_BINS :=
TEST_BINS :=
include servicekit/module.mk

# ---- unit tests (cmocka): tests/unit/test_*.c, one program each -----------
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,$(UNIT_SRCS))
CMOCKA_LIBS := $(shell pkg-config --libs cmocka 2>/dev/null)

$(BUILD)/tests/unit/%: $(BUILD)/obj/tests/unit/%.o $(LIBOTEL)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $< $(LIBOTEL) $(CMOCKA_LIBS) $(OTEL_LDLIBS) -o $@

# ---- integration tests: tests/integration/*.c programs and *.sh scripts ---
INTEG_SRCS := $(wildcard tests/integration/*.c)
INTEG_BINS := $(patsubst tests/integration/%.c,$(BUILD)/tests/integration/%,$(INTEG_SRCS))

$(BUILD)/tests/integration/%: $(BUILD)/obj/tests/integration/%.o $(LIBOTEL)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $< $(LIBOTEL) $(CMOCKA_LIBS) $(OTEL_LDLIBS) -o $@

# ---- benchmarks: bench/*.c, one program each (bench_*.c run by `make
# bench`, the others are helpers of bench/*.sh scripts, which run too) ------
BENCH_SRCS := $(wildcard bench/*.c)
BENCH_BINS := $(patsubst bench/%.c,$(BUILD)/bench/%,$(BENCH_SRCS))
BENCH_RUN := $(filter $(BUILD)/bench/bench_%,$(BENCH_BINS)) \
             $(filter-out bench/soak.sh,$(sort $(wildcard bench/*.sh)))

$(BUILD)/bench/%: $(BUILD)/obj/bench/%.o $(LIBOTEL) $(SVC_KIT_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $< $(LIBOTEL) $(SVC_KIT_OBJS) $(OTEL_LDLIBS) -o $@

# ---- component folders (services, tools) add themselves here --------------
TEST_BINS += $(UNIT_BINS) $(INTEG_BINS)
TEST_SCRIPTS := $(sort $(wildcard tests/integration/*.sh))
ifeq ($(SANITIZE),1)
# plain builds of the Docker stages and images: nothing for the sanitizers
# to add (docker_images.sh already ran in the plain pass)
TEST_SCRIPTS := $(filter-out %/docker_build_stages.sh %/docker_images.sh,$(TEST_SCRIPTS))
endif
include $(filter-out servicekit/module.mk,$(sort $(wildcard */module.mk)))

# ---- top-level targets -----------------------------------------------------
.PHONY: all build-all deps test unit-test tsan bench soak run clean \
        workshop-start solution workshop-reset check-section workshop-run workshop-status workshop-doctor \
        workshop-screenshots
.SECONDARY:
.DEFAULT_GOAL := all

# The build runs in a second make so that pkg-config answers are taken after
# deps.sh has installed what was missing (a fresh machine has no protoc-c).
all:
	@scripts/deps.sh build
	@$(MAKE) --no-print-directory build-all

build-all: $(LIBOTEL) $(ALL_BINS) $(BUILD_ONLY_BINS) $(TEST_BINS) $(BENCH_BINS)

deps:
	@scripts/deps.sh

# `make test` installs what is missing first, then builds in a second make so
# that pkg-config answers are taken after the install.
test: deps
	@$(MAKE) --no-print-directory build-all
	@BUILD=$(BUILD) scripts/run-tests.sh $(TEST_BINS) $(TEST_SCRIPTS)

unit-test: $(UNIT_BINS)
	@BUILD=$(BUILD) scripts/run-tests.sh $(UNIT_BINS)

# ThreadSanitizer: the unit tests (shutdown races, totals across threads,
# the batch processors' rings) in build-tsan/. halt_on_error: a race fails
# the test that found it.
tsan:
	@scripts/deps.sh test
	@TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$(CURDIR)/.ci/tsan.supp $(TSAN_OPTIONS)" \
	  $(MAKE) --no-print-directory SANITIZE=thread unit-test

run:
	@scripts/deps.sh run
	@$(MAKE) --no-print-directory $(LIBOTEL) $(ALL_BINS)
	@BUILD=$(BUILD) scripts/run.sh

bench: deps
	@$(MAKE) --no-print-directory $(BENCH_BINS) $(ALL_BINS)
	@set -e; for b in $(BENCH_RUN); do echo "== $$b"; BUILD=$(BUILD) $$b; done

# minutes (SOAK_SECONDS, default 300): memory and fds under load while the
# collector restarts (bench/soak.sh); not in `make bench` nor in CI
soak: all
	BUILD=$(BUILD) bench/soak.sh

clean:
	rm -rf build build-asan build-tsan build-fuzz

# ---- the workshop ----------------------------------------------------------
# The engine is Python (Debian's python3); the watch mode uses inotify-tools.
WORKSHOP := /usr/bin/python3 workshop/engine/workshop.py --build $(BUILD)
WORKSHOP_FORCE := $(if $(filter 1 yes true,$(FORCE)),--force)
WORKSHOP_DEPS := EXTRA_DEB_PACKAGES=python3 scripts/deps.sh

workshop-start:
	@$(WORKSHOP_DEPS) run
	@$(WORKSHOP) start $(WORKSHOP_FORCE)

solution:
	@test -n "$(N)" || { echo "make solution: say which section, e.g. make solution N=2 (sections 0-4)" >&2; exit 2; }
	@$(WORKSHOP_DEPS) run
	@$(WORKSHOP) solution $(N) $(if $(WITHOUT),--without $(WITHOUT)) $(WORKSHOP_FORCE)

workshop-reset:
	@$(WORKSHOP_DEPS) run
	@$(WORKSHOP) reset $(WORKSHOP_FORCE)

check-section:
	@test -n "$(N)" || { echo "make check-section: say which section, e.g. make check-section N=0 (sections 0-4)" >&2; exit 2; }
	@$(WORKSHOP_DEPS) run
	@$(WORKSHOP) check $(N)

workshop-status:
	@$(WORKSHOP_DEPS) run
	@$(WORKSHOP) status

workshop-run:
	@$(WORKSHOP_DEPS) run
	@EXTRA_DEB_PACKAGES=inotify-tools scripts/deps.sh run || echo "workshop-run: no inotify-tools; watching by polling"
	@$(MAKE) --no-print-directory $(LIBOTEL) $(ALL_BINS)
	@$(WORKSHOP) run

# The pictures of the viewer's pages in the workshop text (headless Chromium, the real app).
workshop-screenshots:
	@EXTRA_DEB_PACKAGES="python3 chromium" scripts/deps.sh run
	@$(MAKE) --no-print-directory $(LIBOTEL) $(ALL_BINS)
	@$(WORKSHOP) screenshots

workshop-doctor:
	@test -x /usr/bin/python3 || { echo "workshop-doctor: python3 is missing: apt-get install python3" >&2; exit 1; }
	@$(WORKSHOP) doctor

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
