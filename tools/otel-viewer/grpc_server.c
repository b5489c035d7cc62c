/* SPDX-License-Identifier: Apache-2.0
 *
 * grpc_server.c: the gRPC port (4317 by default): the Export method of the
 * OTLP TraceService, MetricsService and LogsService, served with the gRPC C
 * core on one completion queue drained by one thread; over TLS (SSL server
 * credentials) with --tls-cert/--tls-key.
 *
 * Each method always has one call requested in advance (a "slot"). When a
 * call arrives its slot is answered (decode, ingest, send the response and
 * status in one batch) and a new slot is requested for that method. Other
 * methods get UNIMPLEMENTED through a generic slot. Undecodable bytes (or
 * nested deeper than VW_MAX_NESTING) get INVALID_ARGUMENT, a request over
 * the decode budget RESOURCE_EXHAUSTED (request_decode.c); a partial success is an OK status whose response has
 * partial_success set, as the OTLP spec says.
 */
#include "viewer.h"

#include <grpc/byte_buffer_reader.h>
#include <grpc/grpc.h>
#include <grpc/grpc_security.h>
#include <grpc/support/time.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define GENERIC 3

static const char *const method_names[3] = {
    "/opentelemetry.proto.collector.trace.v1.TraceService/Export",
    "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export",
    "/opentelemetry.proto.collector.logs.v1.LogsService/Export"};

struct vw_grpc {
  grpc_server *server;
  grpc_completion_queue *cq;
  pthread_t thread;
  void *methods[3];
  vw_ingest_t *in;
  size_t max_body;        /* the decode budget is derived from it */
  atomic_bool stopping;
};

typedef struct slot {
  int kind;                   /* vw_signal_t, or GENERIC */
  bool answering;             /* false: waiting for a call; true: replying */
  grpc_call *call;
  gpr_timespec deadline;
  grpc_call_details details;  /* GENERIC only */
  grpc_metadata_array md;
  grpc_byte_buffer *payload;
  grpc_byte_buffer *response;
  grpc_slice status_details;
  char why[200];              /* a status message made for this call */
  int cancelled;
} slot_t;

static char shutdown_tag;

static void slot_free(slot_t *s) {
  if (s->call) grpc_call_unref(s->call);
  if (s->payload) grpc_byte_buffer_destroy(s->payload);
  if (s->response) grpc_byte_buffer_destroy(s->response);
  grpc_slice_unref(s->status_details);
  grpc_metadata_array_destroy(&s->md);
  if (s->kind == GENERIC) grpc_call_details_destroy(&s->details);
  free(s);
}

static void request_slot(vw_grpc_t *g, int kind) {
  if (atomic_load(&g->stopping)) return;
  slot_t *s = calloc(1, sizeof *s);
  if (!s) return;
  s->kind = kind;
  s->status_details = grpc_empty_slice();
  grpc_metadata_array_init(&s->md);
  grpc_call_error e;
  if (kind == GENERIC) {
    grpc_call_details_init(&s->details);
    e = grpc_server_request_call(g->server, &s->call, &s->details, &s->md, g->cq, g->cq, s);
  } else {
    e = grpc_server_request_registered_call(g->server, g->methods[kind], &s->call,
                                            &s->deadline, &s->md, &s->payload, g->cq,
                                            g->cq, s);
  }
  if (e != GRPC_CALL_OK) slot_free(s);
}

