# iss-distance-service/module.mk: the service, its domain objects (TLE,
# SGP4, position, geodesy, input parsing) and their tests.
ISS_DOMAIN_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(filter-out iss-distance-service/src/main.c,$(wildcard iss-distance-service/src/*.c)))
ISS_POINTS := $(BUILD)/tests/iss/sgp4_points
ALL_BINS += $(ISS_POINTS)
TEST_SCRIPTS += iss-distance-service/tests/sgp4_vs_python.sh

$(ISS_POINTS): $(BUILD)/obj/iss-distance-service/tests/sgp4_points.o $(ISS_DOMAIN_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $^ $(shell pkg-config --libs proj 2>/dev/null) -lm -o $@
