/* zc_app.c: a small civetweb server and libcurl client with no telemetry
 * code at all, for the tests of otel-instrument (tests/integration/
 * zero_code.py). It links civetweb and libcurl dynamically, not libotel-lite.
 *
 * Environment: PORT (0: any free port), NAME (put in answers), NEXT_URL
 * (if set, each request to /hello first GETs it, with its own "X-Test: 1"
 * header; with MULTI=1 through libcurl's multi interface), WORKERS (if set to N, forks N workers at start, each serving on
 * its own free port; the parent waits for them).
 * Prints "zc_app NAME: listening on port P" once listening.
 * GET /hello answers "NAME begin=N x-test=yes|no\n"
 * (N counts the program's own begin_request callback), then the upstream's
 * answer; GET /exit stops the server and exits 0 (atexit handlers run);
 * SIGTERM keeps its default action, unless HANDLE_TERM is "before" or
 * "after": then the program's own handler (set before or after mg_start)
 * stops the server like GET /exit, and the process exits 0.
 *
 * Built with -DZC_HAND_INSTRUMENTED (zc_app_hand, for bench/zero_code_cost.sh)
 * it is the same program instrumented by hand with libotel-lite, as the
 * workshop's sections do: the lines between the ZC_HAND_INSTRUMENTED
 * markers are all the difference.
 */
#include <civetweb.h>
#include <curl/curl.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef ZC_HAND_INSTRUMENTED
#include "otel/instrument_civetweb.h"
#include "otel/instrument_curl.h"
#include "otel/sdk.h"
#endif

static const char *name = "zc_app";
static const char *next_url;
static bool use_multi;
static atomic_int begin_count;
static int exit_pipe[2];

static int count_begin(struct mg_connection *conn) {
  (void)conn;
  atomic_fetch_add(&begin_count, 1);
  return 0; /* civetweb goes on with the request */
}

static const char *header(const struct mg_request_info *ri, const char *key) {
  for (int i = 0; i < ri->num_headers; i++)
    if (!strcasecmp(ri->http_headers[i].name, key)) return ri->http_headers[i].value;
  return NULL;
}

struct body {
  char data[4096];
  size_t len;
};

static size_t collect(char *p, size_t size, size_t n, void *userp) {
  struct body *b = userp;
  size_t len = size * n, room = sizeof b->data - 1 - b->len;
  size_t take = len < room ? len : room;
  memcpy(b->data + b->len, p, take);
  b->len += take;
  b->data[b->len] = '\0';
  return len;
}

#ifndef ZC_HAND_INSTRUMENTED
/* The transfer through the multi interface, as an event loop would run it. */
static CURLcode perform_multi(CURL *h) {
  CURLM *m = curl_multi_init();
  if (!m) return CURLE_OUT_OF_MEMORY;
  CURLcode rc = CURLE_FAILED_INIT;
  if (curl_multi_add_handle(m, h) == CURLM_OK) {
    int running = 1;
    while (running && curl_multi_perform(m, &running) == CURLM_OK)
      if (running) curl_multi_poll(m, NULL, 0, 1000, NULL);
    int left;
    for (CURLMsg *msg; (msg = curl_multi_info_read(m, &left));)
      if (msg->msg == CURLMSG_DONE && msg->easy_handle == h) rc = msg->data.result;
    curl_multi_remove_handle(m, h);
  }
  curl_multi_cleanup(m);
  return rc;
}
#endif

static void call_next(char *out, size_t cap) {
  struct body b = {.len = 0};
  b.data[0] = '\0';
  CURL *h = curl_easy_init();
  if (!h) {
    snprintf(out, cap, "upstream: no handle\n");
    return;
  }
  struct curl_slist *headers = curl_slist_append(NULL, "X-Test: 1");
  curl_easy_setopt(h, CURLOPT_URL, next_url);
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 10000L);
#ifdef ZC_HAND_INSTRUMENTED
  CURLcode rc = otel_curl_perform_with_headers(h, headers);
#else
  CURLcode rc = use_multi ? perform_multi(h) : curl_easy_perform(h);
#endif
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  if (rc != CURLE_OK) snprintf(out, cap, "upstream: %s\n", curl_easy_strerror(rc));
  else snprintf(out, cap, "upstream %ld: %s", status, b.data);
  curl_easy_cleanup(h);
  curl_slist_free_all(headers);
}

static int reply(struct mg_connection *conn, int status, const char *text) {
  mg_printf(conn,
            "HTTP/1.1 %d %s\r\nContent-Type: text/plain\r\nContent-Length: %zu\r\n"
            "Connection: close\r\n\r\n%s",
            status, status == 200 ? "OK" : "Not Found", strlen(text), text);
  return status;
}

