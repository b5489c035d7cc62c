/* curl_client.c: a libcurl client traced by replacing curl_easy_perform
 * with otel_curl_perform: each transfer is a CLIENT span, and the
 * traceparent header it adds makes the server's span (civetweb_server.c)
 * a child of it, in the same trace.
 *
 *   cc curl_client.c $(pkg-config --cflags --libs otel-lite) -o curl_client
 *   ./curl_client http://127.0.0.1:8080/hello
 */
#include <otel/instrument_curl.h>
#include <otel/sdk.h>

#include <curl/curl.h>
#include <stdio.h>

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: curl_client URL\n");
    return 2;
  }
  curl_global_init(CURL_GLOBAL_DEFAULT); /* once, before any thread */
  otel_sdk_options_t o;
  otel_sdk_options_init(&o);
  o.service_name = "curl-client";
  otel_sdk_t *sdk;
  otel_err_t err = otel_sdk_init(&o, &sdk);
  if (err != OTEL_OK) {
    fprintf(stderr, "curl_client: otel_sdk_init: %s\n", otel_strerror(err));
    return 1;
  }
  otel_tracer_t *tracer = otel_sdk_tracer(sdk, "curl-client", "1.0");
  otel_curl_instrument(&(otel_curl_options_t){.tracer = tracer,
                                              .meter = otel_sdk_meter(sdk, "curl-client", "1.0")});

  CURLcode rc;
  long status = 0;
  {
    OTEL_SCOPED_SPAN(span, tracer, "fetch-greeting"); /* the CLIENT span's parent */
    CURL *easy = curl_easy_init();
    curl_easy_setopt(easy, CURLOPT_URL, argv[1]);
    rc = otel_curl_perform(easy); /* instead of curl_easy_perform */
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(easy);
  }
  otel_sdk_shutdown(sdk, 5000);
  curl_global_cleanup();
  if (rc != CURLE_OK) {
    fprintf(stderr, "curl_client: %s\n", curl_easy_strerror(rc));
    return 1;
  }
  printf("curl_client: HTTP %ld\n", status);
  return status == 200 ? 0 : 1;
}
