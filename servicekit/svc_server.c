/* servicekit/svc_server.c: service process lifecycle around civetweb (see
 * svc_server.h). Signals are taken synchronously with sigwait() so no code
 * runs in a signal handler. */
#include "svc_server.h"

#include "svc_ready.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *svc_env_required(const char *service, const char *name, const char *hint) {
  const char *v = getenv(name);
  if (v && *v) return v;
  fprintf(stderr, "%s: required environment variable %s is not set (%s)\n",
          service, name, hint);
  return NULL;
}

int svc_env_port(const char *service, int def) {
  const char *v = getenv("PORT");
  if (!v || !*v) return def;
  char *end;
  errno = 0;
  long p = strtol(v, &end, 10);
  if (errno || *end || p < 0 || p > 65535) {
    fprintf(stderr, "%s: PORT=\"%s\" is not a port number (0-65535)\n", service, v);
    return -1;
  }
  return (int)p;
}

static sigset_t stop_signals(void) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

void svc_block_stop_signals(void) {
  sigset_t set = stop_signals();
  pthread_sigmask(SIG_BLOCK, &set, NULL);
  signal(SIGPIPE, SIG_IGN);
}

int svc_wait_for_stop(void) {
  sigset_t set = stop_signals();
  int sig = 0;
  while (sigwait(&set, &sig) != 0) {
  }
  return sig;
}

/* The services have no authentication. Without an auth handler civetweb
 * looks for a "/.htpasswd" file on every request (no document root is
 * set), which costs a syscall and would make every request ask for a
 * password if such a file ever appeared at the root of the filesystem. */
static int no_authentication(struct mg_connection *conn, void *unused) {
  (void)conn;
  (void)unused;
  return 1; /* authorized */
}

struct mg_context *svc_server_start(const char *service, int port, int threads,
                                    const struct mg_callbacks *callbacks,
                                    void *user_data, mg_request_handler handler,
                                    void *cbdata) {
  char port_s[16], threads_s[16], request_timeout_s[16], keep_alive_s[16];
  snprintf(port_s, sizeof(port_s), "%d", port);
  snprintf(threads_s, sizeof(threads_s), "%d", threads > 0 ? threads : SVC_WORKER_THREADS);
  snprintf(request_timeout_s, sizeof(request_timeout_s), "%d", SVC_REQUEST_TIMEOUT_MS);
  snprintf(keep_alive_s, sizeof(keep_alive_s), "%d", SVC_KEEP_ALIVE_TIMEOUT_MS);
  const char *options[] = {
      "listening_ports", port_s,
      "num_threads", threads_s,
      "tcp_nodelay", "1",
      "request_timeout_ms", request_timeout_s,
      "enable_keep_alive", "yes",
      "keep_alive_timeout_ms", keep_alive_s,
      /* room for a 100 KB query string, so the service (not civetweb)
       * answers it with a clear message */
      "max_request_size", "262144",
      NULL};
  struct mg_callbacks cb;
  memset(&cb, 0, sizeof(cb));
  if (callbacks) cb = *callbacks;
  svc_ready_wrap(&cb); /* GET /healthz, before the service's own callbacks */
  struct mg_init_data init = {.callbacks = &cb, .user_data = user_data,
                              .configuration_options = options};
  struct mg_error_data err;
  char errtxt[256] = "";
  memset(&err, 0, sizeof(err));
  err.text = errtxt;
  err.text_buffer_size = sizeof(errtxt);
  struct mg_context *ctx = mg_start2(&init, &err);
  if (!ctx) {
    fprintf(stderr, "%s: cannot listen on port %d: %s\n", service, port,
            errtxt[0] ? errtxt : "unknown error");
    return NULL;
  }
  mg_set_request_handler(ctx, "/", handler, cbdata);
  mg_set_auth_handler(ctx, "/", no_authentication, NULL);
  printf("%s: listening on port %d\n", service, svc_server_port(ctx));
  fflush(stdout);
  return ctx;
}

int svc_server_port(const struct mg_context *ctx) {
  struct mg_server_port ports[4];
  int n = mg_get_server_ports(ctx, 4, ports);
  return n > 0 ? ports[0].port : -1;
}

/* mg_stop on its own thread, so that svc_stop_server can wake civetweb. */
struct stopper {
  struct mg_context *ctx;
  atomic_bool done;
};

static void *stop_thread(void *arg) {
  struct stopper *s = arg;
  mg_stop(s->ctx);
  atomic_store(&s->done, true);
  return NULL;
}

/* Stops civetweb without its 2 s wait. Its master thread polls the
 * listening socket with a 2 s timeout and sees the stop flag only when
 * the poll returns, so mg_stop alone took 2.0 s (measured, no request in
 * flight). A connection to the own port ends the poll at once: made every
 * 20 ms until mg_stop returns (the first one made after the flag is set
 * is enough). */
static void stop_server(struct mg_context *ctx, int port) {
  struct stopper s = {.ctx = ctx};
  pthread_t t;
  if (port <= 0 || pthread_create(&t, NULL, stop_thread, &s) != 0) {
    mg_stop(ctx);
    return;
  }
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                          .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  while (!atomic_load(&s.done)) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd >= 0) {
      (void)connect(fd, (struct sockaddr *)&a, sizeof(a));
      close(fd);
    }
    struct timespec ts = {0, 20 * 1000000L};
    nanosleep(&ts, NULL);
  }
  pthread_join(t, NULL);
}

int svc_run(const char *service, int port, const struct mg_callbacks *callbacks,
            mg_request_handler handler, void *user_data, svc_started_cb started) {
  mg_init_library(0);
  struct mg_context *ctx = svc_server_start(service, port, SVC_WORKER_THREADS, callbacks, user_data, handler, user_data);
  if (ctx) {
    if (started) started(svc_server_port(ctx), user_data);
    int bound = svc_server_port(ctx);
    svc_ready_set(SVC_READY);
    svc_wait_for_stop();
    svc_ready_set(SVC_STOPPING);
    stop_server(ctx, bound);
  }
  mg_exit_library();
  return ctx ? 0 : 1;
}
