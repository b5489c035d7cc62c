# tests/module.mk: test programs that are not cmocka units: the W3C Trace
# Context service under test (tests/conformance/).
ALL_BINS += $(BUILD)/bin/tracecontext_service

$(BUILD)/bin/tracecontext_service: $(BUILD)/obj/tests/conformance/tracecontext_service.o $(SVC_KIT_OBJS) $(LIBOTEL)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $^ $(OTEL_LDLIBS) -o $@

# The Prometheus exporter's test program (tests/integration/prometheus_scrape.sh).
ALL_BINS += $(BUILD)/bin/prom_exposer

$(BUILD)/bin/prom_exposer: $(BUILD)/obj/tests/tools/prom_exposer.o $(SVC_KIT_OBJS) $(LIBOTEL)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $^ $(OTEL_LDLIBS) -o $@
