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

/* How a service's civetweb stands up to slow or idle clients. civetweb 1.15
 * gives each connection one worker thread for its whole life, from the
 * first header byte to the end of keep-alive, and starts all workers at
 * start-up; so a client that connects and sends nothing, or half a
 * request, holds a worker until a timeout frees it.
 *
 * SVC_WORKER_THREADS: 128, so that 64 half-open connections (what
 * tests/integration/slow_clients.py holds open) still leave 64 workers for
 * real traffic, as much as the 64-way load the benchmarks use. Cost per
 * worker: a 100 KiB stack (Debian builds civetweb with CMake's default
 * CIVETWEB_THREAD_STACK_SIZE=102400: /proc/PID/maps shows one 100 KiB
 * mapping per thread; handlers run on it, so keep big buffers off the
 * stack) and a max_request_size buffer, touched only as far as a request
 * fills it. Measured on iss-distance-service (VmRSS after 1280 requests
 * 128 at a time, so that every worker ran; built once with 8, once with
 * 128): 8 workers 20.7 MB, 128 workers 30.1 MB, i.e. about 80 KB resident
 * per worker (18 KB before any request); bench/civetweb_workers.sh gives
 * the same figures for a trivial handler (38 KB once used). VmSize grows by 0.5 GB, nearly all of it glibc's per-thread
 * malloc arenas (64 MiB of address space each, at most 8 per core), which
 * is address space, not memory.
 *
 * SVC_REQUEST_TIMEOUT_MS: the whole request head must arrive within this
 * time of the connection's first read (civetweb measures it from the start
 * of the request, so trickling one byte at a time does not extend it); the
 * connection is then closed (400 if part of a request came). The same
 * value bounds each body read and response write. Requests to the services
 * are one small GET, so 5 s is generous.
 *
 * SVC_KEEP_ALIVE_TIMEOUT_MS: how long an idle keep-alive connection may wait
 * for its next request before it is closed. The services' callers (the
 * gateway's and frontend's libcurl handles) send requests back to back
 * under load, and reconnecting costs little on a local network. */
#define SVC_WORKER_THREADS 128
#define SVC_REQUEST_TIMEOUT_MS 5000
#define SVC_KEEP_ALIVE_TIMEOUT_MS 2000

/* Starts civetweb on 127.0.0.1-independent "port" (all interfaces, as the
 * services also run in containers) with tcp_nodelay, the timeouts above and
 * `threads` workers (SVC_WORKER_THREADS when 0), routing every request to
 * handler(cbdata), but GET /healthz, which svc_ready.h answers before any
 * of `callbacks` runs (503 until svc_ready_set(SVC_READY)).
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
 * svc_server_start with SVC_WORKER_THREADS workers (user_data is also handler's cbdata),
 * started(port, user_data) if not NULL, ready (/healthz answers 200),
 * svc_wait_for_stop, stopping (/healthz 503), stop, library torn down.
 * Returns 0, or 1 when the port could not be bound. */
int svc_run(const char *service, int port, const struct mg_callbacks *callbacks,
            mg_request_handler handler, void *user_data, svc_started_cb started);

#endif /* SVC_SERVER_H */
