/* servicekit/svc_upstream.c: GET another service with libcurl (see
 * svc_upstream.h). One easy handle per thread keeps connections alive. */
#include "svc_upstream.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define MAX_BODY (1u << 20)

static svc_perform_fn perform_hook = curl_easy_perform;
static _Thread_local CURL *thread_easy;
static pthread_key_t easy_key; /* its destructor frees a thread's handle at exit */
static pthread_once_t easy_key_once = PTHREAD_ONCE_INIT;

static void free_easy(void *easy) { curl_easy_cleanup(easy); }
static void make_easy_key(void) { pthread_key_create(&easy_key, free_easy); }

static CURL *thread_handle(void) {
  if (!thread_easy) {
    pthread_once(&easy_key_once, make_easy_key);
    thread_easy = curl_easy_init();
    if (thread_easy) pthread_setspecific(easy_key, thread_easy);
  }
  return thread_easy;
}

void svc_set_perform_hook(svc_perform_fn perform) {
  perform_hook = perform ? perform : curl_easy_perform;
}

char *svc_url_with_params(const char *base, ...) {
  size_t cap = strlen(base) + 2;
  char *url = malloc(cap);
  if (!url) return NULL;
  strcpy(url, base);
  va_list ap;
  va_start(ap, base);
  char sep = strchr(base, '?') ? '&' : '?';
  for (const char *k = va_arg(ap, const char *); k; k = va_arg(ap, const char *)) {
    const char *v = va_arg(ap, const char *);
    char *ev = curl_easy_escape(NULL, v ? v : "", 0);
    if (!ev) { free(url); url = NULL; break; }
    size_t need = strlen(url) + strlen(k) + strlen(ev) + 3;
    char *grown = need > cap ? realloc(url, need) : url;
    if (!grown) { curl_free(ev); free(url); url = NULL; break; }
    url = grown;
    cap = need > cap ? need : cap;
    size_t at = strlen(url);
    url[at] = sep;
    strcpy(url + at + 1, k);
    strcat(url, "=");
    strcat(url, ev);
    curl_free(ev);
    sep = '&';
  }
  va_end(ap);
  return url;
}

static size_t collect(char *data, size_t size, size_t nmemb, void *userp) {
  svc_response_t *r = userp;
  size_t n = size * nmemb;
  size_t room = MAX_BODY - r->len;
  size_t take = n < room ? n : room;
  char *grown = realloc(r->body, r->len + take + 1);
  if (!grown) return 0;
  r->body = grown;
  memcpy(r->body + r->len, data, take);
  r->len += take;
  r->body[r->len] = '\0';
  return n;
}

int svc_http_get(const char *url, long timeout_ms, svc_response_t *out) {
  memset(out, 0, sizeof(*out));
  CURL *h = thread_handle();
  if (!h) {
    strcpy(out->error, "cannot create a libcurl handle");
    out->curl_code = CURLE_OUT_OF_MEMORY;
    return -1;
  }
  curl_easy_reset(h);
  curl_easy_setopt(h, CURLOPT_URL, url);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, out);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, out->error);
  curl_easy_setopt(h, CURLOPT_USERAGENT, "iss-distance-workshop/1.0");
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  out->curl_code = perform_hook(h);
  if (out->curl_code != CURLE_OK) {
    if (!out->error[0])
      strncpy(out->error, curl_easy_strerror(out->curl_code), sizeof(out->error) - 1);
    out->status = 0;
    return -1;
  }
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &out->status);
  if (!out->body) {
    out->body = calloc(1, 1);
    if (!out->body) return -1;
  }
  return 0;
}

void svc_response_cleanup(svc_response_t *r) {
  if (!r) return;
  free(r->body);
  r->body = NULL;
  r->len = 0;
}

void svc_upstream_thread_cleanup(void) {
  if (!thread_easy) return;
  pthread_setspecific(easy_key, NULL);
  curl_easy_cleanup(thread_easy);
  thread_easy = NULL;
}
