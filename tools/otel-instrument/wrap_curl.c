/* wrap_curl.c: the agent's libcurl wrappers. curl_easy_perform runs the
 * transfer through libotel-lite's curl instrumentation (a CLIENT span,
 * traceparent/tracestate/baggage injected, http.client.request.duration).
 *
 * libcurl cannot give back the header list a handle was set up with, and
 * the instrumentation replaces CURLOPT_HTTPHEADER for the transfer, so
 * curl_easy_setopt is wrapped too: the list the program sets for a handle
 * is remembered (handle -> list) and handed to
 * otel_curl_perform_with_headers, which sends the program's headers plus
 * the propagation ones and sets the program's list back afterwards.
 * curl_easy_cleanup, curl_easy_reset and curl_easy_duphandle keep that
 * table right. The multi interface is not wrapped (README.md).
 */
#include "agent.h"

#include "otel/instrument_curl.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>

typedef CURLcode (*perform_fn)(CURL *);
typedef CURLcode (*setopt_fn)(CURL *, CURLoption, ...);
typedef void (*cleanup_fn)(CURL *);
typedef CURL *(*duphandle_fn)(CURL *);

static _Atomic(void *) real_perform, real_setopt, real_cleanup, real_reset, real_duphandle;

static void *real(_Atomic(void *) *slot, const char *name) {
  void *f = atomic_load_explicit(slot, memory_order_acquire);
  if (!f) {
    f = agent_next(name);
    atomic_store_explicit(slot, f, memory_order_release);
  }
  return f;
}

/* ---- handle -> the program's CURLOPT_HTTPHEADER list ----------------------- */

#define BUCKETS 256
typedef struct header_entry {
  CURL *easy;
  struct curl_slist *headers; /* the program's, borrowed */
  struct header_entry *next;
} header_entry_t;

static header_entry_t *buckets[BUCKETS];
static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;

static size_t bucket_of(const CURL *easy) {
  uintptr_t p = (uintptr_t)easy;
  return (size_t)((p >> 4) ^ (p >> 12)) % BUCKETS;
}

static void table_set(CURL *easy, struct curl_slist *headers) {
  pthread_mutex_lock(&table_lock);
  header_entry_t **at = &buckets[bucket_of(easy)];
  while (*at && (*at)->easy != easy) at = &(*at)->next;
  if (*at && !headers) { /* a NULL list: nothing to remember */
    header_entry_t *gone = *at;
    *at = gone->next;
    free(gone);
  } else if (*at) {
    (*at)->headers = headers;
  } else if (headers) {
    header_entry_t *e = malloc(sizeof *e);
    if (e) {
      *e = (header_entry_t){easy, headers, NULL};
      *at = e;
    } else {
      agent_say("out of memory: a transfer's own headers will be lost when it is traced");
    }
  }
  pthread_mutex_unlock(&table_lock);
}

static struct curl_slist *table_get(CURL *easy) {
  pthread_mutex_lock(&table_lock);
  header_entry_t *e = buckets[bucket_of(easy)];
  while (e && e->easy != easy) e = e->next;
  struct curl_slist *h = e ? e->headers : NULL;
  pthread_mutex_unlock(&table_lock);
  return h;
}

/* ---- wrappers -------------------------------------------------------------- */

/* Set while the instrumentation runs a transfer: its own setopt calls
 * (the propagation headers, then the program's list back) are not the
 * program's. */
static _Thread_local bool in_instrumentation;
static pthread_mutex_t instrument_lock = PTHREAD_MUTEX_INITIALIZER;
static bool curl_instrumented;

void agent_curl_quiesce(void) {
  pthread_mutex_lock(&instrument_lock);
  if (curl_instrumented) otel_curl_instrument(NULL); /* no tracer, no meter */
  pthread_mutex_unlock(&instrument_lock);
}

__attribute__((visibility("default"))) CURLcode curl_easy_perform(CURL *easy) {
  perform_fn f = (perform_fn)real(&real_perform, "curl_easy_perform");
  if (!f) return CURLE_FAILED_INIT;
  if (in_instrumentation || !agent_active()) return f(easy);
  pthread_mutex_lock(&instrument_lock);
  if (!curl_instrumented) {
    otel_curl_instrument(&(otel_curl_options_t){.tracer = agent_tracer("libotel-lite.curl"),
                                                .meter = agent_meter()});
    curl_instrumented = true;
  }
  pthread_mutex_unlock(&instrument_lock);
  in_instrumentation = true;
  CURLcode rc = otel_curl_perform_with_headers(easy, table_get(easy));
  in_instrumentation = false;
  return rc;
}

/* The option's type decides how its argument is passed (curl.h's
 * CURLOPTTYPE_* ranges); it is forwarded as the same type. */
__attribute__((visibility("default"))) CURLcode (curl_easy_setopt)(CURL *easy, CURLoption option,
                                                                   ...) {
  setopt_fn f = (setopt_fn)real(&real_setopt, "curl_easy_setopt");
  if (!f) return CURLE_FAILED_INIT;
  va_list ap;
  va_start(ap, option);
  CURLcode rc;
  if (option < CURLOPTTYPE_OBJECTPOINT) {
    long v = va_arg(ap, long);
    rc = f(easy, option, v);
  } else if (option < CURLOPTTYPE_FUNCTIONPOINT) {
    void *v = va_arg(ap, void *);
    rc = f(easy, option, v);
    if (option == CURLOPT_HTTPHEADER && rc == CURLE_OK && !in_instrumentation && !agent_off())
      table_set(easy, v);
  } else if (option < CURLOPTTYPE_OFF_T) {
    void (*v)(void) = va_arg(ap, void (*)(void));
    rc = f(easy, option, v);
  } else if (option < CURLOPTTYPE_BLOB) {
    curl_off_t v = va_arg(ap, curl_off_t);
    rc = f(easy, option, v);
  } else {
    void *v = va_arg(ap, void *);
    rc = f(easy, option, v);
  }
  va_end(ap);
  return rc;
}

__attribute__((visibility("default"))) void curl_easy_cleanup(CURL *easy) {
  cleanup_fn f = (cleanup_fn)real(&real_cleanup, "curl_easy_cleanup");
  if (easy) table_set(easy, NULL);
  if (f) f(easy);
}

__attribute__((visibility("default"))) void curl_easy_reset(CURL *easy) {
  cleanup_fn f = (cleanup_fn)real(&real_reset, "curl_easy_reset");
  if (easy) table_set(easy, NULL);
  if (f) f(easy);
}

__attribute__((visibility("default"))) CURL *curl_easy_duphandle(CURL *easy) {
  duphandle_fn f = (duphandle_fn)real(&real_duphandle, "curl_easy_duphandle");
  if (!f) return NULL;
  CURL *copy = f(easy);
  if (copy && easy) {
    struct curl_slist *h = table_get(easy);
    if (h) table_set(copy, h);
  }
  return copy;
}

/* The agent's own libotel-lite (the OTLP/HTTP exporter, and the
 * instrumentation's transfer itself) calls this one. */
AGENT_HIDDEN CURLcode agent_real_curl_easy_perform(CURL *easy);
CURLcode agent_real_curl_easy_perform(CURL *easy) {
  perform_fn f = (perform_fn)real(&real_perform, "curl_easy_perform");
  return f ? f(easy) : CURLE_FAILED_INIT;
}
