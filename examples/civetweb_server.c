/* civetweb_server.c: a civetweb web server traced by one call
 * (otel_civetweb_instrument) before mg_start: every request becomes a
 * SERVER span (continued from the caller's traceparent) and counts in the
 * http.server.request.duration histogram. The handler knows nothing of
 * telemetry, except for one log record that shows the trace context is
 * current while it runs.
 *
 *   cc civetweb_server.c $(pkg-config --cflags --libs otel-lite) -o civetweb_server
 *   PORT=8080 ./civetweb_server     # PORT=0: any free port; it says which
 *
 * It stops on SIGINT or SIGTERM, and exports what is left first.
 */
#include <otel/instrument_civetweb.h>
#include <otel/sdk.h>

#include <civetweb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static otel_logger_t *logger;

static int hello(struct mg_connection *conn, void *cbdata) {
  (void)cbdata;
  const struct mg_request_info *ri = mg_get_request_info(conn);
  otel_log_info(logger, "saying hello to %s", ri->remote_addr);
  static const char body[] = "hello from civetweb\n";
  mg_printf(conn,
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %zu\r\n\r\n%s",
            strlen(body), body);
  return 200;
}

int main(void) {
  /* SIGINT/SIGTERM are taken by sigwait below, not by any thread */
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop, NULL);

  otel_sdk_options_t o;
  otel_sdk_options_init(&o);
  o.service_name = "civetweb-server";
  otel_sdk_t *sdk;
  otel_err_t err = otel_sdk_init(&o, &sdk);
  if (err != OTEL_OK) {
    fprintf(stderr, "civetweb_server: otel_sdk_init: %s\n", otel_strerror(err));
    return 1;
  }
  logger = otel_sdk_logger(sdk, "civetweb-server", "1.0");

  /* the one call: SERVER spans and HTTP server metrics for every request */
  static const char *const routes[] = {"/hello", NULL};
  struct mg_callbacks callbacks = {0};
  otel_civetweb_instrument(&callbacks, &(otel_civetweb_options_t){
                                           .tracer = otel_sdk_tracer(sdk, "civetweb-server", "1.0"),
                                           .meter = otel_sdk_meter(sdk, "civetweb-server", "1.0"),
                                           .routes = routes});

  const char *port = getenv("PORT") ? getenv("PORT") : "8080";
  char listen[64];
  snprintf(listen, sizeof listen, "127.0.0.1:%s", port);
  const char *options[] = {"listening_ports", listen, "num_threads", "4", "tcp_nodelay", "1", NULL};
  mg_init_library(0);
  struct mg_context *ctx = mg_start(&callbacks, NULL, options);
  if (!ctx) {
    fprintf(stderr, "civetweb_server: cannot listen on %s\n", listen);
    otel_sdk_shutdown(sdk, 1000);
    return 1;
  }
  mg_set_request_handler(ctx, "/hello", hello, NULL);
  struct mg_server_port bound;
  if (mg_get_server_ports(ctx, 1, &bound) == 1) {
    printf("civetweb_server: listening on http://127.0.0.1:%d/hello\n", bound.port);
    fflush(stdout);
  }

  int sig;
  sigwait(&stop, &sig);
  mg_stop(ctx);
  mg_exit_library();
  otel_sdk_shutdown(sdk, 5000); /* the last spans, records and points */
  return 0;
}
