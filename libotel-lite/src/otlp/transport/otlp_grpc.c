/* SPDX-License-Identifier: Apache-2.0
 *
 * otlp_grpc.c: the OTLP/gRPC transport on the gRPC C core: one unary call
 * to /opentelemetry.proto.collector.<signal>.v1.<Signal>Service/Export on
 * a channel, with the options' headers as metadata and the remaining
 * timeout as deadline. Retryable codes are the OTLP specification's;
 * RESOURCE_EXHAUSTED only with a RetryInfo hint.
 *
 * Security (specification, "OTLP Exporter Configuration"): https:// gets
 * SSL channel credentials (the system's roots, or the options' certificate
 * file; the client certificate and key for mutual TLS), http:// gets
 * insecure ones, and a target without a scheme is secure unless
 * opts.insecure. An https endpoint never gets a cleartext byte.
 *
 * gRPC traps (docs/design.md, gRPC): grpc_init starts threads, so it runs on the first
 * client creation (never before a fork of the application); after
 * UNAVAILABLE the channel is recreated (at most once a second), because
 * calls on the old one keep failing for seconds after the receiver is back.
 *
 * Cancel (a shutdown deadline) cancels the call in flight with
 * grpc_call_cancel, which is thread-safe, and fails every later send.
 */
#include "otlp_transport.h"

#include "google/rpc/status.pb-c.h"
#include "internal.h"

#include <grpc/byte_buffer.h>
#include <grpc/byte_buffer_reader.h>
#include <grpc/grpc.h>
#include <grpc/grpc_security.h>
#include <grpc/support/alloc.h>
#include <grpc/support/time.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct grpc_transport {
  otel_otlp_options_t opts; /* copy */
  char target[512];
  const char *method;
  grpc_channel *channel;
  grpc_channel_credentials *creds; /* kept for re-creating the channel */
  uint64_t channel_created_ns;
  grpc_metadata metadata[OTEL_OTLP_MAX_HEADERS];
  size_t metadata_count;
  pthread_mutex_t call_lock; /* guards call and cancelled */
  grpc_call *call;           /* the call in flight, or NULL */
  bool cancelled;
  unsigned deadlines_in_a_row; /* DEADLINE_EXCEEDED since the last other answer */
} grpc_transport_t;

static atomic_int live_clients; /* transports alive in this process */

static const char *method_for(otel_signal_t s) {
  switch (s) {
  case OTEL_SIGNAL_METRICS: return "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export";
  case OTEL_SIGNAL_LOGS: return "/opentelemetry.proto.collector.logs.v1.LogsService/Export";
  default: return "/opentelemetry.proto.collector.trace.v1.TraceService/Export";
  }
}

/* Keepalive: a ping every 30 s while a call is open, and the connection
 * is dropped when no answer comes within 10 s, so a collector that vanished
 * without closing its connection (host gone, network cut) is noticed
 * before TCP gives up. 30 s stays above the intervals servers refuse
 * (too_many_pings) when pings are sent only while calls are open. */
#define KEEPALIVE_TIME_MS 30000
#define KEEPALIVE_TIMEOUT_MS 10000
/* The channel is recreated after this many DEADLINE_EXCEEDED in a row
 * (as after UNAVAILABLE), at most once a second. */
#define DEADLINES_BEFORE_NEW_CHANNEL 2

static void open_channel(grpc_transport_t *g) {
  grpc_arg args[5];
  grpc_channel_args chargs = {0, args};
  args[chargs.num_args].type = GRPC_ARG_INTEGER;
  args[chargs.num_args].key = GRPC_ARG_KEEPALIVE_TIME_MS;
  args[chargs.num_args++].value.integer = KEEPALIVE_TIME_MS;
  args[chargs.num_args].type = GRPC_ARG_INTEGER;
  args[chargs.num_args].key = GRPC_ARG_KEEPALIVE_TIMEOUT_MS;
  args[chargs.num_args++].value.integer = KEEPALIVE_TIMEOUT_MS;
  args[chargs.num_args].type = GRPC_ARG_INTEGER;
  args[chargs.num_args].key = GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA;
  args[chargs.num_args++].value.integer = 0; /* keep pinging a stuck call */
  /* its own subchannels: otherwise a recreated channel gets the old one's
   * connection back from gRPC's global pool, silent peer included */
  args[chargs.num_args].type = GRPC_ARG_INTEGER;
  args[chargs.num_args].key = GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL;
  args[chargs.num_args++].value.integer = 1;
  if (g->opts.gzip) {
    args[chargs.num_args].type = GRPC_ARG_INTEGER;
    args[chargs.num_args].key = GRPC_COMPRESSION_CHANNEL_DEFAULT_ALGORITHM;
    args[chargs.num_args++].value.integer = GRPC_COMPRESS_GZIP;
  }
  g->channel = grpc_channel_create(g->target, g->creds, &chargs);
  g->channel_created_ns = otel__monotonic_ns();
}

