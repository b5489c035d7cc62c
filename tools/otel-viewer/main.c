/* SPDX-License-Identifier: Apache-2.0
 *
 * main.c: otel-viewer, the local OTLP receiver and terminal viewer of the
 * native path (`make run`). Parses the options, starts the store, the HTTP
 * and gRPC servers, prints the one "listening" line (tests parse it when
 * they ask for port 0), then runs the live view on the main thread until
 * SIGINT or SIGTERM: traces as waterfalls once ready, log records as they
 * arrive, the metrics table when it changed (at most every 2 s).
 * Shutdown: stop the servers (no more requests), flush and close the
 * JSON-lines file, free the store.
 */
#include "viewer.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <civetweb.h>

#define QUIET_NS 500000000ull
#define METRICS_EVERY_NS 2000000000ull

typedef struct options {
  int grpc_port, http_port;
  const char *bind;
  long max_traces, max_logs, max_metrics, max_body;
  const char *jsonl, *from_jsonl;
  const char *tls_cert, *tls_key, *tls_client_ca;
  bool quiet, no_color;
} options_t;

static void usage(FILE *f) {
  fprintf(f,
          "usage: otel-viewer [options]\n"
          "Receives OTLP (gRPC and HTTP) and shows traces, logs and metrics live.\n"
          "  --grpc-port N      OTLP/gRPC port (default 4317, 0 picks a free port)\n"
          "  --http-port N      OTLP/HTTP and query API port (default 4318, 0 picks one)\n"
          "  --bind ADDR        address to listen on (default 127.0.0.1)\n"
          "  --max-traces N     traces kept in memory (default 1000)\n"
          "  --max-logs N       log records kept (default 10000)\n"
          "  --max-metrics N    metric streams kept (default 2000)\n"
          "  --max-body BYTES   request body limit, also once inflated (default 16 MiB)\n"
          "  --jsonl FILE       append every request as OTLP/JSON lines to FILE\n"
          "  --from-jsonl FILE  first load the requests of FILE (written by --jsonl)\n"
          "  --tls-cert FILE    serve both ports over TLS with this PEM certificate (chain)\n"
          "  --tls-key FILE     and this PEM private key (both or neither)\n"
          "  --tls-client-ca FILE  with TLS, require client certificates signed by this CA\n"
          "  --quiet            no live view (only the listening line)\n"
          "  --no-color         plain text even on a terminal\n"
          "  --help             this text\n");
}

static bool parse_long(const char *s, long min, long max, long *out) {
  char *end;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (errno || *s == '\0' || *end != '\0' || v < min || v > max) return false;
  *out = v;
  return true;
}

