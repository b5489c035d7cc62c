/* wrap_civetweb.c: the agent's civetweb wrappers. mg_start and mg_start2
 * (the two calls of Debian's civetweb 1.15 that take callbacks; the
 * mg_start_domain calls add a host to a started server and share its
 * callbacks) get the program's callbacks with libotel-lite's civetweb
 * instrumentation added: a SERVER span per request, the HTTP server
 * metrics, and the program's own begin_request/end_request still called.
 * mg_set_request_handler is wrapped to learn the routes: each exact path
 * the program registers a handler for becomes an http.route. The paths of
 * OTEL_INSTRUMENT_EXCLUDED_PATHS (comma-separated, default "/healthz", the
 * readiness probe) are served untraced and uncounted.
 *
 * civetweb copies the callbacks into its context, so the copy made here
 * may live on the stack. The instrumentation is process-wide: a second
 * server is instrumented when it has the same begin/end_request callbacks
 * as the first (usually none), otherwise it runs untraced (one line says
 * so).
 */
#include "agent.h"

#include "otel/instrument_civetweb.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

typedef struct mg_context *(*mg_start_fn)(const struct mg_callbacks *, void *, const char **);
typedef struct mg_context *(*mg_start2_fn)(struct mg_init_data *, struct mg_error_data *);
typedef void (*mg_set_request_handler_fn)(struct mg_context *, const char *, mg_request_handler,
                                          void *);

static _Atomic(void *) real_start, real_start2, real_set_handler;

static void *real(_Atomic(void *) *slot, const char *name) {
  void *f = atomic_load_explicit(slot, memory_order_acquire);
  if (!f) {
    f = agent_next(name);
    atomic_store_explicit(slot, f, memory_order_release);
  }
  return f;
}

/* Routes: exact paths from mg_set_request_handler, NULL-terminated. An
 * entry is written once, before the count moves past it, with a release
 * store; the instrumentation reads the array from worker threads. */
#define MAX_ROUTES 64
static const char *routes[MAX_ROUTES + 1];
static size_t route_count;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static bool instrumented;
static struct mg_callbacks first_hooks; /* the first server's, instrumented */
static int (*first_begin)(struct mg_connection *);
static void (*first_end)(const struct mg_connection *, int);

/* OTEL_INSTRUMENT_EXCLUDED_PATHS, split once (kept for the process). */
#define MAX_EXCLUDED 16
static const char *excluded[MAX_EXCLUDED + 1];
static char *excluded_list; /* the split copy excluded[] points into */

static void read_excluded_paths(void) {
  const char *env = getenv("OTEL_INSTRUMENT_EXCLUDED_PATHS");
  char *list = excluded_list = strdup(env ? env : "/healthz");
  size_t n = 0;
  for (char *save = NULL, *p = list ? strtok_r(list, ",", &save) : NULL; p && n < MAX_EXCLUDED;
       p = strtok_r(NULL, ",", &save)) {
    while (*p == ' ') p++;
    size_t len = strlen(p);
    while (len && p[len - 1] == ' ') p[--len] = '\0';
    if (*p == '/') excluded[n++] = p;
    else if (*p) agent_say("OTEL_INSTRUMENT_EXCLUDED_PATHS: \"%s\" is not a path; ignored", p);
  }
  excluded[n] = NULL;
}

static void add_route(const char *uri) {
  if (!uri || uri[0] != '/' || strpbrk(uri, "*?$|")) return; /* a pattern, not a path */
  pthread_mutex_lock(&lock);
  bool known = false;
  for (size_t i = 0; i < route_count && !known; i++) known = !strcmp(routes[i], uri);
  if (!known && route_count < MAX_ROUTES) {
    char *copy = strdup(uri); /* kept for the life of the process */
    if (copy) __atomic_store_n(&routes[route_count++], copy, __ATOMIC_RELEASE);
  }
  pthread_mutex_unlock(&lock);
}