/* Decodes and ingests the payload; sets response or an error status. */
static grpc_status_code answer(vw_grpc_t *g, slot_t *s, const char **why) {
  if (s->kind == GENERIC) { *why = "unknown method"; return GRPC_STATUS_UNIMPLEMENTED; }
  if (!s->payload) { *why = "no request message"; return GRPC_STATUS_INVALID_ARGUMENT; }
  grpc_byte_buffer_reader reader;
  if (!grpc_byte_buffer_reader_init(&reader, s->payload)) {
    *why = "cannot read the request message";
    return GRPC_STATUS_INVALID_ARGUMENT;
  }
  grpc_slice bytes = grpc_byte_buffer_reader_readall(&reader);
  grpc_byte_buffer_reader_destroy(&reader);
  vw_request_t req;
  vw_decode_status_t st =
      vw_decode_request((vw_signal_t)s->kind, GRPC_SLICE_START_PTR(bytes),
                        GRPC_SLICE_LENGTH(bytes), false, g->max_body, &req, s->why, sizeof s->why);
  if (st != VW_DECODE_OK) {
    grpc_slice_unref(bytes);
    *why = s->why;
    return st == VW_DECODE_TOO_LARGE ? GRPC_STATUS_RESOURCE_EXHAUSTED
           : st == VW_DECODE_BUSY    ? GRPC_STATUS_UNAVAILABLE
                                     : GRPC_STATUS_INVALID_ARGUMENT;
  }
  vw_slice_t raw = {GRPC_SLICE_START_PTR(bytes), GRPC_SLICE_LENGTH(bytes)};
  ProtobufCMessage *resp = vw_ingest_request(g->in, (vw_signal_t)s->kind, req.msg, &raw);
  grpc_slice_unref(bytes);
  vw_request_release(&req);
  if (!resp) { *why = "out of memory"; return GRPC_STATUS_RESOURCE_EXHAUSTED; }
  size_t n = protobuf_c_message_get_packed_size(resp);
  grpc_slice out = grpc_slice_malloc(n);
  protobuf_c_message_pack(resp, GRPC_SLICE_START_PTR(out));
  protobuf_c_message_free_unpacked(resp, NULL);
  s->response = grpc_raw_byte_buffer_create(&out, 1);
  grpc_slice_unref(out);
  return GRPC_STATUS_OK;
}

static void start_reply(vw_grpc_t *g, slot_t *s) {
  const char *why = NULL;
  grpc_status_code code = answer(g, s, &why);
  if (code != GRPC_STATUS_OK) s->status_details = grpc_slice_from_copied_string(why);
  grpc_op ops[4];
  memset(ops, 0, sizeof ops);
  size_t n = 0;
  ops[n].op = GRPC_OP_SEND_INITIAL_METADATA;
  ops[n++].data.send_initial_metadata.count = 0;
  if (s->response) {
    ops[n].op = GRPC_OP_SEND_MESSAGE;
    ops[n++].data.send_message.send_message = s->response;
  }
  ops[n].op = GRPC_OP_SEND_STATUS_FROM_SERVER;
  ops[n].data.send_status_from_server.trailing_metadata_count = 0;
  ops[n].data.send_status_from_server.status = code;
  ops[n++].data.send_status_from_server.status_details = &s->status_details;
  ops[n].op = GRPC_OP_RECV_CLOSE_ON_SERVER;
  ops[n++].data.recv_close_on_server.cancelled = &s->cancelled;
  s->answering = true;
  if (grpc_call_start_batch(s->call, ops, n, s, NULL) != GRPC_CALL_OK) slot_free(s);
}

static void *loop(void *arg) {
  vw_grpc_t *g = arg;
  for (;;) {
    grpc_event ev = grpc_completion_queue_next(g->cq, gpr_inf_future(GPR_CLOCK_REALTIME), NULL);
    if (ev.type == GRPC_QUEUE_SHUTDOWN) break;
    if (ev.type != GRPC_OP_COMPLETE) continue;
    if (ev.tag == &shutdown_tag) {
      grpc_completion_queue_shutdown(g->cq);
      continue;
    }
    slot_t *s = ev.tag;
    if (s->answering || !ev.success) {
      slot_free(s);
      continue;
    }
    request_slot(g, s->kind); /* keep one call requested per method */
    start_reply(g, s);
  }
  return NULL;
}

