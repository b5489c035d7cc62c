# frontend/module.mk: builds $(BUILD)/bin/frontend.
FRONTEND_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard frontend/src/*.c))
ALL_BINS += $(BUILD)/bin/frontend

$(BUILD)/bin/frontend: $(FRONTEND_OBJS) $(SVC_KIT_OBJS) $(LIBOTEL)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $^ $(OTEL_LDLIBS) -o $@
