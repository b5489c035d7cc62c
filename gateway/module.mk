# gateway/module.mk: builds $(BUILD)/bin/gateway.
GATEWAY_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard gateway/src/*.c))
ALL_BINS += $(BUILD)/bin/gateway

$(BUILD)/bin/gateway: $(GATEWAY_OBJS) $(SVC_KIT_OBJS) $(LIBOTEL)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $^ $(OTEL_LDLIBS) -o $@
