/* SPDX-License-Identifier: Apache-2.0
 *
 * tls_front.c: TLS on the viewer's HTTP port (--tls-cert/--tls-key).
 *
 * civetweb 1.15's own TLS cannot be used on Debian 12: it loads libssl at
 * run time and looks up SSL_get_peer_certificate, which OpenSSL 3 no
 * longer exports, so its TLS stays off and the first https connection
 * crashes it. So with TLS the viewer serves HTTP with civetweb on a private
 * port of 127.0.0.1 and this front listens on the public port: it
 * completes each TLS handshake with OpenSSL and relays the decrypted bytes
 * both ways between the client and civetweb, one thread per connection.
 * With --tls-client-ca the client must present a certificate signed by
 * that CA (mutual TLS).
 *
 * Stopping closes the listening socket, shuts every relayed connection
 * down (which wakes its thread wherever it blocks) and waits for the
 * threads (bounded), so nothing runs once vw_tls_front_stop returns.
 */
#include "viewer.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONNS 64

struct vw_tls_front {
  SSL_CTX *ctx;
  int listen_fd;
  int backend_port;
  pthread_t thread;
  atomic_bool stopping;
  pthread_mutex_t lock;     /* guards fds[] and active */
  pthread_cond_t idle;      /* signalled when a connection ends */
  int fds[MAX_CONNS];       /* client sockets being relayed, -1 free */
  int active;
};

typedef struct conn {
  vw_tls_front_t *f;
  int slot;
  int fd;
} conn_t;

char *vw_read_file(const char *path, size_t max) {
  FILE *fp = fopen(path, "rb");
  if (!fp) return NULL;
  char *text = malloc(max + 1);
  size_t n = text ? fread(text, 1, max + 1, fp) : 0;
  bool ok = text && !ferror(fp) && n <= max;
  fclose(fp);
  if (!ok) {
    free(text);
    return NULL;
  }
  text[n] = '\0';
  return text;
}

static void ssl_error(const char *what, const char *path) {
  char err[256];
  ERR_error_string_n(ERR_get_error(), err, sizeof err);
  fprintf(stderr, "otel-viewer: %s %s: %s\n", what, path, err);
}

static SSL_CTX *make_ctx(const vw_tls_files_t *tls) {
  SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
  if (!ctx) return NULL;
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_mode(ctx, SSL_MODE_AUTO_RETRY);
  if (SSL_CTX_use_certificate_chain_file(ctx, tls->cert_file) != 1) {
    ssl_error("cannot use the certificate", tls->cert_file);
  } else if (SSL_CTX_use_PrivateKey_file(ctx, tls->key_file, SSL_FILETYPE_PEM) != 1 ||
             SSL_CTX_check_private_key(ctx) != 1) {
    ssl_error("cannot use the private key", tls->key_file);
  } else if (tls->client_ca_file &&
             SSL_CTX_load_verify_locations(ctx, tls->client_ca_file, NULL) != 1) {
    ssl_error("cannot use the client CA", tls->client_ca_file);
  } else {
    if (tls->client_ca_file)
      SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
    return ctx;
  }
  SSL_CTX_free(ctx);
  return NULL;
}

static int connect_backend(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
    close(fd);
    return -1;
  }
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

static bool write_all(int fd, const char *p, size_t n) {
  while (n) {
    ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    p += w;
    n -= (size_t)w;
  }
  return true;
}

/* Relays until either side closes or fails. */
static void relay(SSL *ssl, int cfd, int bfd) {
  char buf[16384];
  for (;;) {
    if (SSL_pending(ssl) == 0) {
      struct pollfd p[2] = {{cfd, POLLIN, 0}, {bfd, POLLIN, 0}};
      if (poll(p, 2, -1) < 0) {
        if (errno == EINTR) continue;
        return;
      }
      if (p[1].revents) {
        ssize_t n = recv(bfd, buf, sizeof buf, 0);
        if (n <= 0 || SSL_write(ssl, buf, (int)n) <= 0) return;
      }
      if (!p[0].revents) continue;
    }
    int n = SSL_read(ssl, buf, sizeof buf);
    if (n <= 0 || !write_all(bfd, buf, (size_t)n)) return;
  }
}