/* Returns 0 to run, 1 for --help, 2 for a usage error. */
static int parse_options(int argc, char **argv, options_t *o) {
  static const struct option longs[] = {
      {"grpc-port", required_argument, 0, 'g'}, {"http-port", required_argument, 0, 'h'},
      {"bind", required_argument, 0, 'b'},      {"max-traces", required_argument, 0, 't'},
      {"max-logs", required_argument, 0, 'l'},  {"max-metrics", required_argument, 0, 'm'},
      {"max-body", required_argument, 0, 'B'},  {"jsonl", required_argument, 0, 'j'},
      {"from-jsonl", required_argument, 0, 'J'},
      {"tls-cert", required_argument, 0, 'c'},  {"tls-key", required_argument, 0, 'k'},
      {"tls-client-ca", required_argument, 0, 'a'},
      {"quiet", no_argument, 0, 'q'},           {"no-color", no_argument, 0, 'n'},
      {"help", no_argument, 0, 'H'},            {0, 0, 0, 0}};
  *o = (options_t){.grpc_port = 4317, .http_port = 4318, .bind = "127.0.0.1",
                   .max_traces = 1000, .max_logs = 10000, .max_metrics = 2000,
                   .max_body = 16L << 20};
  int c;
  long v;
  while ((c = getopt_long(argc, argv, "", longs, NULL)) != -1) {
    switch (c) {
    case 'g': if (!parse_long(optarg, 0, 65535, &v)) goto bad; o->grpc_port = (int)v; break;
    case 'h': if (!parse_long(optarg, 0, 65535, &v)) goto bad; o->http_port = (int)v; break;
    case 'b': o->bind = optarg; break;
    case 't': if (!parse_long(optarg, 1, 1000000, &o->max_traces)) goto bad; break;
    case 'l': if (!parse_long(optarg, 1, 10000000, &o->max_logs)) goto bad; break;
    case 'm': if (!parse_long(optarg, 1, 1000000, &o->max_metrics)) goto bad; break;
    case 'B': if (!parse_long(optarg, 1024, 1L << 30, &o->max_body)) goto bad; break;
    case 'j': o->jsonl = optarg; break;
    case 'J': o->from_jsonl = optarg; break;
    case 'c': o->tls_cert = optarg; break;
    case 'k': o->tls_key = optarg; break;
    case 'a': o->tls_client_ca = optarg; break;
    case 'q': o->quiet = true; break;
    case 'n': o->no_color = true; break;
    case 'H': return 1;
    default: return 2;
    }
  }
  if (optind < argc) return 2;
  if (!o->tls_cert != !o->tls_key || (o->tls_client_ca && !o->tls_cert)) {
    fprintf(stderr, "otel-viewer: --tls-cert and --tls-key go together (--tls-client-ca needs them)\n");
    return 2;
  }
  return 0;
bad:
  fprintf(stderr, "otel-viewer: invalid value for --%s: %s\n",
          c == 'g' ? "grpc-port" : c == 'h' ? "http-port" : c == 'B' ? "max-body"
          : "max-traces/--max-logs/--max-metrics", optarg);
  return 2;
}

/* ---- live view ---------------------------------------------------------- */

typedef struct view {
  vw_render_opts_t ro;
  vw_buf_t out;
  uint64_t log_seq, metric_seq, last_metrics_ns, now;
  bool metrics_pending;
} view_t;

static void show_trace(const vw_trace_t *t, void *ud) {
  view_t *v = ud;
  char *text = vw_render_waterfall(t, &v->ro);
  if (!text) return;
  if (t->shown_spans) vw_buf_put(&v->out, "(updated: more spans arrived)\n");
  vw_buf_put(&v->out, text);
  vw_buf_put(&v->out, "\n");
  free(text);
}

static void show_log(const vw_log_t *l, void *ud) {
  view_t *v = ud;
  char *text = vw_render_log(l, &v->ro);
  if (text) vw_buf_put(&v->out, text);
  free(text);
}

static void show_metrics(const vw_metric_t *const *m, size_t n, void *ud) {
  view_t *v = ud;
  char *text = vw_render_metrics(m, n, &v->ro);
  if (text) { vw_buf_put(&v->out, text); vw_buf_put(&v->out, "\n"); }
  free(text);
  v->last_metrics_ns = v->now;
}

static void view_tick(view_t *v, vw_store_t *store) {
  v->now = vw_monotonic_ns();
  /* the metrics table is printed at most every METRICS_EVERY_NS */
  bool metrics_due = v->now - v->last_metrics_ns >= METRICS_EVERY_NS;
  vw_store_poll_new(store, v->now, QUIET_NS, show_trace, &v->log_seq, show_log,
                    &v->metric_seq, metrics_due ? show_metrics : NULL, v);
  char *text = vw_buf_take(&v->out);
  if (text && *text) {
    fputs(text, stdout);
    fflush(stdout);
  }
  free(text);
}

