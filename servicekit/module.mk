# servicekit/module.mk: the HTTP plumbing shared by the four services
# (civetweb lifecycle, strict query parameters, libcurl upstream calls).
SVC_KIT_SRCS := $(wildcard servicekit/*.c)
SVC_KIT_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(SVC_KIT_SRCS))