/* Adds the instrumentation to cb (a copy the server will get). */
static void instrument(struct mg_callbacks *cb) {
  pthread_mutex_lock(&lock);
  if (!instrumented) {
    first_begin = cb->begin_request;
    first_end = cb->end_request;
    read_excluded_paths();
    otel_civetweb_options_t o = {.tracer = agent_tracer("libotel-lite.civetweb"),
                                 .routes = routes, .meter = agent_meter(),
                                 .excluded_paths = excluded};
    otel_civetweb_instrument(cb, &o);
    first_hooks = *cb;
    instrumented = true;
  } else if (cb->begin_request == first_hooks.begin_request) {
    /* already instrumented: Debian's mg_start calls mg_start2, which is
     * wrapped too */
  } else if (cb->begin_request == first_begin && cb->end_request == first_end) {
    cb->begin_request = first_hooks.begin_request;
    cb->end_request = first_hooks.end_request;
  } else {
    agent_say("a second civetweb server with its own begin/end_request callbacks is not traced "
              "(one instrumented set of callbacks per process)");
  }
  pthread_mutex_unlock(&lock);
}

void agent_civetweb_quiesce(void) {
  pthread_mutex_lock(&lock);
  if (instrumented) {
    /* same hooks (so the program's callbacks stay), no tracer or meter */
    struct mg_callbacks again = first_hooks;
    otel_civetweb_instrument(&again, NULL);
  }
  pthread_mutex_unlock(&lock);
}

__attribute__((visibility("default"))) struct mg_context *
mg_start(const struct mg_callbacks *callbacks, void *user_data, const char **options) {
  mg_start_fn f = (mg_start_fn)real(&real_start, "mg_start");
  if (!f) return NULL;
  if (!agent_active()) return f(callbacks, user_data, options);
  struct mg_callbacks cb;
  memset(&cb, 0, sizeof cb);
  if (callbacks) cb = *callbacks;
  instrument(&cb);
  return f(&cb, user_data, options);
}

__attribute__((visibility("default"))) struct mg_context *
mg_start2(struct mg_init_data *init, struct mg_error_data *error) {
  mg_start2_fn f = (mg_start2_fn)real(&real_start2, "mg_start2");
  if (!f) return NULL;
  if (!init || !agent_active()) return f(init, error);
  struct mg_callbacks cb;
  memset(&cb, 0, sizeof cb);
  if (init->callbacks) cb = *init->callbacks;
  instrument(&cb);
  struct mg_init_data copy = *init;
  copy.callbacks = &cb;
  return f(&copy, error);
}

__attribute__((visibility("default"))) void
mg_set_request_handler(struct mg_context *ctx, const char *uri, mg_request_handler handler,
                       void *cbdata) {
  mg_set_request_handler_fn f = (mg_set_request_handler_fn)real(&real_set_handler,
                                                                "mg_set_request_handler");
  if (!f) return;
  if (handler && agent_active()) add_route(uri);
  f(ctx, uri, handler, cbdata);
}

/* The agent's own libotel-lite (the Prometheus endpoint) calls these. */
AGENT_HIDDEN struct mg_context *agent_real_mg_start(const struct mg_callbacks *, void *, const char **);
AGENT_HIDDEN void agent_real_mg_set_request_handler(struct mg_context *, const char *, mg_request_handler,
                                       void *);

struct mg_context *agent_real_mg_start(const struct mg_callbacks *callbacks, void *user_data,
                                       const char **options) {
  mg_start_fn f = (mg_start_fn)real(&real_start, "mg_start");
  return f ? f(callbacks, user_data, options) : NULL;
}

void agent_real_mg_set_request_handler(struct mg_context *ctx, const char *uri,
                                       mg_request_handler handler, void *cbdata) {
  mg_set_request_handler_fn f = (mg_set_request_handler_fn)real(&real_set_handler,
                                                                "mg_set_request_handler");
  if (f) f(ctx, uri, handler, cbdata);
}
