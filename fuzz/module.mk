# fuzz/module.mk: the fuzz targets (fuzz/fuzz_<target>.c, one file each;
# fuzz/README.md). Included by the top-level Makefile.
#
# Every target is built twice:
#   $(BUILD)/fuzz/replay_<target>  with standalone_main.c and the plain
#       compiler (ASan+UBSan with SANITIZE=1): part of `make`; `make test`
#       replays fuzz/corpus/<target> and fuzz/regressions/<target> with it
#       (fuzz/replay_corpora.sh), so that needs no clang
#   build-fuzz/fuzz/fuzz_<target>  with clang's libFuzzer and ASan+UBSan
#       (`make fuzz`, FUZZ=1): fuzz/run.sh runs each for FUZZ_SECONDS
#
# The object lists are made here from the sources (this file is read
# before the services' and tools' module.mk files).

FUZZ_TARGETS := $(patsubst fuzz/fuzz_%.c,%,$(sort $(wildcard fuzz/fuzz_*.c)))
FUZZ_VIEWER_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(filter-out %/main.c,$(wildcard tools/otel-viewer/*.c)))
FUZZ_ISS_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(filter-out %/main.c,$(wildcard iss-distance-service/src/*.c)))

# what each target links besides libotel-lite
fuzz_objs_query_params := $(SVC_KIT_OBJS) $(BUILD)/obj/iss-distance-service/src/coords.o
fuzz_objs_tle := $(FUZZ_ISS_OBJS)
fuzz_libs_tle := $(shell pkg-config --libs proj 2>/dev/null)
fuzz_objs_otlp_protobuf := $(FUZZ_VIEWER_OBJS)
fuzz_objs_otlp_json := $(FUZZ_VIEWER_OBJS)
# the viewer's objects include its TLS front (OpenSSL)
fuzz_libs_otlp_protobuf := -lssl -lcrypto
fuzz_libs_otlp_json := -lssl -lcrypto

define FUZZ_TARGET_RULES
$(BUILD)/fuzz/replay_$(1): $(BUILD)/obj/fuzz/fuzz_$(1).o $(BUILD)/obj/fuzz/standalone_main.o $(fuzz_objs_$(1)) $(LIBOTEL)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(LDFLAGS) $$^ $$(OTEL_LDLIBS) $(fuzz_libs_$(1)) -o $$@

$(BUILD)/fuzz/fuzz_$(1): $(BUILD)/obj/fuzz/fuzz_$(1).o $(fuzz_objs_$(1)) $(LIBOTEL)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(LDFLAGS) -fsanitize=fuzzer $$^ $$(OTEL_LDLIBS) $(fuzz_libs_$(1)) -o $$@
endef
$(foreach t,$(FUZZ_TARGETS),$(eval $(call FUZZ_TARGET_RULES,$(t))))

FUZZ_REPLAYS := $(patsubst %,$(BUILD)/fuzz/replay_%,$(FUZZ_TARGETS))
FUZZ_BINS := $(patsubst %,$(BUILD)/fuzz/fuzz_%,$(FUZZ_TARGETS))
ifneq ($(FUZZ),1)
BUILD_ONLY_BINS += $(FUZZ_REPLAYS)
TEST_SCRIPTS += fuzz/replay_corpora.sh
endif

# make fuzz [FUZZ_SECONDS=30]: each target for that long, execs/s printed.
FUZZ_SECONDS ?= 30
.PHONY: fuzz fuzz-build
fuzz:
	@scripts/deps.sh fuzz
	@$(MAKE) --no-print-directory FUZZ=1 fuzz-build
	@FUZZ_SECONDS=$(FUZZ_SECONDS) fuzz/run.sh build-fuzz $(FUZZ_TARGETS)

fuzz-build: $(FUZZ_BINS)

# make fuzz-seeds: writes the seed corpora again (fuzz/make_seeds.c).
.PHONY: fuzz-seeds
$(BUILD)/fuzz/make_seeds: $(BUILD)/obj/fuzz/make_seeds.o $(FUZZ_VIEWER_OBJS) $(LIBOTEL)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $^ $(OTEL_LDLIBS) -lssl -lcrypto -o $@

fuzz-seeds: $(BUILD)/fuzz/make_seeds
	$(BUILD)/fuzz/make_seeds