static int on_hello(struct mg_connection *conn, void *unused) {
  (void)unused;
  const struct mg_request_info *ri = mg_get_request_info(conn);
  char text[8192], up[4200] = "";
  if (next_url) call_next(up, sizeof up);
  snprintf(text, sizeof text, "%s begin=%d x-test=%s\n%s", name, atomic_load(&begin_count),
           header(ri, "X-Test") ? "yes" : "no", up);
  return reply(conn, 200, text);
}

static int on_exit_request(struct mg_connection *conn, void *unused) {
  (void)unused;
  int r = reply(conn, 200, "bye\n");
  char b = 1;
  if (write(exit_pipe[1], &b, 1) != 1) perror("zc_app: write");
  return r;
}

static void on_term(int sig) {
  (void)sig;
  char b = 1;
  ssize_t w = write(exit_pipe[1], &b, 1); /* async-signal-safe */
  (void)w;
}

/* The program's own SIGTERM handling, when HANDLE_TERM asks for it here. */
static void handle_term_if(const char *when) {
  const char *v = getenv("HANDLE_TERM");
  if (!v || strcmp(v, when)) return;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_term;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, NULL);
}

static int on_other(struct mg_connection *conn, void *unused) {
  (void)unused;
  return reply(conn, 404, "not found\n");
}

static int serve(const char *port) {
  if (pipe(exit_pipe) != 0) return 1;
  handle_term_if("before");
  struct mg_callbacks cb;
  memset(&cb, 0, sizeof cb);
  cb.begin_request = count_begin;
#ifdef ZC_HAND_INSTRUMENTED
  static const char *const routes[] = {"/hello", "/exit", "/", NULL};
  otel_sdk_options_t o;
  otel_sdk_options_init(&o);
  o.service_name = "zc_app";
  otel_sdk_t *sdk = NULL;
  if (otel_sdk_init(&o, &sdk) != OTEL_OK) fprintf(stderr, "zc_app: telemetry is off\n");
  otel_tracer_t *tracer = otel_sdk_tracer(sdk, "zc_app", "1.0");
  otel_meter_t *meter = otel_sdk_meter(sdk, "zc_app", "1.0");
  otel_civetweb_instrument(&cb, &(otel_civetweb_options_t){.tracer = tracer, .routes = routes,
                                                          .meter = meter});
  otel_curl_instrument(&(otel_curl_options_t){.tracer = tracer, .meter = meter});
#endif
  const char *options[] = {"listening_ports", port, "num_threads", "4", NULL};
  struct mg_context *ctx = mg_start(&cb, NULL, options);
  if (!ctx) {
    fprintf(stderr, "zc_app %s: cannot listen on port %s\n", name, port);
    return 1;
  }
  handle_term_if("after");
  mg_set_request_handler(ctx, "/hello", on_hello, NULL);
  mg_set_request_handler(ctx, "/exit", on_exit_request, NULL);
  mg_set_request_handler(ctx, "/", on_other, NULL);
  struct mg_server_port ports[1];
  if (mg_get_server_ports(ctx, 1, ports) < 1) return 1;
  printf("zc_app %s: listening on port %d\n", name, ports[0].port);
  fflush(stdout);
  char b;
  while (read(exit_pipe[0], &b, 1) < 0 && errno == EINTR) {
  }
  mg_stop(ctx);
#ifdef ZC_HAND_INSTRUMENTED
  otel_sdk_shutdown(sdk, 5000);
#endif
  return 0;
}

int main(void) {
  if (getenv("NAME")) name = getenv("NAME");
  next_url = getenv("NEXT_URL");
  use_multi = getenv("MULTI") && !strcmp(getenv("MULTI"), "1");
  const char *port = getenv("PORT") ? getenv("PORT") : "0";
  curl_global_init(CURL_GLOBAL_DEFAULT);
  int workers = getenv("WORKERS") ? atoi(getenv("WORKERS")) : 0;
  int rc = 0;
  if (workers > 0) {
    for (int i = 0; i < workers; i++) {
      pid_t pid = fork();
      if (pid < 0) return 1;
      if (pid == 0) {
        rc = serve("0");
        curl_global_cleanup();
        exit(rc);
      }
    }
    for (int i = 0; i < workers; i++) {
      int st;
      if (wait(&st) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) rc = 1;
    }
  } else {
    rc = serve(port);
  }
  curl_global_cleanup();
  return rc;
}
