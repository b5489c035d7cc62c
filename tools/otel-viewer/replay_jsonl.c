/* SPDX-License-Identifier: Apache-2.0
 *
 * replay_jsonl.c: --from-jsonl FILE, so that a participant can reopen
 * yesterday's telemetry. Each line of a file written by --jsonl (or by the
 * Collector's file exporter: the same format) is one Export*ServiceRequest
 * in OTLP/JSON; its signal is told by its top-level key (resourceSpans,
 * resourceMetrics, resourceLogs). Lines go through the same ingest as
 * requests from the network, with an ingest of their own that writes no
 * JSON line (the file may be the one --jsonl appends to). A line that does
 * not decode is skipped and counted, and so is one over the limits of
 * request_decode.c (a line is judged as a body under --max-body 64 MiB:
 * its JSON is larger than the protobuf request it was written from).
 */
#include "viewer.h"

#include <stdlib.h>
#include <string.h>

#define REPLAY_MAX_LINE ((size_t)64 << 20)

/* The signal of one line, by its first top-level key; -1 if none. */
static int signal_of(const char *line) {
  static const char *const keys[] = {"\"resourceSpans\"", "\"resourceMetrics\"",
                                     "\"resourceLogs\""};
  static const char *const snake[] = {"\"resource_spans\"", "\"resource_metrics\"",
                                      "\"resource_logs\""};
  const char *best = NULL;
  int sig = -1;
  for (int i = 0; i < 3; i++) {
    const char *p = strstr(line, keys[i]);
    if (!p) p = strstr(line, snake[i]);
    if (p && (!best || p < best)) { best = p; sig = i; }
  }
  return sig;
}

bool vw_replay_jsonl(vw_store_t *store, FILE *f, size_t *replayed, size_t *skipped) {
  vw_ingest_t *in = vw_ingest_create(store, NULL);
  if (!in) return false;
  *replayed = *skipped = 0;
  char *line = NULL;
  size_t cap = 0;
  ssize_t n;
  while ((n = getline(&line, &cap, f)) > 0) {
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = '\0';
    if (n == 0) continue;
    int sig = signal_of(line);
    vw_request_t req;
    char why[200];
    if (sig < 0 || vw_decode_request((vw_signal_t)sig, (const uint8_t *)line, (size_t)n, true,
                                     REPLAY_MAX_LINE, &req, why, sizeof why) != VW_DECODE_OK) {
      (*skipped)++;
      continue;
    }
    ProtobufCMessage *resp = vw_ingest_request(in, (vw_signal_t)sig, req.msg, NULL);
    if (resp) protobuf_c_message_free_unpacked(resp, NULL);
    vw_request_release(&req);
    (*replayed)++;
  }
  free(line);
  vw_ingest_destroy(in);
  return true;
}
