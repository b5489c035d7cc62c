# libotel-lite/module.mk: libotel-lite as a library other programs install
# and link: the shared library, the pkg-config file, `make install` and
# `make uninstall`. (The static archive $(LIBOTEL) and the source list are
# in the top-level Makefile, which every other rule links against.)
#
#   $(BUILD)/lib/libotel-lite.so.$(OTEL_VERSION)  soname libotel-lite.so.$(OTEL_SOVERSION);
#                   built from its own -fPIC -fvisibility=hidden objects
#                   ($(BUILD)/shared/...), so only the functions the public
#                   headers mark OTEL_API are exported (`nm -D` shows them)
#   make install [PREFIX=/usr/local] [DESTDIR=]   headers in include/otel/,
#                   libotel-lite.a, libotel-lite.so*, lib/pkgconfig/otel-lite.pc
#   make uninstall [PREFIX=...] [DESTDIR=]        removes exactly those files
#
# A program outside the tree then builds with
#   cc app.c $(pkg-config --cflags --libs otel-lite)

# The version is the one the library reports (telemetry.sdk.version).
OTEL_VERSION := $(shell sed -n 's/^\#define OTEL_SDK_VERSION "\(.*\)"/\1/p' libotel-lite/include/otel/resource.h)
# The soname changes when the ABI breaks: the major version (0 while the
# API still moves, see libotel-lite/README.md).
OTEL_SOVERSION := $(firstword $(subst ., ,$(OTEL_VERSION)))
LIBOTEL_SONAME := libotel-lite.so.$(OTEL_SOVERSION)
LIBOTEL_SO := $(BUILD)/lib/libotel-lite.so.$(OTEL_VERSION)

SHARED_LIB_OBJS := $(patsubst %.c,$(BUILD)/shared/%.o,$(LIB_SRCS)) \
                   $(patsubst $(BUILD)/gen/%.c,$(BUILD)/shared/gen/%.o,$(PROTO_C))
SHARED_CFLAGS := -fPIC -fvisibility=hidden

$(BUILD)/shared/libotel-lite/%.o: CPPFLAGS += $(LIB_INTERNAL_INCLUDES)
$(BUILD)/shared/libotel-lite/%.o: libotel-lite/%.c $(PROTO_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(SHARED_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/shared/gen/%.o: $(BUILD)/gen/%.c $(PROTO_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(SHARED_CFLAGS) -c $< -o $@

# -z defs: every symbol the library uses comes from a library it names;
# --as-needed: it records only the libraries it uses.
$(LIBOTEL_SO): $(SHARED_LIB_OBJS)
	@mkdir -p $(dir $@)
	$(CC) -shared $(LDFLAGS) -Wl,-soname,$(LIBOTEL_SONAME) -Wl,-z,defs -Wl,--as-needed \
	  $(SHARED_LIB_OBJS) $(OTEL_LDLIBS) -o $@
	ln -sf $(notdir $@) $(BUILD)/lib/$(LIBOTEL_SONAME)
	ln -sf $(notdir $@) $(BUILD)/lib/libotel-lite.so

BUILD_ONLY_BINS += $(LIBOTEL_SO)

# ---- install / uninstall ---------------------------------------------------
PREFIX ?= /usr/local
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
OTEL_HEADERS := $(wildcard libotel-lite/include/otel/*.h)
INSTALL ?= install

.PHONY: install install-files uninstall

# Like `make run`: what building needs first, then a second make.
install:
	@scripts/deps.sh run
	@$(MAKE) --no-print-directory install-files

install-files: $(LIBOTEL) $(LIBOTEL_SO) libotel-lite/otel-lite.pc.in
	$(INSTALL) -d $(DESTDIR)$(INCLUDEDIR)/otel $(DESTDIR)$(LIBDIR) $(DESTDIR)$(PKGCONFIGDIR)
	$(INSTALL) -m 644 $(OTEL_HEADERS) $(DESTDIR)$(INCLUDEDIR)/otel/
	$(INSTALL) -m 644 $(LIBOTEL) $(DESTDIR)$(LIBDIR)/
	$(INSTALL) -m 755 $(LIBOTEL_SO) $(DESTDIR)$(LIBDIR)/
	ln -sf $(notdir $(LIBOTEL_SO)) $(DESTDIR)$(LIBDIR)/$(LIBOTEL_SONAME)
	ln -sf $(notdir $(LIBOTEL_SO)) $(DESTDIR)$(LIBDIR)/libotel-lite.so
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
	    -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' -e 's|@VERSION@|$(OTEL_VERSION)|' \
	    libotel-lite/otel-lite.pc.in > $(DESTDIR)$(PKGCONFIGDIR)/otel-lite.pc
	@# the dynamic linker's cache, for the system prefixes it searches
	@case "$(DESTDIR)$(LIBDIR)" in /usr/lib|/usr/local/lib) \
	  if [ "$$(id -u)" = 0 ] && command -v ldconfig >/dev/null; then ldconfig; fi;; esac

uninstall:
	rm -f $(addprefix $(DESTDIR)$(INCLUDEDIR)/otel/,$(notdir $(OTEL_HEADERS)))
	rmdir $(DESTDIR)$(INCLUDEDIR)/otel 2>/dev/null || true
	rm -f $(DESTDIR)$(LIBDIR)/libotel-lite.a $(DESTDIR)$(LIBDIR)/$(notdir $(LIBOTEL_SO)) \
	      $(DESTDIR)$(LIBDIR)/$(LIBOTEL_SONAME) $(DESTDIR)$(LIBDIR)/libotel-lite.so \
	      $(DESTDIR)$(PKGCONFIGDIR)/otel-lite.pc

-include $(shell find $(BUILD)/shared -name '*.d' 2>/dev/null)