int main(int argc, char **argv) {
  options_t o;
  int rc = parse_options(argc, argv, &o);
  if (rc) {
    usage(rc == 1 ? stdout : stderr);
    return rc == 1 ? 0 : 2;
  }
  /* SIGINT/SIGTERM are taken with sigtimedwait on this thread: block them
   * before any thread starts so that every thread inherits the mask. */
  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGINT);
  sigaddset(&sigs, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &sigs, NULL);
  signal(SIGPIPE, SIG_IGN);

  FILE *from = NULL;
  if (o.from_jsonl && !(from = fopen(o.from_jsonl, "r"))) {
    fprintf(stderr, "otel-viewer: cannot open %s: %s\n", o.from_jsonl, strerror(errno));
    return 1;
  }
  FILE *jsonl = NULL;
  if (o.jsonl && !(jsonl = fopen(o.jsonl, "a"))) {
    fprintf(stderr, "otel-viewer: cannot open %s: %s\n", o.jsonl, strerror(errno));
    return 1;
  }
  vw_store_t *store = vw_store_create((size_t)o.max_traces, (size_t)o.max_logs,
                                      (size_t)o.max_metrics);
  vw_ingest_t *in = store ? vw_ingest_create(store, jsonl) : NULL;
  if (!in) {
    fprintf(stderr, "otel-viewer: out of memory\n");
    return 1;
  }
  if (from) { /* before listening: once the port answers, the data is there */
    size_t replayed, skipped;
    bool ok = vw_replay_jsonl(store, from, &replayed, &skipped);
    fclose(from);
    if (!ok) {
      fprintf(stderr, "otel-viewer: out of memory reading %s\n", o.from_jsonl);
      vw_ingest_destroy(in);
      vw_store_destroy(store);
      return 1;
    }
    fprintf(stderr, "otel-viewer: loaded %zu requests from %s (%zu lines skipped)\n", replayed,
            o.from_jsonl, skipped);
  }
  mg_init_library(0);
  int http_port = 0, grpc_port = 0;
  vw_tls_files_t tls = {o.tls_cert, o.tls_key, o.tls_client_ca};
  vw_tls_front_t *front = NULL;
  vw_http_t *http;
  if (o.tls_cert) { /* civetweb on a private port, TLS in front (tls_front.c) */
    int backend_port = 0;
    http = vw_http_start("127.0.0.1", 0, in, store, (size_t)o.max_body, &backend_port);
    front = http ? vw_tls_front_start(o.bind, o.http_port, &tls, backend_port, &http_port) : NULL;
  } else {
    http = vw_http_start(o.bind, o.http_port, in, store, (size_t)o.max_body, &http_port);
  }
  vw_grpc_t *grpc = http && (front || !o.tls_cert)
                        ? vw_grpc_start(o.bind, o.grpc_port, in, (size_t)o.max_body,
                                        o.tls_cert ? &tls : NULL, &grpc_port)
                        : NULL;
  if (!http || !grpc) {
    vw_tls_front_stop(front);
    vw_http_stop(http);
    mg_exit_library();
    vw_ingest_destroy(in);
    vw_store_destroy(store);
    return 1;
  }
  printf("otel-viewer: listening grpc=%s:%d http=%s:%d%s\n", o.bind, grpc_port, o.bind, http_port,
         o.tls_cert ? " tls" : "");
  fflush(stdout);

  view_t v = {.ro = {.color = !o.no_color && isatty(STDOUT_FILENO) && !getenv("NO_COLOR"),
                     .bar_width = 40}};
  struct timespec tick = {0, 100 * 1000 * 1000};
  int sig;
  for (;;) {
    sig = sigtimedwait(&sigs, NULL, &tick);
    if (sig == SIGINT || sig == SIGTERM) break;
    if (!o.quiet) view_tick(&v, store);
  }
  if (!o.quiet) view_tick(&v, store);
  fprintf(stderr, "otel-viewer: %s, shutting down\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
  vw_tls_front_stop(front);
  vw_http_stop(http);
  vw_grpc_stop(grpc);
  mg_exit_library();
  vw_ingest_destroy(in); /* flushes and closes the JSON-lines file */
  vw_store_destroy(store);
  return 0;
}