/* SSL server credentials from the PEM files, or NULL (message printed). */
static grpc_server_credentials *ssl_server_credentials(const vw_tls_files_t *tls) {
  grpc_ssl_pem_key_cert_pair pair = {vw_read_file(tls->key_file, 1 << 20),
                                     vw_read_file(tls->cert_file, 1 << 20)};
  char *client_ca = tls->client_ca_file ? vw_read_file(tls->client_ca_file, 1 << 20) : NULL;
  grpc_server_credentials *creds = NULL;
  if (!pair.private_key || !pair.cert_chain || (tls->client_ca_file && !client_ca))
    fprintf(stderr, "otel-viewer: cannot read %s\n",
            !pair.private_key ? tls->key_file : !pair.cert_chain ? tls->cert_file
                                                                 : tls->client_ca_file);
  else
    creds = grpc_ssl_server_credentials_create_ex(
        client_ca, &pair, 1,
        client_ca ? GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY
                  : GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE,
        NULL);
  free((char *)pair.private_key);
  free((char *)pair.cert_chain);
  free(client_ca);
  return creds;
}

vw_grpc_t *vw_grpc_start(const char *bind, int port, vw_ingest_t *in,
                         size_t max_body, const vw_tls_files_t *tls, int *bound_port) {
  vw_grpc_t *g = calloc(1, sizeof *g);
  if (!g) return NULL;
  g->in = in;
  g->max_body = max_body;
  grpc_init();
  grpc_arg args[1];
  args[0].type = GRPC_ARG_INTEGER;
  args[0].key = (char *)GRPC_ARG_MAX_RECEIVE_MESSAGE_LENGTH;
  args[0].value.integer = (int)max_body;
  grpc_channel_args cargs = {.num_args = 1, .args = args};
  g->server = grpc_server_create(&cargs, NULL);
  g->cq = grpc_completion_queue_create_for_next(NULL);
  grpc_server_register_completion_queue(g->server, g->cq, NULL);
  for (int i = 0; i < 3; i++)
    g->methods[i] = grpc_server_register_method(g->server, method_names[i], NULL,
                                                GRPC_SRM_PAYLOAD_READ_INITIAL_BYTE_BUFFER, 0);
  char addr[300];
  snprintf(addr, sizeof addr, "%s:%d", bind, port);
  grpc_server_credentials *creds =
      tls ? ssl_server_credentials(tls) : grpc_insecure_server_credentials_create();
  *bound_port = creds ? grpc_server_add_http2_port(g->server, addr, creds) : 0;
  if (creds) grpc_server_credentials_release(creds);
  if (*bound_port == 0) {
    fprintf(stderr, "otel-viewer: cannot listen for gRPC on %s\n", addr);
    grpc_server_destroy(g->server);
    grpc_completion_queue_shutdown(g->cq);
    while (grpc_completion_queue_next(g->cq, gpr_inf_future(GPR_CLOCK_REALTIME), NULL).type !=
           GRPC_QUEUE_SHUTDOWN) {
    }
    grpc_completion_queue_destroy(g->cq);
    grpc_shutdown();
    free(g);
    return NULL;
  }
  grpc_server_start(g->server);
  for (int i = 0; i < 3; i++) request_slot(g, i);
  request_slot(g, GENERIC);
  pthread_create(&g->thread, NULL, loop, g);
  return g;
}

void vw_grpc_stop(vw_grpc_t *g) {
  if (!g) return;
  atomic_store(&g->stopping, true);
  grpc_server_shutdown_and_notify(g->server, g->cq, &shutdown_tag);
  grpc_server_cancel_all_calls(g->server);
  pthread_join(g->thread, NULL);
  grpc_server_destroy(g->server);
  grpc_completion_queue_destroy(g->cq);
  grpc_shutdown();
  /* grpc_shutdown finishes asynchronously: wait (bounded) for it */
  for (int i = 0; i < 500 && grpc_is_initialized(); i++) {
    struct timespec ts = {0, 10 * 1000 * 1000};
    nanosleep(&ts, NULL);
  }
  free(g);
}
