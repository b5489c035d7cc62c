/* servicekit/svc_server.h: the life of a service process: read its port
 * and required environment, start civetweb on it, wait for SIGINT/SIGTERM,
 * stop. Each service's main() calls these in that order.
 */
#ifndef SVC_SERVER_H
#define SVC_SERVER_H

#include <civetweb.h>

/* Returns getenv(name), or NULL after printing on stderr
 * "<service>: required environment variable <name> is not set (<hint>)". */
const char *svc_env_required(const char *service, const char *name, const char *hint);

/* Port from $PORT, else def. Returns -1 (and says why on stderr) when PORT
 * is not a number in 0..65535. 0 asks the kernel for a free port. */
int svc_env_port(const char *service, int def);

/* Blocks SIGINT and SIGTERM in the calling thread, so that threads started
 * afterwards (civetweb's, exporters') inherit the mask and the signal is
 * taken only by svc_wait_for_stop(). Call first in main(). */
void svc_block_stop_signals(void);

/* Starts civetweb on 127.0.0.1-independent "port" (all interfaces, as the
 * services also run in containers) with tcp_nodelay, a request timeout and
 * `threads` workers, routing every request to handler(cbdata), but GET
 * /healthz, which svc_ready.h answers before any of `callbacks` runs
 * (503 until svc_ready_set(SVC_READY)).
 * callbacks may be NULL. Returns NULL after a message on stderr when the
 * port cannot be bound. Prints "<service>: listening on port N". */
struct mg_context *svc_server_start(const char *service, int port, int threads,
                                    const struct mg_callbacks *callbacks,
                                    void *user_data, mg_request_handler handler,
                                    void *cbdata);

/* Returns the port the server is bound to (useful when started on 0). */
int svc_server_port(const struct mg_context *ctx);

/* Waits until SIGINT or SIGTERM arrives; returns the signal number. */
int svc_wait_for_stop(void);

/* Called once the server listens, with its port (for a start-up log line). */
typedef void (*svc_started_cb)(int port, void *user_data);

/* The whole life of a service's server: civetweb's library set up,
 * svc_server_start with 8 workers (user_data is also handler's cbdata),
 * started(port, user_data) if not NULL, ready (/healthz answers 200),
 * svc_wait_for_stop, stopping (/healthz 503), stop, library torn down. Returns 0, or 1 when the port could not be bound. */
int svc_run(const char *service, int port, const struct mg_callbacks *callbacks,
            mg_request_handler handler, void *user_data, svc_started_cb started);

#endif /* SVC_SERVER_H */
