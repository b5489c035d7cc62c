/* servicekit/svc_upstream.h: one outgoing HTTP GET to another service with
 * libcurl, reusing one easy handle per thread (keep-alive; docs/design.md, libcurl; freed
 * when the thread exits), with
 * a timeout. The transfer itself goes through a perform hook so a service
 * can route it through the libcurl instrumentation in one line at start-up
 * (the C counterpart of RequestsInstrumentor().instrument()).
 */
#ifndef SVC_UPSTREAM_H
#define SVC_UPSTREAM_H

#include <stddef.h>

#include <curl/curl.h>

typedef struct svc_response {
  long status;            /* HTTP status, 0 when the transfer failed */
  char *body;             /* owned, NUL-terminated; free with svc_response_cleanup */
  size_t len;
  CURLcode curl_code;     /* CURLE_OK when a response arrived */
  char error[CURL_ERROR_SIZE]; /* curl's message when the transfer failed */
} svc_response_t;

/* The function that runs a prepared transfer; default curl_easy_perform. */
typedef CURLcode (*svc_perform_fn)(CURL *easy);
void svc_set_perform_hook(svc_perform_fn perform);

/* Returns a new URL (owned, free()) made of base plus "?k1=v1&k2=v2" with
 * the values percent-encoded; the list ends with a NULL key. NULL on OOM. */
char *svc_url_with_params(const char *base, ...) __attribute__((sentinel));

/* GETs url (borrowed) within timeout_ms. Returns 0 when any HTTP response
 * arrived (out->status says which), -1 on a transport failure (refused,
 * timeout, DNS...; out->error says what). Bodies over 1 MiB are cut. */
int svc_http_get(const char *url, long timeout_ms, svc_response_t *out);

void svc_response_cleanup(svc_response_t *r);

/* Frees this thread's easy handle (call from a thread's end hook if any). */
void svc_upstream_thread_cleanup(void);

#endif /* SVC_UPSTREAM_H */
