/* SPDX-License-Identifier: Apache-2.0
 *
 * otlp_client.c: sends encoded OTLP requests with the configured transport
 * and retries what the OTLP specification calls retryable, with
 * exponential backoff and full jitter, honouring the server's hint, all
 * within the options' timeout. It knows no signal: the bytes are
 * encoded by the caller, and the answer is read by otlp_response.c. The
 * backoff sleep waits on a condition variable, so otel__otlp_client_cancel
 * (a shutdown deadline) ends it at once, as it ends the request in flight
 * (each transport's cancel).
 */
#include "otlp_transport.h"

#include "internal.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct otel__otlp_client {
  otel_otlp_options_t opts;
  const struct otel__otlp_transport_type *transport;
  void *ctx;
  uint64_t jitter_state;
  atomic_bool cancelled;
  pthread_mutex_t lock; /* with `wake`: the backoff sleep */
  pthread_cond_t wake;
};

/* A PEM file of the TLS settings that cannot be read refuses the exporter
 * now, with its name, rather than failing every export later. */
static bool tls_file_readable(const char *path, const char *what) {
  if (!path[0]) return true;
  FILE *f = fopen(path, "r");
  if (f) {
    fclose(f);
    return true;
  }
  otel__diag(OTEL_DIAG_ERROR, "otlp_tls", "OTLP %s \"%s\" cannot be read (%s); this exporter is off",
             what, path, strerror(errno));
  return false;
}

static bool tls_settings_usable(const otel_otlp_options_t *o) {
  if (!o->client_certificate[0] != !o->client_key[0]) {
    otel__diag(OTEL_DIAG_ERROR, "otlp_tls",
               "OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE and OTEL_EXPORTER_OTLP_CLIENT_KEY go together; "
               "only one is set; this exporter is off");
    return false;
  }
  return tls_file_readable(o->certificate, "certificate (OTEL_EXPORTER_OTLP_CERTIFICATE)") &&
         tls_file_readable(o->client_certificate, "client certificate (OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE)") &&
         tls_file_readable(o->client_key, "client key (OTEL_EXPORTER_OTLP_CLIENT_KEY)");
}

/* Headers often carry credentials (an API key, a bearer token): say so
 * when they would travel in cleartext to another machine. */
static void warn_cleartext_headers(const otel_otlp_options_t *o) {
  const char *host = o->endpoint;
  bool tls;
  if (!strncmp(host, "https://", 8)) return;
  if (!strncmp(host, "http://", 7)) host += 7, tls = false;
  else tls = !o->insecure; /* gRPC "host:port" */
  if (tls || !o->header_count) return;
  size_t n = host[0] == '[' ? strcspn(host, "]") + 1 : strcspn(host, ":/");
  if ((n == 9 && !strncmp(host, "localhost", 9)) || !strncmp(host, "127.", 4) ||
      (n == 5 && !strncmp(host, "[::1]", 5)))
    return;
  otel__diag(OTEL_DIAG_WARN, "otlp_cleartext_headers",
             "OTLP headers (OTEL_EXPORTER_OTLP_HEADERS) go in cleartext to %s: use an https:// "
             "endpoint to protect the credentials they may hold",
             o->endpoint);
}

otel_err_t otel__otlp_client_create(const otel_otlp_options_t *opts, otel__otlp_client_t **out) {
  *out = NULL;
  /* gRPC also takes "host:port" (its security then set by opts->insecure) */
  bool has_scheme = opts && (!strncmp(opts->endpoint, "http://", 7) || !strncmp(opts->endpoint, "https://", 8));
  if (!opts || !opts->endpoint[0] || (!has_scheme && opts->protocol != OTEL_OTLP_PROTOCOL_GRPC) ||
      (!has_scheme && strstr(opts->endpoint, "://"))) {
    otel__diag(OTEL_DIAG_ERROR, "otlp_endpoint",
               "OTLP endpoint \"%s\" must start with http:// or https://", opts ? opts->endpoint : "");
    return OTEL_EINVAL;
  }
  if (!tls_settings_usable(opts)) return OTEL_EINVAL;
  warn_cleartext_headers(opts);
  otel__otlp_client_t *c = calloc(1, sizeof(*c));
  if (!c) return OTEL_ENOMEM;
  c->opts = *opts;
  otel__otlp_drop_invalid_headers(&c->opts); /* a CR/LF would split the request */
  c->transport = opts->protocol == OTEL_OTLP_PROTOCOL_GRPC ? &otel__otlp_grpc_transport
                                                           : &otel__otlp_http_transport;
  c->ctx = c->transport->create(&c->opts);
  if (!c->ctx) { /* out of memory, or TLS files unusable (diagnostic made) */
    free(c);
    return OTEL_EINVAL;
  }
  c->jitter_state = otel_time_now_ns() ^ (uintptr_t)c;
  pthread_mutex_init(&c->lock, NULL);
  pthread_condattr_t ca;
  pthread_condattr_init(&ca);
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  pthread_cond_init(&c->wake, &ca);
  pthread_condattr_destroy(&ca);
  *out = c;
  return OTEL_OK;
}

