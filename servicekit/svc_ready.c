/* servicekit/svc_ready.c: GET /healthz, answered before the service's own
 * civetweb callbacks (see svc_ready.h). civetweb calls begin_request first
 * for every request; a non-zero return means "answered, with this status",
 * and then only end_request follows, which is not passed on either. */
#include "svc_ready.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>

#include "svc_http.h"

static atomic_int readiness = SVC_STARTING;
static int (*inner_begin)(struct mg_connection *);
static void (*inner_end)(const struct mg_connection *, int);
static _Thread_local bool answering_probe;

void svc_ready_set(svc_readiness_t state) { atomic_store(&readiness, (int)state); }

svc_readiness_t svc_ready_get(void) { return (svc_readiness_t)atomic_load(&readiness); }

static int answer_probe(struct mg_connection *conn, const struct mg_request_info *ri) {
  if (strcmp(ri->request_method, "GET") != 0) return svc_reply_method_not_allowed(conn, "GET");
  switch (svc_ready_get()) {
  case SVC_READY: return svc_reply_text(conn, 200, "ready\n");
  case SVC_STOPPING:
    return svc_reply_with_headers(conn, 503, NULL, "Retry-After: 1\r\n", "stopping\n", 9);
  case SVC_STARTING: break;
  }
  return svc_reply_with_headers(conn, 503, NULL, "Retry-After: 1\r\n", "starting\n", 9);
}

static int ready_begin(struct mg_connection *conn) {
  const struct mg_request_info *ri = mg_get_request_info(conn);
  if (ri->local_uri && strcmp(ri->local_uri, SVC_READY_PATH) == 0) {
    answering_probe = true;
    return answer_probe(conn, ri);
  }
  return inner_begin ? inner_begin(conn) : 0;
}

static void ready_end(const struct mg_connection *conn, int status) {
  if (answering_probe) {
    answering_probe = false;
    return;
  }
  if (inner_end) inner_end(conn, status);
}

void svc_ready_wrap(struct mg_callbacks *cb) {
  if (cb->begin_request != ready_begin) inner_begin = cb->begin_request;
  if (cb->end_request != ready_end) inner_end = cb->end_request;
  cb->begin_request = ready_begin;
  cb->end_request = ready_end;
}