/* The whole of a (small) PEM file, malloc'd, or NULL with a diagnostic. */
static char *read_pem(const char *path) {
  FILE *f = fopen(path, "rb");
  char *text = NULL;
  size_t len = 0;
  if (f) {
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0 && len < (1u << 20)) {
      char *grown = realloc(text, len + n + 1);
      if (!grown) break;
      text = grown;
      memcpy(text + len, chunk, n);
      len += n;
    }
    bool ok = !ferror(f) && feof(f);
    fclose(f);
    if (ok && text) {
      text[len] = '\0';
      return text;
    }
  }
  free(text);
  otel__diag(OTEL_DIAG_ERROR, "otlp_tls", "cannot read the PEM file \"%s\"; this exporter is off", path);
  return NULL;
}

/* SSL credentials from the options' files, or NULL (diagnostic made). */
static grpc_channel_credentials *ssl_credentials(const otel_otlp_options_t *o) {
  char *roots = o->certificate[0] ? read_pem(o->certificate) : NULL;
  if (o->certificate[0] && !roots) return NULL;
  grpc_ssl_pem_key_cert_pair pair = {NULL, NULL};
  if (o->client_key[0] && o->client_certificate[0]) {
    pair.private_key = read_pem(o->client_key);
    pair.cert_chain = pair.private_key ? read_pem(o->client_certificate) : NULL;
    if (!pair.cert_chain) {
      free((char *)pair.private_key);
      free(roots);
      return NULL;
    }
  }
  /* NULL roots: gRPC's default roots, the system's (/etc/ssl/certs) */
  grpc_channel_credentials *creds =
      grpc_ssl_credentials_create(roots, pair.private_key ? &pair : NULL, NULL, NULL);
  free(roots);
  free((char *)pair.private_key);
  free((char *)pair.cert_chain);
  return creds;
}

static void *grpc_create(const otel_otlp_options_t *o) {
  grpc_transport_t *g = calloc(1, sizeof(*g));
  if (!g) return NULL;
  g->opts = *o;
  const char *ep = o->endpoint;
  bool tls = !o->insecure;
  if (!strncmp(ep, "http://", 7)) ep += 7, tls = false;
  else if (!strncmp(ep, "https://", 8)) ep += 8, tls = true;
  snprintf(g->target, sizeof(g->target), "%s", ep);
  size_t n = strlen(g->target);
  while (n && g->target[n - 1] == '/') g->target[--n] = '\0';
  g->method = method_for(o->signal);
  for (size_t i = 0; i < o->header_count; i++) {
    g->metadata[i].key = grpc_slice_from_static_string(g->opts.headers[i].key);
    g->metadata[i].value = grpc_slice_from_static_string(g->opts.headers[i].value);
  }
  g->metadata_count = o->header_count;
  pthread_mutex_init(&g->call_lock, NULL);
  grpc_init();
  g->creds = tls ? ssl_credentials(o) : grpc_insecure_credentials_create();
  if (!g->creds) { /* never fall back to cleartext */
    pthread_mutex_destroy(&g->call_lock);
    free(g);
    grpc_shutdown();
    return NULL;
  }
  atomic_fetch_add(&live_clients, 1);
  open_channel(g);
  return g;
}

/* Set once any transport was cancelled: a shutdown deadline passed. */
static atomic_bool any_cancelled;

static void grpc_destroy(void *ctx) {
  grpc_transport_t *g = ctx;
  if (g->channel) grpc_channel_destroy(g->channel);
  grpc_channel_credentials_release(g->creds);
  pthread_mutex_destroy(&g->call_lock);
  free(g);
  grpc_shutdown();
  /* grpc_shutdown finishes on a background thread; when the last client
   * goes, wait for it (at most 2 s) so nothing of gRPC is left running or
   * allocated when the program exits (docs/design.md, gRPC). */
  /* Not after a cancel: gRPC's shutdown then waits for the connection
   * attempt in progress (20 s against a collector that accepts and never
   * answers), and the deadline has passed already. */
  if (atomic_fetch_sub(&live_clients, 1) == 1 && !atomic_load(&any_cancelled))
    for (int i = 0; i < 200 && grpc_is_initialized(); i++) {
      struct timespec ts = {0, 10000000};
      nanosleep(&ts, NULL);
    }
}

