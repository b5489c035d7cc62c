# geolocator-service/module.mk: the service, its offline gazetteer (Debian's
# libgeonames, found with pkg-config) and its tests.
GEO_CFLAGS := $(shell pkg-config --cflags geonames 2>/dev/null)
GEO_LIBS := $(shell pkg-config --libs geonames 2>/dev/null)
GEO_DOMAIN_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(filter-out geolocator-service/src/main.c,$(wildcard geolocator-service/src/*.c)))
ALL_BINS += $(BUILD)/bin/geolocator-service
TEST_BINS += $(BUILD)/tests/geo/test_gazetteer

$(BUILD)/obj/geolocator-service/%.o: CPPFLAGS += $(GEO_CFLAGS)

$(BUILD)/bin/geolocator-service: $(BUILD)/obj/geolocator-service/src/main.o $(GEO_DOMAIN_OBJS) $(SVC_KIT_OBJS) $(LIBOTEL)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $^ $(OTEL_LDLIBS) $(GEO_LIBS) -o $@

$(BUILD)/tests/geo/%: $(BUILD)/obj/geolocator-service/tests/%.o $(GEO_DOMAIN_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $^ $(CMOCKA_LIBS) $(GEO_LIBS) -o $@
