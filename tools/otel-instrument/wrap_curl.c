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
 * table right.
 *
 * The multi interface: curl_multi_add_handle starts the CLIENT span and
 * injects the headers (otel_curl_transfer_begin), the CURLMSG_DONE message
 * from curl_multi_info_read ends it with the transfer's result
 * (otel_curl_transfer_end); curl_multi_remove_handle ends a transfer whose
 * message was never read. The table holds the transfer in flight.
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

/* ---- handle -> its CURLOPT_HTTPHEADER list and its multi transfer -------- */

#define BUCKETS 256
typedef struct handle_entry {
  CURL *easy;
  struct curl_slist *headers;     /* the program's, borrowed */
  otel_curl_transfer_t *transfer; /* a multi transfer in flight, owned */
  struct handle_entry *next;
} handle_entry_t;

static handle_entry_t *buckets[BUCKETS];
static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;

static size_t bucket_of(const CURL *easy) {
  uintptr_t p = (uintptr_t)easy;
  return (size_t)((p >> 4) ^ (p >> 12)) % BUCKETS;
}

/* Where easy's entry is or would go, under table_lock. */
static handle_entry_t **entry_at(CURL *easy) {
  handle_entry_t **at = &buckets[bucket_of(easy)];
  while (*at && (*at)->easy != easy) at = &(*at)->next;
  return at;
}

/* easy's entry (created when `create`), under table_lock. */
static handle_entry_t *entry_get(CURL *easy, bool create) {
  handle_entry_t **at = entry_at(easy);
  if (!*at && create) {
    handle_entry_t *e = malloc(sizeof *e);
    if (!e) {
      agent_say("out of memory: a transfer's own headers will be lost when it is traced");
      return NULL;
    }
    *e = (handle_entry_t){easy, NULL, NULL, NULL};
    *at = e;
  }
  return *at;
}

/* Drops easy's entry once it holds nothing. */
static void entry_prune(CURL *easy) {
  handle_entry_t **at = entry_at(easy);
  if (*at && !(*at)->headers && !(*at)->transfer) {
    handle_entry_t *gone = *at;
    *at = gone->next;
    free(gone);
  }
}

static void table_set_headers(CURL *easy, struct curl_slist *headers) {
  pthread_mutex_lock(&table_lock);
  handle_entry_t *e = entry_get(easy, headers != NULL);
  if (e) e->headers = headers;
  entry_prune(easy);
  pthread_mutex_unlock(&table_lock);
}

static struct curl_slist *table_headers(CURL *easy) {
  pthread_mutex_lock(&table_lock);
  handle_entry_t *e = entry_get(easy, false);
  struct curl_slist *h = e ? e->headers : NULL;
  pthread_mutex_unlock(&table_lock);
  return h;
}

/* Stores t for easy; false (t not stored) when out of memory. */
static bool table_set_transfer(CURL *easy, otel_curl_transfer_t *t) {
  pthread_mutex_lock(&table_lock);
  handle_entry_t *e = entry_get(easy, true);
  if (e) e->transfer = t;
  pthread_mutex_unlock(&table_lock);
  return e != NULL;
}