static void grpc_cancel(void *ctx) {
  grpc_transport_t *g = ctx;
  pthread_mutex_lock(&g->call_lock);
  g->cancelled = true;
  atomic_store(&any_cancelled, true);
  if (g->call) grpc_call_cancel(g->call, NULL);
  pthread_mutex_unlock(&g->call_lock);
}

static bool retryable_code(grpc_status_code c) {
  return c == GRPC_STATUS_CANCELLED || c == GRPC_STATUS_DEADLINE_EXCEEDED ||
         c == GRPC_STATUS_ABORTED || c == GRPC_STATUS_OUT_OF_RANGE ||
         c == GRPC_STATUS_UNAVAILABLE || c == GRPC_STATUS_DATA_LOSS;
}

/* Looks for google.rpc.RetryInfo in the grpc-status-details-bin trailer. */
static uint32_t retry_info_ms(const grpc_metadata_array *trailers) {
  for (size_t i = 0; i < trailers->count; i++) {
    if (!grpc_slice_str_cmp(trailers->metadata[i].key, "grpc-status-details-bin")) {
      grpc_slice v = trailers->metadata[i].value;
      Google__Rpc__Status *st = google__rpc__status__unpack(NULL, GRPC_SLICE_LENGTH(v), GRPC_SLICE_START_PTR(v));
      uint32_t ms = 0;
      for (size_t d = 0; st && d < st->n_details; d++) {
        if (!st->details[d]->type_url || !strstr(st->details[d]->type_url, "google.rpc.RetryInfo")) continue;
        Google__Rpc__RetryInfo *ri = google__rpc__retry_info__unpack(
            NULL, st->details[d]->value.len, st->details[d]->value.data);
        if (ri && ri->retry_delay) {
          ms = otel__otlp_retry_hint_ms(ri->retry_delay->seconds, ri->retry_delay->nanos);
        }
        if (ri) google__rpc__retry_info__free_unpacked(ri, NULL);
      }
      if (st) google__rpc__status__free_unpacked(st, NULL);
      return ms;
    }
  }
  return 0;
}

static void release_body(void *body) { otel__otlp_body_release(body); }

/* A slice of the body's bytes, not a copy: it holds a reference to the
 * body, dropped when gRPC is done with the slice (possibly after
 * grpc_send returned: the write of a cancelled call can still be queued). */
static grpc_slice body_slice_of(otel__otlp_body_t *body) {
  if (!body->len) return grpc_empty_slice();
  otel__otlp_body_ref(body);
  return grpc_slice_new_with_user_data(body->data, body->len, release_body, body);
}

