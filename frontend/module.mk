# frontend/module.mk: builds $(BUILD)/bin/frontend and its unit tests. The
# world map's land (frontend/data/world-110m.svgpath, Natural Earth 1:110m,
# see frontend/data/ATTRIBUTION) is compiled into the binary as a C string.
FRONTEND_LIB_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(filter-out frontend/src/main.c,$(wildcard frontend/src/*.c)))
FRONTEND_LAND_OBJ := $(BUILD)/obj/gen/world_map_land.o
FRONTEND_TEST_LIBS := $(shell pkg-config --libs libcjson 2>/dev/null) -lm
ALL_BINS += $(BUILD)/bin/frontend
TEST_BINS += $(BUILD)/tests/frontend/test_world_map $(BUILD)/tests/frontend/test_page \
             $(BUILD)/tests/frontend/test_sha256

$(BUILD)/gen/world_map_land.c: frontend/data/world-110m.svgpath
	@mkdir -p $(dir $@)
	{ echo '/* generated from $< */'; echo 'const char world_map_land_path[] ='; \
	  sed -e '/^#/d' -e 's/.*/  "&"/' $<; echo ';'; } > $@

$(FRONTEND_LAND_OBJ): $(BUILD)/gen/world_map_land.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(BUILD)/bin/frontend: $(BUILD)/obj/frontend/src/main.o $(FRONTEND_LIB_OBJS) $(FRONTEND_LAND_OBJ) $(SVC_KIT_OBJS) $(LIBOTEL)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $^ $(OTEL_LDLIBS) -o $@

$(BUILD)/tests/frontend/%: $(BUILD)/obj/frontend/tests/%.o $(FRONTEND_LIB_OBJS) $(FRONTEND_LAND_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $^ $(CMOCKA_LIBS) $(FRONTEND_TEST_LIBS) -o $@
