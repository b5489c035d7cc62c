/* frontend: the web page of the ISS distance app (port 5000).
 *
 *   GET  /                  the form
 *   GET  /?location=<place> the form and the answer (so results can be linked)
 *   POST /  (location=...)  the same, from the form
 *
 * It asks the gateway (GATEWAY_URL, required) and shows the distance, where
 * the ISS is and the resolved place, or the gateway's error. While the
 * gateway is not ready (nothing listens yet, or it answers 503) the answer
 * is 503 with Retry-After and a page saying the app is starting up, which
 * reloads itself. Everything that comes from the user or an upstream is
 * HTML-escaped (page.c).
 * Port: PORT (default 5000).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <civetweb.h>
#include <curl/curl.h>

#include "otel/instrument_civetweb.h"
#include "otel/instrument_curl.h"
#include "otel/sdk.h"

#include "svc_http.h"
#include "svc_server.h"
#include "svc_upstream.h"
#include "page.h"

#define SERVICE_NAME "frontend"
#define DEFAULT_PORT 5000
#define MAX_LOCATION 256
#define MAX_FORM_BODY 4096
#define GATEWAY_TIMEOUT_MS 10000
#define STARTING_UP_RETRY_S 5

struct app {
  const char *gateway_url;
};

/* Reads an application/x-www-form-urlencoded body (at most MAX_FORM_BODY). */
static int read_form(struct mg_connection *conn, char *buf, size_t cap) {
  size_t len = 0;
  for (;;) {
    int n = mg_read(conn, buf + len, cap - 1 - len);
    if (n <= 0) break;
    len += (size_t)n;
    if (len == cap - 1) {
      char extra;
      if (mg_read(conn, &extra, 1) > 0) return -1;
      break;
    }
  }
  buf[len] = '\0';
  return 0;
}

static int send_page(struct mg_connection *conn, int status, const page_view_t *view) {
  html_t h = {0};
  page_render(&h, view);
  char extra[640];
  if (view->starting_up_retry_s > 0)
    snprintf(extra, sizeof extra, "%sRetry-After: %d\r\n", page_security_headers(), view->starting_up_retry_s);
  else
    snprintf(extra, sizeof extra, "%s", page_security_headers());
  int ret = h.oom ? svc_reply_text(conn, 500, "Out of memory")
                  : svc_reply_with_headers(conn, status, "text/html; charset=utf-8", extra, h.data, h.len);
  html_free(&h);
  return ret;
}

static int handle_page(struct mg_connection *conn, struct app *app, const char *form) {
  char location[MAX_LOCATION];
  page_view_t view = {0};
  switch (svc_get_param(conn, form, "location", location, sizeof(location))) {
  case SVC_PARAM_OK: break;
  case SVC_PARAM_MISSING:
    if (form) {
      view.error_status = 400;
      view.error_text = "No location given";
      return send_page(conn, 400, &view);
    }
    return send_page(conn, 200, &view); /* plain GET /: just the form */
  case SVC_PARAM_TOO_LONG:
    view.error_status = 400;
    view.error_text = "Location too long (at most 255 bytes)";
    return send_page(conn, 400, &view);
  case SVC_PARAM_INVALID:
    view.error_status = 400;
    view.error_text = "Location must be UTF-8 text without control characters";
    return send_page(conn, 400, &view);
  }
  view.location = location;

  svc_response_t res;
  char *url = svc_url_with_params(app->gateway_url, "location", location, NULL);
  int status = 200;
  if (!url) return svc_reply_text(conn, 500, "Out of memory");
  int sent = svc_http_get(url, GATEWAY_TIMEOUT_MS, &res);
  if ((sent != 0 && res.curl_code == CURLE_COULDNT_CONNECT) || (sent == 0 && res.status == 503)) {
    status = 503; /* not ready yet: listening comes last, and /healthz says 503 until then */
    view.starting_up_retry_s = STARTING_UP_RETRY_S;
  } else if (sent != 0) {
    status = view.error_status = 502;
    view.error_text = "The gateway could not be reached. Is it running?";
  } else if (res.status != 200) {
    status = view.error_status = (int)res.status;
    view.error_text = res.body;
  } else {
    view.result_json = res.body;
  }
  int ret = send_page(conn, status, &view);
  free(url);
  svc_response_cleanup(&res);
  return ret;
}

static int handle_request(struct mg_connection *conn, void *cbdata) {
  const struct mg_request_info *ri = mg_get_request_info(conn);
  if (strcmp(ri->local_uri, "/") != 0) return svc_reply_text(conn, 404, "Not found");
  if (strcmp(ri->request_method, "GET") == 0) return handle_page(conn, cbdata, NULL);
  if (strcmp(ri->request_method, "POST") != 0)
    return svc_reply_method_not_allowed(conn, "GET, POST");
  char form[MAX_FORM_BODY];
  if (read_form(conn, form, sizeof(form)) != 0)
    return svc_reply_text(conn, 413, "Form too large");
  return handle_page(conn, cbdata, form);
}

int main(void) {
  svc_block_stop_signals();
  struct app app = {
      .gateway_url = svc_env_required(SERVICE_NAME, "GATEWAY_URL", "e.g. http://127.0.0.1:5001/"),
  };
  int port = svc_env_port(SERVICE_NAME, DEFAULT_PORT);
  if (!app.gateway_url || port < 0) return 2;

  /* WORKSHOP 4.4 BEGIN: set up the SDK with the frontend's own resource */
  otel_sdk_options_t otel_options;
  otel_sdk_options_init(&otel_options);
  otel_options.service_name = SERVICE_NAME;
  otel_options.resource_attrs = &OTEL_ATTR_STR("deployment.environment.name", "dev");
  otel_options.resource_attr_count = 1;
  otel_sdk_t *sdk = NULL;
  if (otel_sdk_init(&otel_options, &sdk) != OTEL_OK)
    fprintf(stderr, "%s: telemetry is off (see the message above)\n", SERVICE_NAME);
  /* WORKSHOP 4.4 END */

  curl_global_init(CURL_GLOBAL_DEFAULT);
  struct mg_callbacks callbacks = {0};
  /* WORKSHOP 4.4 BEGIN: trace every request served (civetweb) and made (libcurl) */
  static const char *const routes[] = {"/", NULL};
  otel_tracer_t *tracer = otel_sdk_tracer(sdk, SERVICE_NAME, "1.0.0");
  otel_meter_t *http_meter = otel_sdk_meter(sdk, SERVICE_NAME, "1.0.0");
  otel_civetweb_instrument(&callbacks, &(otel_civetweb_options_t){.tracer = tracer, .routes = routes,
                                                                  .meter = http_meter});
  otel_curl_instrument(&(otel_curl_options_t){.tracer = tracer, .meter = http_meter});
  svc_set_perform_hook(otel_curl_perform);
  /* WORKSHOP 4.4 END */
  int rc = svc_run(SERVICE_NAME, port, &callbacks, handle_request, &app, NULL);
  /* WORKSHOP 4.4 BEGIN: send what is still queued before the service exits */
  otel_sdk_shutdown(sdk, 3000);
  /* WORKSHOP 4.4 END */
  curl_global_cleanup();
  return rc;
}
