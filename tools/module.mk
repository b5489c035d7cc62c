# tools/module.mk: otel-viewer, the local OTLP receiver and terminal viewer
# (tools/otel-viewer/*.c), and its tests. Included by the top-level Makefile.
#
# For `make run`: start it in the foreground with $(OTEL_VIEWER_RUN)
# (default ports 4317 gRPC, 4318 HTTP on 127.0.0.1); `make run-viewer` runs
# it alone. See tools/otel-viewer/README.md for the options.

VIEWER_DIR := tools/otel-viewer
VIEWER_SRCS := $(wildcard $(VIEWER_DIR)/*.c)
VIEWER_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(VIEWER_SRCS))
# everything but main(), for the unit tests of the pure parts
VIEWER_CORE_OBJS := $(filter-out %/main.o,$(VIEWER_OBJS))
OTEL_VIEWER := $(BUILD)/bin/otel-viewer
OTEL_VIEWER_RUN := $(OTEL_VIEWER) --jsonl $(BUILD)/telemetry.jsonl

# The viewer uses nothing of the SDK: it links the generated protobuf-c
# types ($(OTLP_PROTO_LIB)) and the libraries it calls itself (gRPC's
# server, civetweb, cJSON, zlib for gzip bodies, OpenSSL for TLS in front of
# the HTTP port: tls_front.c).
VIEWER_LDLIBS := $(shell pkg-config --libs libprotobuf-c libcjson zlib 2>/dev/null) -lgrpc -lgpr -lcivetweb -lssl -lcrypto -lm

$(OTEL_VIEWER): $(VIEWER_OBJS) $(OTLP_PROTO_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $(VIEWER_OBJS) $(OTLP_PROTO_LIB) $(VIEWER_LDLIBS) -o $@

ALL_BINS += $(OTEL_VIEWER)

# Unit tests of the viewer's pure parts live next to it (not in tests/unit,
# whose rule links only $(LIBOTEL)); they also link the viewer's objects.
VIEWER_TEST_SRCS := $(wildcard $(VIEWER_DIR)/tests/test_*.c)
VIEWER_TEST_BINS := $(patsubst $(VIEWER_DIR)/tests/%.c,$(BUILD)/tests/tools/%,$(VIEWER_TEST_SRCS))

$(BUILD)/tests/tools/%: $(BUILD)/obj/$(VIEWER_DIR)/tests/%.o $(VIEWER_CORE_OBJS) $(OTLP_PROTO_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $< $(VIEWER_CORE_OBJS) $(OTLP_PROTO_LIB) $(CMOCKA_LIBS) $(VIEWER_LDLIBS) -o $@

TEST_BINS += $(VIEWER_TEST_BINS)

# The integration tests start the real binary.
$(BUILD)/tests/integration/test_otel_viewer: $(OTEL_VIEWER)
$(BUILD)/tests/integration/test_viewer_hostile_bodies: $(OTEL_VIEWER)

.PHONY: run-viewer
run-viewer: $(OTEL_VIEWER)
	$(OTEL_VIEWER_RUN)

# The viewer's ingest benchmark links the viewer's objects (the generic
# bench rule links only the library).
$(BUILD)/bench/bench_viewer_ingest: $(BUILD)/obj/bench/bench_viewer_ingest.o $(VIEWER_CORE_OBJS) $(OTLP_PROTO_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $< $(VIEWER_CORE_OBJS) $(OTLP_PROTO_LIB) $(VIEWER_LDLIBS) -o $@

$(BUILD)/bench/bench_viewer_decode: $(BUILD)/obj/bench/bench_viewer_decode.o $(VIEWER_CORE_OBJS) $(OTLP_PROTO_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $< $(VIEWER_CORE_OBJS) $(OTLP_PROTO_LIB) $(VIEWER_LDLIBS) -o $@

$(BUILD)/bench/bench_viewer_pages: $(BUILD)/obj/bench/bench_viewer_pages.o $(VIEWER_CORE_OBJS) $(OTLP_PROTO_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $< $(VIEWER_CORE_OBJS) $(OTLP_PROTO_LIB) $(VIEWER_LDLIBS) -o $@

# Zero-code instrumentation (otel-instrument and its agent) has its own file.
include tools/otel-instrument/module.mk
