# tools/otel-instrument/module.mk: zero-code instrumentation. Included by
# tools/module.mk (the top-level Makefile includes only */module.mk).
#
#   $(BUILD)/lib/libotel-agent.so   the LD_PRELOAD agent: the wrappers in
#                                   this folder plus its own -fPIC copy of
#                                   libotel-lite ($(BUILD)/pic/...), with
#                                   only the wrappers exported (agent.map)
#   $(BUILD)/bin/otel-instrument    the launcher
#   $(BUILD)/tests/zero-code/zc_app a small civetweb + libcurl program with
#                                   no telemetry code, for the tests
#
# The library's own calls to curl_easy_perform, curl_multi_add_handle,
# _remove_handle, _info_read, mg_start and mg_set_request_handler are renamed to the agent's agent_real_* functions,
# so that the exporter and the instrumentation call the real ones and
# never their own wrappers.

INSTR_DIR := tools/otel-instrument
AGENT_SO := $(BUILD)/lib/libotel-agent.so
OTEL_INSTRUMENT := $(BUILD)/bin/otel-instrument
ZC_APP := $(BUILD)/tests/zero-code/zc_app

AGENT_SRCS := $(filter-out $(INSTR_DIR)/launcher.c,$(wildcard $(INSTR_DIR)/*.c))
AGENT_OBJS := $(patsubst %.c,$(BUILD)/pic/%.o,$(AGENT_SRCS))
AGENT_LIB_OBJS := $(patsubst %.c,$(BUILD)/pic/%.o,$(LIB_SRCS)) \
                  $(patsubst $(BUILD)/gen/%.c,$(BUILD)/pic/gen/%.o,$(PROTO_C))
AGENT_CFLAGS := -fPIC -fvisibility=hidden
AGENT_RENAMES := -Dcurl_easy_perform=agent_real_curl_easy_perform \
                 -Dcurl_multi_add_handle=agent_real_curl_multi_add_handle \
                 -Dcurl_multi_remove_handle=agent_real_curl_multi_remove_handle \
                 -Dcurl_multi_info_read=agent_real_curl_multi_info_read \
                 -Dmg_start=agent_real_mg_start \
                 -Dmg_set_request_handler=agent_real_mg_set_request_handler

$(BUILD)/pic/libotel-lite/%.o: CPPFLAGS += $(LIB_INTERNAL_INCLUDES)
$(BUILD)/pic/libotel-lite/%.o: libotel-lite/%.c $(PROTO_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(AGENT_RENAMES) $(CFLAGS) $(AGENT_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/pic/gen/%.o: $(BUILD)/gen/%.c $(PROTO_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(AGENT_CFLAGS) -c $< -o $@

$(BUILD)/pic/$(INSTR_DIR)/%.o: $(INSTR_DIR)/%.c $(PROTO_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(AGENT_CFLAGS) -MMD -MP -c $< -o $@

# (the renames change the objects: rebuild them when this file changes)
$(AGENT_LIB_OBJS): $(INSTR_DIR)/module.mk

$(AGENT_SO): $(AGENT_OBJS) $(AGENT_LIB_OBJS) $(INSTR_DIR)/agent.map
	@mkdir -p $(dir $@)
	$(CC) -shared $(LDFLAGS) -Wl,--version-script=$(INSTR_DIR)/agent.map -Wl,-z,defs \
	  $(AGENT_OBJS) $(AGENT_LIB_OBJS) $(OTEL_LDLIBS) -ldl -o $@

$(OTEL_INSTRUMENT): $(BUILD)/obj/$(INSTR_DIR)/launcher.o
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $< -o $@

# no libotel-lite: the tests trace it with the agent only
$(ZC_APP): $(BUILD)/obj/$(INSTR_DIR)/tests/zc_app.o
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $< -lcivetweb $(shell pkg-config --libs libcurl 2>/dev/null) -o $@

# the same program instrumented by hand, for bench/zero_code_cost.sh
ZC_APP_HAND := $(BUILD)/tests/zero-code/zc_app_hand
$(BUILD)/obj/$(INSTR_DIR)/tests/zc_app_hand.o: $(INSTR_DIR)/tests/zc_app.c $(PROTO_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -DZC_HAND_INSTRUMENTED $(CFLAGS) -MMD -MP -c $< -o $@

$(ZC_APP_HAND): $(BUILD)/obj/$(INSTR_DIR)/tests/zc_app_hand.o $(LIBOTEL)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $^ $(OTEL_LDLIBS) -o $@

# zc_app and zc_app_hand are helpers of the test and the benchmark, built
# with the programs
ALL_BINS += $(AGENT_SO) $(OTEL_INSTRUMENT) $(ZC_APP) $(ZC_APP_HAND)

-include $(shell find $(BUILD)/pic -name '*.d' 2>/dev/null)
