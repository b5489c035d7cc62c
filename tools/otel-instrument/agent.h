/* agent.h: what the files of libotel-agent.so (the LD_PRELOAD agent that
 * otel-instrument injects) share. Nothing here is exported from the .so:
 * the version script agent.map exports only the wrapped civetweb and
 * libcurl functions.
 *
 * agent.c owns the SDK: it is started lazily by the first wrapped call
 * (never in the constructor, so a program may fork before it), flushed at
 * exit and on SIGTERM/SIGINT, and left alone in a child forked after it
 * started. wrap_civetweb.c and wrap_curl.c hold the wrappers.
 */
#ifndef OTEL_AGENT_H
#define OTEL_AGENT_H

#include "otel/metrics.h"
#include "otel/trace.h"

#include <stdbool.h>

#define AGENT_HIDDEN __attribute__((visibility("hidden")))

/* Starts the SDK on first use. Returns true when the wrappers should
 * instrument (the agent is enabled, the SDK started, the process is not a
 * child forked after the start); false means "call through unchanged". */
AGENT_HIDDEN bool agent_active(void);

/* True once the agent is off for good (disabled, stayed out, shut down,
 * or a child forked after the start); never starts the SDK. */
AGENT_HIDDEN bool agent_off(void);

/* The agent's tracer and meter for an instrumentation scope (borrowed,
 * valid until the agent shuts down). Only after agent_active() was true. */
AGENT_HIDDEN otel_tracer_t *agent_tracer(const char *scope);
AGENT_HIDDEN otel_meter_t *agent_meter(void);

/* The next definition of a wrapped function (dlsym(RTLD_NEXT)); prints
 * one diagnostic line and returns NULL when there is none. */
AGENT_HIDDEN void *agent_next(const char *symbol);

/* One line on stderr, "otel-instrument: ..." (printf format). */
AGENT_HIDDEN void agent_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Called by agent.c before the SDK shuts down, so that requests still
 * arriving find no freed tracer or instrument: each resets its
 * instrumentation to the no-op state. */
AGENT_HIDDEN void agent_civetweb_quiesce(void);
AGENT_HIDDEN void agent_curl_quiesce(void);

/* The real functions, for the agent's own copy of libotel-lite: its
 * sources are compiled with -Dcurl_easy_perform=agent_real_curl_easy_perform
 * (and the same for curl_multi_add_handle, curl_multi_remove_handle,
 * curl_multi_info_read, mg_start, mg_set_request_handler), so the OTLP/HTTP
 * exporter and the Prometheus endpoint bypass the wrappers, and the curl
 * instrumentation's own transfer is the real one. */
#endif /* OTEL_AGENT_H */