static void grpc_send(void *ctx, otel__otlp_body_t *body, uint32_t timeout_ms,
                      otel__otlp_attempt_t *out) {
  grpc_transport_t *g = ctx;
  gpr_timespec deadline = gpr_time_add(gpr_now(GPR_CLOCK_MONOTONIC),
                                       gpr_time_from_millis(timeout_ms, GPR_TIMESPAN));
  grpc_completion_queue *cq = grpc_completion_queue_create_for_pluck(NULL);
  grpc_call *call = grpc_channel_create_call(g->channel, NULL, GRPC_PROPAGATE_DEFAULTS, cq,
                                             grpc_slice_from_static_string(g->method), NULL,
                                             deadline, NULL);
  grpc_slice body_slice = body_slice_of(body);
  grpc_byte_buffer *request = grpc_raw_byte_buffer_create(&body_slice, 1);
  grpc_slice_unref(body_slice);
  grpc_byte_buffer *response = NULL;
  grpc_metadata_array initial, trailing;
  grpc_metadata_array_init(&initial);
  grpc_metadata_array_init(&trailing);
  grpc_status_code code = GRPC_STATUS_UNKNOWN;
  grpc_slice details = grpc_empty_slice();

  grpc_op ops[6];
  memset(ops, 0, sizeof(ops));
  ops[0].op = GRPC_OP_SEND_INITIAL_METADATA;
  ops[0].data.send_initial_metadata.count = g->metadata_count;
  ops[0].data.send_initial_metadata.metadata = g->metadata_count ? g->metadata : NULL;
  ops[1].op = GRPC_OP_SEND_MESSAGE;
  ops[1].data.send_message.send_message = request;
  ops[2].op = GRPC_OP_SEND_CLOSE_FROM_CLIENT;
  ops[3].op = GRPC_OP_RECV_INITIAL_METADATA;
  ops[3].data.recv_initial_metadata.recv_initial_metadata = &initial;
  ops[4].op = GRPC_OP_RECV_MESSAGE;
  ops[4].data.recv_message.recv_message = &response;
  ops[5].op = GRPC_OP_RECV_STATUS_ON_CLIENT;
  ops[5].data.recv_status_on_client.trailing_metadata = &trailing;
  ops[5].data.recv_status_on_client.status = &code;
  ops[5].data.recv_status_on_client.status_details = &details;

  void *tag = (void *)g;
  pthread_mutex_lock(&g->call_lock);
  bool cancelled = g->cancelled;
  if (!cancelled) g->call = call;
  pthread_mutex_unlock(&g->call_lock);
  grpc_call_error ce = cancelled ? GRPC_CALL_ERROR : grpc_call_start_batch(call, ops, 6, tag, NULL);
  if (ce == GRPC_CALL_OK) {
    /* the call's own deadline ends it; wait a little longer than that */
    gpr_timespec wait = gpr_time_add(deadline, gpr_time_from_millis(2000, GPR_TIMESPAN));
    grpc_event ev = grpc_completion_queue_pluck(cq, tag, wait, NULL);
    if (ev.type != GRPC_OP_COMPLETE) {
      grpc_call_cancel(call, NULL);
      grpc_completion_queue_pluck(cq, tag, gpr_inf_future(GPR_CLOCK_MONOTONIC), NULL);
    }
  } else {
    code = cancelled ? GRPC_STATUS_CANCELLED : GRPC_STATUS_INTERNAL;
  }
  pthread_mutex_lock(&g->call_lock);
  g->call = NULL;
  cancelled = g->cancelled;
  pthread_mutex_unlock(&g->call_lock);

  if (code == GRPC_STATUS_OK) {
    out->err = OTEL_OK;
    g->deadlines_in_a_row = 0;
    if (response) {
      grpc_byte_buffer_reader reader;
      if (grpc_byte_buffer_reader_init(&reader, response)) {
        grpc_slice all = grpc_byte_buffer_reader_readall(&reader);
        otel__otlp_read_response(GRPC_SLICE_START_PTR(all), GRPC_SLICE_LENGTH(all), out);
        grpc_slice_unref(all);
        grpc_byte_buffer_reader_destroy(&reader);
      }
    }
  } else {
    uint32_t hint = retry_info_ms(&trailing);
    out->retryable = retryable_code(code) || (code == GRPC_STATUS_RESOURCE_EXHAUSTED && hint);
    out->retry_after_ms = hint;
    out->err = cancelled                               ? OTEL_ECANCELED
               : code == GRPC_STATUS_DEADLINE_EXCEEDED ? OTEL_ETIMEDOUT
               : code == GRPC_STATUS_UNAVAILABLE     ? OTEL_ECONNECT
               : out->retryable                      ? OTEL_ERETRY
                                                     : OTEL_EEXPORT;
    char *msg = grpc_slice_to_c_string(details);
    snprintf(out->message, sizeof(out->message), "gRPC status %d: %s", (int)code, msg ? msg : "");
    gpr_free(msg);
    g->deadlines_in_a_row = code == GRPC_STATUS_DEADLINE_EXCEEDED ? g->deadlines_in_a_row + 1 : 0;
    bool stale = code == GRPC_STATUS_UNAVAILABLE ||
                 g->deadlines_in_a_row >= DEADLINES_BEFORE_NEW_CHANNEL;
    if (stale && !cancelled && otel__monotonic_ns() - g->channel_created_ns > 1000000000ull) {
      g->deadlines_in_a_row = 0;
      grpc_channel_destroy(g->channel);
      open_channel(g);
    }
  }

  grpc_slice_unref(details);
  grpc_metadata_array_destroy(&initial);
  grpc_metadata_array_destroy(&trailing);
  if (response) grpc_byte_buffer_destroy(response);
  grpc_byte_buffer_destroy(request);
  grpc_call_unref(call);
  grpc_completion_queue_shutdown(cq);
  grpc_completion_queue_destroy(cq);
}

const struct otel__otlp_transport_type otel__otlp_grpc_transport = {
    .name = "grpc", .create = grpc_create, .send = grpc_send, .cancel = grpc_cancel,
    .destroy = grpc_destroy};
