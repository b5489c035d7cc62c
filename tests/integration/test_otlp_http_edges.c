/* test_otlp_http_edges.c: the OTLP/HTTP exporter's client (otlp_client.c
 * over otlp_http.c and libcurl) against a small HTTP server in this process
 * on 127.0.0.1, which records every request and answers 200:
 *   - a header with CR/LF in OTEL_EXPORTER_OTLP_HEADERS is dropped and the
 *     export still goes out, with the other headers and nothing injected;
 *   - a TLS failure (https:// to this plain-HTTP server) is tried once, not
 *     retried until the timeout;
 *   - a refused connection is retried. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <curl/curl.h>

#include "otlp_client.h"

typedef struct server {
  int fd, port;
  pthread_t thread;
  atomic_int connections;
  char first_request[8192]; /* what the first connection sent */
  size_t first_len;
} server_t;

static server_t srv;

/* Serves each connection: reads what comes until the peer stops (a complete
 * HTTP request, or a TLS ClientHello), answers 200 with an empty body. */
static void *serve(void *arg) {
  server_t *s = arg;
  for (;;) {
    int c = accept(s->fd, NULL, NULL);
    if (c < 0) return NULL;
    int n = atomic_fetch_add(&s->connections, 1);
    char buf[8192];
    size_t len = 0;
    for (;;) {
      struct timeval tv = {.tv_sec = 0, .tv_usec = 300000};
      setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
      ssize_t r = recv(c, buf + len, sizeof buf - 1 - len, 0);
      if (r <= 0) break;
      len += (size_t)r;
      buf[len] = '\0';
      char *end = strstr(buf, "\r\n\r\n");
      const char *cl = strcasestr(buf, "content-length:");
      if (end && (!cl || len >= (size_t)(end + 4 - buf) + strtoul(cl + 15, NULL, 10))) break;
      if (len == sizeof buf - 1) break;
    }
    if (n == 0) {
      memcpy(s->first_request, buf, len);
      s->first_len = len;
    }
    static const char ok[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    ssize_t w = send(c, ok, sizeof ok - 1, MSG_NOSIGNAL);
    (void)w;
    close(c);
  }
}

static int setup(void **state) {
  (void)state;
  curl_global_init(CURL_GLOBAL_DEFAULT);
  memset(&srv, 0, sizeof srv);
  srv.fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t alen = sizeof a;
  if (bind(srv.fd, (struct sockaddr *)&a, sizeof a) || listen(srv.fd, 16) ||
      getsockname(srv.fd, (struct sockaddr *)&a, &alen))
    return -1;
  srv.port = ntohs(a.sin_port);
  return pthread_create(&srv.thread, NULL, serve, &srv);
}

static int teardown(void **state) {
  (void)state;
  shutdown(srv.fd, SHUT_RDWR); /* accept() returns, the thread ends */
  pthread_join(srv.thread, NULL);
  close(srv.fd);
  curl_global_cleanup();
  return 0;
}

static int reset(void **state) {
  (void)state;
  atomic_store(&srv.connections, 0);
  srv.first_len = 0;
  srv.first_request[0] = '\0';
  return 0;
}

static otel__otlp_client_t *client(const char *scheme, int port) {
  otel_otlp_options_t o;
  otel_otlp_options_init(&o, OTEL_SIGNAL_TRACES);
  o.protocol = OTEL_OTLP_PROTOCOL_HTTP_PROTOBUF;
  snprintf(o.endpoint, sizeof o.endpoint, "%s://127.0.0.1:%d/v1/traces", scheme, port);
  o.timeout_ms = 3000;
  o.retry_initial_backoff_ms = 50;
  o.retry_max_backoff_ms = 100;
  otel__otlp_client_t *c = NULL;
  assert_int_equal(otel__otlp_client_create(&o, &c), OTEL_OK);
  return c;
}

static void test_otlp_http_header_with_crlf_dropped_export_sent(void **state) {
  (void)state;
  setenv("OTEL_EXPORTER_OTLP_HEADERS", "x-good=1,x-evil=a%0D%0AInjected:%20yes,x-also=2", 1);
  otel__otlp_client_t *c = client("http", srv.port);
  unsetenv("OTEL_EXPORTER_OTLP_HEADERS");
  otel__otlp_result_t res;
  otel__otlp_client_send(c, (const uint8_t *)"", 0, &res);
  otel__otlp_client_destroy(c);
  assert_int_equal(res.err, OTEL_OK);
  srv.first_request[srv.first_len] = '\0';
  assert_non_null(strstr(srv.first_request, "POST /v1/traces HTTP/1.1\r\n"));
  assert_non_null(strstr(srv.first_request, "\r\nx-good: 1\r\n"));
  assert_non_null(strstr(srv.first_request, "\r\nx-also: 2\r\n"));
  assert_null(strstr(srv.first_request, "x-evil"));
  assert_null(strstr(srv.first_request, "Injected"));
}

static void test_otlp_http_tls_failure_not_retried(void **state) {
  (void)state;
  otel__otlp_client_t *c = client("https", srv.port);
  otel__otlp_result_t res;
  otel__otlp_client_send(c, (const uint8_t *)"", 0, &res);
  otel__otlp_client_destroy(c);
  if (res.attempts != 1 || atomic_load(&srv.connections) != 1 || res.err != OTEL_EEXPORT ||
      !strstr(res.message, "TLS error, not retried"))
    fail_msg("https to a plain server: %u attempts, %d connections, %s \"%s\"; want 1, 1, "
             "OTEL_EEXPORT \"TLS error, not retried: ...\"",
             res.attempts, atomic_load(&srv.connections), otel_err_name(res.err), res.message);
}

static void test_otlp_http_connection_refused_retried(void **state) {
  (void)state;
  int fd = socket(AF_INET, SOCK_STREAM, 0); /* a port nothing listens on */
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t alen = sizeof a;
  assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
  assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &alen), 0);
  otel__otlp_client_t *c = client("http", ntohs(a.sin_port));
  otel__otlp_result_t res;
  otel__otlp_client_send(c, (const uint8_t *)"", 0, &res);
  otel__otlp_client_destroy(c);
  close(fd);
  if (res.attempts < 2 || res.err != OTEL_ERETRY)
    fail_msg("connection refused: %u attempts, %s; want retries, OTEL_ERETRY", res.attempts,
             otel_err_name(res.err));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup(test_otlp_http_header_with_crlf_dropped_export_sent, reset),
      cmocka_unit_test_setup(test_otlp_http_tls_failure_not_retried, reset),
      cmocka_unit_test_setup(test_otlp_http_connection_refused_retried, reset),
  };
  return cmocka_run_group_tests_name("otlp_http_edges", tests, setup, teardown);
}
