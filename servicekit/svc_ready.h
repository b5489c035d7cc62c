/* servicekit/svc_ready.h: the readiness endpoint every service answers.
 *
 *   GET /healthz -> 503 "starting" (Retry-After: 1) until the service is
 *                   ready, 200 "ready" once it is, 503 "stopping" again
 *                   once it is told to stop.
 *
 * svc_run() marks the service ready when it listens and its start-up
 * callback has run: everything a service needs to answer (the geolocator's
 * gazetteer, the ISS service's orbit) is loaded before that, so "ready"
 * means the next request gets a real answer. make run, the Docker
 * HEALTHCHECKs and the compose file's depends_on wait for it.
 *
 * The endpoint is answered in civetweb's begin_request, before the
 * callbacks the service passes to svc_server_start (its tracing and
 * metrics): a probe every few seconds is neither a span nor an app request
 * in the metrics. The zero-code agent skips the same path (its README).
 * One server per process: the state and the wrapped callbacks are
 * process-wide.
 */
#ifndef SVC_READY_H
#define SVC_READY_H

#include <civetweb.h>

#define SVC_READY_PATH "/healthz"

typedef enum svc_readiness {
  SVC_STARTING = 0, /* 503: not answering yet */
  SVC_READY,        /* 200 */
  SVC_STOPPING      /* 503: draining before exit */
} svc_readiness_t;

/* Sets or reads the process's readiness (thread-safe). */
void svc_ready_set(svc_readiness_t state);
svc_readiness_t svc_ready_get(void);

/* Replaces cb's begin_request/end_request with ones that answer
 * SVC_READY_PATH themselves and pass every other request to the callbacks
 * cb had (kept, process-wide). Called by svc_server_start. */
void svc_ready_wrap(struct mg_callbacks *cb);

#endif /* SVC_READY_H */
