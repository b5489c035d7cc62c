# iss-distance-service/module.mk: the service, its domain objects (TLE,
# SGP4, position, geodesy, coordinate parsing) and their tests. The bundled
# TLE (data/iss-25544.tle) is compiled into the binary.
ISS_DOMAIN_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(filter-out iss-distance-service/src/main.c,$(wildcard iss-distance-service/src/*.c)))
ISS_TLE_OBJ := $(BUILD)/obj/gen/iss_default_tle.o
PROJ_LIBS := $(shell pkg-config --libs proj 2>/dev/null)
ISS_POINTS := $(BUILD)/tests/iss/sgp4_points
ISS_GEODESY := $(BUILD)/tests/iss/geodesy_points
ALL_BINS += $(BUILD)/bin/iss-distance-service $(ISS_POINTS) $(ISS_GEODESY)
TEST_BINS += $(BUILD)/tests/iss/test_coords $(BUILD)/tests/iss/test_sgp4_deep
TEST_SCRIPTS += iss-distance-service/tests/sgp4_vs_python.sh iss-distance-service/tests/geodesy_vs_geopy.sh

$(BUILD)/gen/iss_default_tle.c: iss-distance-service/data/iss-25544.tle
	@mkdir -p $(dir $@)
	{ echo '/* generated from $< */'; echo 'const char iss_default_tle[] ='; \
	  sed 's/.*/  "&\\n"/' $<; echo ';'; } > $@

$(ISS_TLE_OBJ): $(BUILD)/gen/iss_default_tle.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(BUILD)/bin/iss-distance-service: $(BUILD)/obj/iss-distance-service/src/main.o $(ISS_DOMAIN_OBJS) $(ISS_TLE_OBJ) $(SVC_KIT_OBJS) $(LIBOTEL)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $^ $(OTEL_LDLIBS) $(PROJ_LIBS) -o $@

$(BUILD)/tests/iss/%: $(BUILD)/obj/iss-distance-service/tests/%.o $(ISS_DOMAIN_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $^ $(CMOCKA_LIBS) $(PROJ_LIBS) -lm -o $@