static void *serve(void *arg) {
  conn_t *c = arg;
  vw_tls_front_t *f = c->f;
  SSL *ssl = SSL_new(f->ctx);
  if (ssl && SSL_set_fd(ssl, c->fd) == 1 && SSL_accept(ssl) == 1) {
    int bfd = connect_backend(f->backend_port);
    if (bfd >= 0) {
      relay(ssl, c->fd, bfd);
      close(bfd);
    }
    if (!atomic_load(&f->stopping)) SSL_shutdown(ssl);
  }
  SSL_free(ssl);
  ERR_clear_error();
  pthread_mutex_lock(&f->lock);
  f->fds[c->slot] = -1;
  f->active--;
  close(c->fd);
  pthread_cond_broadcast(&f->idle);
  pthread_mutex_unlock(&f->lock);
  free(c);
  return NULL;
}

static void start_conn(vw_tls_front_t *f, int fd) {
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  conn_t *c = malloc(sizeof *c);
  pthread_mutex_lock(&f->lock);
  int slot = -1;
  for (int i = 0; c && i < MAX_CONNS && slot < 0; i++)
    if (f->fds[i] < 0) slot = i;
  if (slot < 0) { /* too many connections at once: refuse this one */
    pthread_mutex_unlock(&f->lock);
    close(fd);
    free(c);
    return;
  }
  *c = (conn_t){f, slot, fd};
  f->fds[slot] = fd;
  f->active++;
  pthread_mutex_unlock(&f->lock);
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_t t;
  if (pthread_create(&t, &attr, serve, c) != 0) {
    pthread_mutex_lock(&f->lock);
    f->fds[slot] = -1;
    f->active--;
    pthread_mutex_unlock(&f->lock);
    close(fd);
    free(c);
  }
  pthread_attr_destroy(&attr);
}

static void *accept_loop(void *arg) {
  vw_tls_front_t *f = arg;
  while (!atomic_load(&f->stopping)) {
    struct pollfd p = {f->listen_fd, POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    int fd = accept4(f->listen_fd, NULL, NULL, SOCK_CLOEXEC);
    if (fd >= 0) start_conn(f, fd);
  }
  return NULL;
}

static int listen_on(const char *bind_addr, int port, int *bound_port) {
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  if (inet_pton(AF_INET, bind_addr, &a.sin_addr) != 1) return -1;
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  socklen_t len = sizeof a;
  if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 128) != 0 ||
      getsockname(fd, (struct sockaddr *)&a, &len) != 0) {
    close(fd);
    return -1;
  }
  *bound_port = ntohs(a.sin_port);
  return fd;
}

vw_tls_front_t *vw_tls_front_start(const char *bind_addr, int port, const vw_tls_files_t *tls,
                                   int backend_port, int *bound_port) {
  vw_tls_front_t *f = calloc(1, sizeof *f);
  if (!f) return NULL;
  f->ctx = make_ctx(tls);
  if (!f->ctx) {
    free(f);
    return NULL;
  }
  f->listen_fd = listen_on(bind_addr, port, bound_port);
  if (f->listen_fd < 0) {
    fprintf(stderr, "otel-viewer: cannot listen for HTTPS on %s:%d: %s\n", bind_addr, port,
            strerror(errno));
    SSL_CTX_free(f->ctx);
    free(f);
    return NULL;
  }
  f->backend_port = backend_port;
  for (int i = 0; i < MAX_CONNS; i++) f->fds[i] = -1;
  pthread_mutex_init(&f->lock, NULL);
  pthread_condattr_t ca;
  pthread_condattr_init(&ca);
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  pthread_cond_init(&f->idle, &ca);
  pthread_condattr_destroy(&ca);
  if (pthread_create(&f->thread, NULL, accept_loop, f) != 0) {
    close(f->listen_fd);
    SSL_CTX_free(f->ctx);
    free(f);
    return NULL;
  }
  return f;
}

void vw_tls_front_stop(vw_tls_front_t *f) {
  if (!f) return;
  atomic_store(&f->stopping, true);
  pthread_join(f->thread, NULL);
  close(f->listen_fd);
  struct timespec until;
  clock_gettime(CLOCK_MONOTONIC, &until);
  until.tv_sec += 3;
  pthread_mutex_lock(&f->lock);
  for (int i = 0; i < MAX_CONNS; i++)
    if (f->fds[i] >= 0) shutdown(f->fds[i], SHUT_RDWR);
  while (f->active > 0)
    if (pthread_cond_timedwait(&f->idle, &f->lock, &until) == ETIMEDOUT) break;
  bool all_done = f->active == 0;
  pthread_mutex_unlock(&f->lock);
  if (!all_done) { /* a thread still runs: leave f to it rather than free it */
    fprintf(stderr, "otel-viewer: TLS connections still open at exit\n");
    return;
  }
  pthread_mutex_destroy(&f->lock);
  pthread_cond_destroy(&f->idle);
  SSL_CTX_free(f->ctx);
  free(f);
}