/* Takes easy's multi transfer (NULL when none); the caller ends it. */
static otel_curl_transfer_t *table_take_transfer(CURL *easy) {
  pthread_mutex_lock(&table_lock);
  handle_entry_t *e = entry_get(easy, false);
  otel_curl_transfer_t *t = e ? e->transfer : NULL;
  if (e) e->transfer = NULL;
  entry_prune(easy);
  pthread_mutex_unlock(&table_lock);
  return t;
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

AGENT_HIDDEN CURLcode agent_real_curl_easy_perform(CURL *easy);

/* Sets the instrumentation's options on the first traced transfer. */
static void instrument_once(void) {
  pthread_mutex_lock(&instrument_lock);
  if (!curl_instrumented) {
    otel_curl_instrument(&(otel_curl_options_t){.tracer = agent_tracer("libotel-lite.curl"),
                                                .meter = agent_meter()});
    curl_instrumented = true;
  }
  pthread_mutex_unlock(&instrument_lock);
}

__attribute__((visibility("default"))) CURLcode curl_easy_perform(CURL *easy) {
  perform_fn f = (perform_fn)real(&real_perform, "curl_easy_perform");
  if (!f) return CURLE_FAILED_INIT;
  if (in_instrumentation || !agent_active()) return agent_real_curl_easy_perform(easy);
  instrument_once();
  in_instrumentation = true;
  CURLcode rc = otel_curl_perform_with_headers(easy, table_headers(easy));
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
      table_set_headers(easy, v);
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

/* Ends easy's multi transfer, if one is in flight, with rc. */
static void end_transfer(CURL *easy, CURLcode rc) {
  otel_curl_transfer_t *t = table_take_transfer(easy);
  if (!t) return;
  bool was = in_instrumentation;
  in_instrumentation = true;
  otel_curl_transfer_end(t, rc);
  in_instrumentation = was;
}

/* A handle cleaned up or reset while still in a multi handle (which
 * libcurl's documentation forbids) ends its span as aborted. */
__attribute__((visibility("default"))) void curl_easy_cleanup(CURL *easy) {
  cleanup_fn f = (cleanup_fn)real(&real_cleanup, "curl_easy_cleanup");
  if (easy) {
    end_transfer(easy, CURLE_ABORTED_BY_CALLBACK);
    table_set_headers(easy, NULL);
  }
  if (f) f(easy);
}

__attribute__((visibility("default"))) void curl_easy_reset(CURL *easy) {
  cleanup_fn f = (cleanup_fn)real(&real_reset, "curl_easy_reset");
  if (easy) {
    end_transfer(easy, CURLE_ABORTED_BY_CALLBACK);
    table_set_headers(easy, NULL);
  }
  if (f) f(easy);
}

__attribute__((visibility("default"))) CURL *curl_easy_duphandle(CURL *easy) {
  duphandle_fn f = (duphandle_fn)real(&real_duphandle, "curl_easy_duphandle");
  if (!f) return NULL;
  CURL *copy = f(easy);
  if (copy && easy) {
    struct curl_slist *h = table_headers(easy);
    if (h) table_set_headers(copy, h);
  }
  return copy;
}

/* ---- the multi interface ------------------------------------------------- */

typedef CURLMcode (*multi_handle_fn)(CURLM *, CURL *);
typedef CURLMsg *(*info_read_fn)(CURLM *, int *);
static _Atomic(void *) real_add, real_remove, real_info_read;

/* The span starts when the transfer is added (on the adding thread, so
 * its parent is that thread's current span) and ends at CURLMSG_DONE. */
__attribute__((visibility("default"))) CURLMcode curl_multi_add_handle(CURLM *multi, CURL *easy) {
  multi_handle_fn f = (multi_handle_fn)real(&real_add, "curl_multi_add_handle");
  if (!f) return CURLM_INTERNAL_ERROR;
  if (!easy || in_instrumentation || !agent_active()) return f(multi, easy);
  instrument_once();
  in_instrumentation = true;
  otel_curl_transfer_t *t = otel_curl_transfer_begin(easy, table_headers(easy));
  in_instrumentation = false;
  if (t && !table_set_transfer(easy, t)) {
    in_instrumentation = true;
    otel_curl_transfer_end(t, CURLE_OUT_OF_MEMORY);
    in_instrumentation = false;
  }
  CURLMcode rc = f(multi, easy);
  if (rc != CURLM_OK) end_transfer(easy, CURLE_FAILED_INIT); /* it never ran */
  return rc;
}

__attribute__((visibility("default"))) CURLMsg *curl_multi_info_read(CURLM *multi, int *left) {
  info_read_fn f = (info_read_fn)real(&real_info_read, "curl_multi_info_read");
  if (!f) return NULL;
  CURLMsg *m = f(multi, left);
  if (m && m->msg == CURLMSG_DONE && !in_instrumentation)
    end_transfer(m->easy_handle, m->data.result);
  return m;
}

/* A transfer removed before its CURLMSG_DONE was read: done if a response
 * came (the program looked at still_running only), else aborted. */
__attribute__((visibility("default"))) CURLMcode curl_multi_remove_handle(CURLM *multi, CURL *easy) {
  multi_handle_fn f = (multi_handle_fn)real(&real_remove, "curl_multi_remove_handle");
  if (!f) return CURLM_INTERNAL_ERROR;
  if (easy && !in_instrumentation) {
    long status = 0;
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
    end_transfer(easy, status > 0 ? CURLE_OK : CURLE_ABORTED_BY_CALLBACK);
  }
  return f(multi, easy);
}

/* The agent's own libotel-lite (the OTLP/HTTP exporter, and the
 * instrumentation's transfer itself) calls this one. */
AGENT_HIDDEN CURLcode agent_real_curl_easy_perform(CURL *easy);
CURLcode agent_real_curl_easy_perform(CURL *easy) {
  perform_fn f = (perform_fn)real(&real_perform, "curl_easy_perform");
  if (!f) return CURLE_FAILED_INIT;
  /* libcurl runs an easy transfer on its own multi interface, through its
   * exported (so wrapped) curl_multi_* functions: none of those calls is
   * the program's */
  bool was = in_instrumentation;
  in_instrumentation = true;
  CURLcode rc = f(easy);
  in_instrumentation = was;
  return rc;
}

AGENT_HIDDEN CURLMcode agent_real_curl_multi_add_handle(CURLM *multi, CURL *easy);
CURLMcode agent_real_curl_multi_add_handle(CURLM *multi, CURL *easy) {
  multi_handle_fn f = (multi_handle_fn)real(&real_add, "curl_multi_add_handle");
  return f ? f(multi, easy) : CURLM_INTERNAL_ERROR;
}

AGENT_HIDDEN CURLMcode agent_real_curl_multi_remove_handle(CURLM *multi, CURL *easy);
CURLMcode agent_real_curl_multi_remove_handle(CURLM *multi, CURL *easy) {
  multi_handle_fn f = (multi_handle_fn)real(&real_remove, "curl_multi_remove_handle");
  return f ? f(multi, easy) : CURLM_INTERNAL_ERROR;
}

AGENT_HIDDEN CURLMsg *agent_real_curl_multi_info_read(CURLM *multi, int *left);
CURLMsg *agent_real_curl_multi_info_read(CURLM *multi, int *left) {
  info_read_fn f = (info_read_fn)real(&real_info_read, "curl_multi_info_read");
  return f ? f(multi, left) : NULL;
}
