/* tracecontext_service: the service under test of the W3C Trace Context
 * test suite (github.com/w3c/trace-context, test/), built only on
 * libotel-lite's civetweb and libcurl helpers.
 *
 * For POST <any path> with a JSON array of {"url": .., "arguments": ..},
 * it POSTs each item's `arguments` as JSON to its `url`, in order, with the
 * libcurl helper (so the context propagates: one traceparent, a new parent
 * id per call), and answers 200 only when every call has completed.
 *
 *   tracecontext_service [PORT]        (default 5000; PORT env var too)
 *   SPEC_LEVEL=2 STRICT_LEVEL=2 python3 test.py http://127.0.0.1:5000/test
 *
 * Spans are not exported unless OTEL_TRACES_EXPORTER says so.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>
#include <civetweb.h>
#include <curl/curl.h>

#include "otel/instrument_civetweb.h"
#include "otel/instrument_curl.h"
#include "otel/sdk.h"

#include "svc_http.h"
#include "svc_server.h"

#define MAX_BODY (1 << 20)

static size_t ignore_body(char *p, size_t size, size_t n, void *ud) {
  (void)p, (void)ud;
  return size * n;
}

/* POSTs json to url through the instrumented client; 0 when it completed. */
static int post_json(CURL *easy, const char *url, const char *json) {
  struct curl_slist *headers = curl_slist_append(NULL, "Content-Type: application/json");
  curl_easy_reset(easy);
  curl_easy_setopt(easy, CURLOPT_URL, url);
  curl_easy_setopt(easy, CURLOPT_POSTFIELDS, json);
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, ignore_body);
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, 10000L);
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  CURLcode rc = otel_curl_perform_with_headers(easy, headers);
  curl_slist_free_all(headers);
  return rc == CURLE_OK ? 0 : -1;
}

static int handle(struct mg_connection *conn, void *cbdata) {
  (void)cbdata;
  const struct mg_request_info *ri = mg_get_request_info(conn);
  if (strcmp(ri->request_method, "POST")) return svc_reply_method_not_allowed(conn, "POST");
  char *body = malloc(MAX_BODY + 1);
  if (!body) return svc_reply_text(conn, 500, "Out of memory");
  size_t len = 0;
  int n;
  while (len < MAX_BODY && (n = mg_read(conn, body + len, MAX_BODY - len)) > 0) len += (size_t)n;
  body[len] = '\0';
  cJSON *items = cJSON_Parse(body);
  free(body);
  if (!cJSON_IsArray(items)) {
    cJSON_Delete(items);
    return svc_reply_text(conn, 400, "Expected a JSON array of {url, arguments}");
  }
  CURL *easy = curl_easy_init();
  int failed = 0;
  const cJSON *item;
  cJSON_ArrayForEach(item, items) {
    const cJSON *url = cJSON_GetObjectItemCaseSensitive(item, "url");
    const cJSON *args = cJSON_GetObjectItemCaseSensitive(item, "arguments");
    if (!cJSON_IsString(url)) continue;
    char *json = args ? cJSON_PrintUnformatted(args) : strdup("[]");
    failed |= json ? post_json(easy, url->valuestring, json) : -1;
    cJSON_free(json);
  }
  curl_easy_cleanup(easy);
  cJSON_Delete(items);
  return failed ? svc_reply_text(conn, 502, "A downstream call failed")
                : svc_reply_text(conn, 200, "OK");
}

int main(int argc, char **argv) {
  svc_block_stop_signals();
  if (argc > 1) setenv("PORT", argv[1], 1);
  if (!getenv("OTEL_TRACES_EXPORTER")) setenv("OTEL_TRACES_EXPORTER", "none", 1);
  int port = svc_env_port("tracecontext_service", 5000);
  if (port < 0) return 2;
  otel_sdk_options_t o;
  otel_sdk_options_init(&o);
  o.service_name = "tracecontext_service";
  otel_sdk_t *sdk;
  if (otel_sdk_init(&o, &sdk) != OTEL_OK) return 1;
  otel_tracer_t *tracer = otel_sdk_tracer(sdk, "tracecontext_service", NULL);
  curl_global_init(CURL_GLOBAL_DEFAULT);
  struct mg_callbacks cb = {0};
  otel_civetweb_instrument(&cb, &(otel_civetweb_options_t){.tracer = tracer});
  otel_curl_instrument(&(otel_curl_options_t){.tracer = tracer});
  int rc = svc_run("tracecontext_service", port, &cb, handle, NULL, NULL);
  curl_global_cleanup();
  otel_sdk_shutdown(sdk, 1000);
  return rc;
}