void otel__otlp_client_destroy(otel__otlp_client_t *c) {
  if (!c) return;
  c->transport->destroy(c->ctx);
  pthread_mutex_destroy(&c->lock);
  pthread_cond_destroy(&c->wake);
  free(c);
}

void otel__otlp_client_cancel(otel__otlp_client_t *c) {
  if (!c) return;
  pthread_mutex_lock(&c->lock);
  atomic_store(&c->cancelled, true);
  pthread_cond_broadcast(&c->wake);
  pthread_mutex_unlock(&c->lock);
  if (c->transport->cancel) c->transport->cancel(c->ctx);
}

/* Sleeps ms, or less when the client is cancelled meanwhile. */
static void backoff_sleep(otel__otlp_client_t *c, uint64_t ms) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  uint64_t ns = (uint64_t)ts.tv_nsec + (ms % 1000) * 1000000ull;
  ts.tv_sec += (time_t)(ms / 1000 + ns / 1000000000ull);
  ts.tv_nsec = (long)(ns % 1000000000ull);
  pthread_mutex_lock(&c->lock);
  while (!atomic_load(&c->cancelled))
    if (pthread_cond_timedwait(&c->wake, &c->lock, &ts) == ETIMEDOUT) break;
  pthread_mutex_unlock(&c->lock);
}

/* Full jitter: a random delay in [backoff/2, backoff]. */
static uint64_t jittered(otel__otlp_client_t *c, uint64_t backoff) {
  c->jitter_state = c->jitter_state * 6364136223846793005ull + 1442695040888963407ull;
  uint64_t r = c->jitter_state >> 33;
  return backoff / 2 + (backoff > 1 ? r % (backoff / 2 + 1) : 0);
}

otel_err_t otel__otlp_client_send(otel__otlp_client_t *c, const uint8_t *body, size_t len,
                                  otel__otlp_result_t *res) {
  memset(res, 0, sizeof(*res));
  uint8_t *copy = malloc(len ? len : 1);
  if (copy && len) memcpy(copy, body, len);
  otel__otlp_body_t *b = copy ? otel__otlp_body_adopt(copy, copy, len) : NULL;
  if (!b) return res->err = OTEL_ENOMEM;
  otel_err_t err = otel__otlp_client_send_body(c, b, res);
  otel__otlp_body_release(b);
  return err;
}

otel_err_t otel__otlp_client_send_body(otel__otlp_client_t *c, otel__otlp_body_t *body,
                                       otel__otlp_result_t *res) {
  memset(res, 0, sizeof(*res));
  if (!c) return res->err = OTEL_EINVAL;
  uint64_t start = otel__monotonic_ns();
  uint64_t deadline = start + (uint64_t)c->opts.timeout_ms * 1000000ull;
  uint64_t backoff = c->opts.retry_initial_backoff_ms ? c->opts.retry_initial_backoff_ms : 1000;
  for (;;) {
    uint64_t now = otel__monotonic_ns();
    if (atomic_load(&c->cancelled)) {
      res->err = OTEL_ECANCELED;
      if (!res->message[0]) snprintf(res->message, sizeof(res->message), "shutdown deadline passed");
      break;
    }
    if (now >= deadline) {
      res->err = res->attempts ? OTEL_ERETRY : OTEL_ETIMEDOUT;
      break;
    }
    otel__otlp_attempt_t a;
    memset(&a, 0, sizeof(a));
    c->transport->send(c->ctx, body, (uint32_t)((deadline - now) / 1000000ull) + 1, &a);
    res->attempts++;
    res->rejected = a.rejected;
    snprintf(res->message, sizeof(res->message), "%s", a.message);
    if (!a.err || !a.retryable || atomic_load(&c->cancelled)) {
      res->err = a.err;
      break;
    }
    uint64_t wait = a.retry_after_ms ? a.retry_after_ms : jittered(c, backoff);
    now = otel__monotonic_ns();
    if (now + wait * 1000000ull >= deadline) {
      res->err = OTEL_ERETRY;
      break; /* no time left for another try */
    }
    backoff_sleep(c, wait);
    uint64_t max = c->opts.retry_max_backoff_ms ? c->opts.retry_max_backoff_ms : 5000;
    backoff = backoff * 2 > max ? max : backoff * 2;
  }
  return res->err;
}
