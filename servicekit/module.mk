# servicekit/module.mk: the HTTP plumbing shared by the four services
# (civetweb lifecycle, strict query parameters, libcurl upstream calls).
SVC_KIT_SRCS := $(wildcard servicekit/*.c)
# Programs write #include "svc_server.h": servicekit/ is on the include path.
CPPFLAGS += -Iservicekit
SVC_KIT_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(SVC_KIT_SRCS))

SVC_KIT_TESTS := $(BUILD)/tests/servicekit/test_svc_http
TEST_BINS += $(SVC_KIT_TESTS)

$(BUILD)/tests/servicekit/%: $(BUILD)/obj/servicekit/tests/%.o $(SVC_KIT_OBJS) $(LIBOTEL)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $^ $(CMOCKA_LIBS) $(OTEL_LDLIBS) -o $@
