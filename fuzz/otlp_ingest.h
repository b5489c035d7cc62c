/* SPDX-License-Identifier: Apache-2.0
 *
 * otlp_ingest.h: what the two OTLP fuzz targets do with a body once they
 * have it, the way the viewer's transports do: vw_decode_request (the
 * one-pass protobuf decoder, or the JSON decoder and its UTF-8 check) under a
 * --max-body of 1 MiB, then vw_ingest_request into a small store
 * with a JSON-lines file (/dev/null), and then the query API and the pages
 * that read what was stored. A fresh store per input keeps runs
 * independent. Properties: a refusal says why; what was accepted can be
 * shown.
 */
#ifndef OTLP_INGEST_H
#define OTLP_INGEST_H

#include "../tools/otel-viewer/viewer.h"
#include "fuzz.h"

/* --max-body for the targets: 1 MiB, not the viewer's 16, so that one input
 * decodes to at most 8 MiB; with 16 an input that inflates to a valid
 * 8 MiB export (ingested, turned into JSON, read back) ran for 11 s and
 * the target managed 10 execs/s. Gzip bombs and budgets are the same code
 * whatever the number. */
#define FUZZ_MAX_BODY ((size_t)1 << 20)

static void fuzz_read_back(vw_store_t *store) {
  static const char *const api[] = {"/api/traces", "/api/logs", "/api/metrics", "/api/map",
                                    "/api/stats"};
  for (size_t i = 0; i < sizeof api / sizeof api[0]; i++) {
    int status = 0;
    const char *ctype;
    char *body = vw_query(store, api[i], NULL, &status, &ctype);
    FUZZ_CHECK(body && status == 200);
    free(body);
  }
  static const char *const pages[] = {"/", "/logs", "/charts", "/map"};
  for (size_t i = 0; i < sizeof pages / sizeof pages[0]; i++) {
    int status = 0;
    const char *ctype;
    char *body = vw_pages(store, pages[i], NULL, 0, &status, &ctype);
    FUZZ_CHECK(body && status == 200);
    free(body);
  }
}

/* Shows every stored trace as the live view and the trace page do. */
static void fuzz_show_trace(const vw_trace_t *t, void *ud) {
  (void)ud;
  vw_render_opts_t o = {.color = true, .bar_width = 20};
  char *text = vw_render_waterfall(t, &o);
  FUZZ_CHECK(text);
  free(text);
}

static void fuzz_decode_ingest(vw_signal_t sig, const uint8_t *body, size_t len, bool json) {
  vw_request_t req;
  char why[200] = "";
  vw_decode_status_t st = vw_decode_request(sig, body, len, json, FUZZ_MAX_BODY, &req, why,
                                            sizeof why);
  if (st != VW_DECODE_OK) {
    FUZZ_CHECK(why[0] != '\0');
    return;
  }
  static FILE *devnull;
  if (!devnull) devnull = fopen("/dev/null", "w");
  vw_store_t *store = vw_store_create(8, 16, 16);
  vw_ingest_t *in = vw_ingest_create(store, NULL);
  vw_slice_t raw = {body, len};
  ProtobufCMessage *resp = vw_ingest_request(in, sig, req.msg, json ? NULL : &raw);
  FUZZ_CHECK(resp);
  protobuf_c_message_free_unpacked(resp, NULL);
  if (devnull) { /* the JSON line --jsonl writes */
    cJSON *j = vw_pb_to_json(req.msg);
    char *line = j ? cJSON_PrintUnformatted(j) : NULL;
    if (line) fputs(line, devnull);
    free(line);
    cJSON_Delete(j);
  }
  vw_request_release(&req);
  fuzz_read_back(store);
  vw_store_each_trace(store, fuzz_show_trace, NULL);
  vw_ingest_destroy(in);
  vw_store_destroy(store);
}

#endif /* OTLP_INGEST_H */
