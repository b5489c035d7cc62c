/* gateway: the one API the frontend calls.
 *
 *   GET /?location=<place>  -> asks the geolocator for the place's
 *   coordinates, then the ISS distance service for the distance, and returns
 *   the latter's JSON with the resolved place name added ("place").
 *
 * Errors: missing location -> 400 "No location given"; an upstream 4xx is
 * passed through with its status and body; an upstream that is unreachable,
 * times out or fails (5xx) -> 502 naming the service.
 * Upstreams: GEOLOCATOR_SERVICE_URL, ISS_DISTANCE_SERVICE_URL (required).
 * Port: PORT (default 5001).
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
#include "svc_upstream.h"

#define SERVICE_NAME "gateway"
#define DEFAULT_PORT 5001
#define MAX_LOCATION 256
#define UPSTREAM_TIMEOUT_MS 5000

struct app {
  const char *geolocator_url;
  const char *iss_distance_url;
};

/* Calls one upstream. On success (2xx) returns 0 and leaves the response in
 * *res. Otherwise writes the error reply (4xx passed through, else 502) and
 * returns its status. */
static int call_upstream(struct mg_connection *conn, const char *what,
                         const char *url, svc_response_t *res) {
  if (svc_http_get(url, UPSTREAM_TIMEOUT_MS, res) != 0) {
    char msg[CURL_ERROR_SIZE + 128];
    snprintf(msg, sizeof(msg), "%s unavailable: %s", what, res->error);
    return svc_reply_text(conn, 502, msg);
  }
  if (res->status >= 200 && res->status < 300) return 0;
  if (res->status >= 400 && res->status < 500)
    return svc_reply(conn, (int)res->status, NULL, res->body, res->len);
  char msg[128];
  snprintf(msg, sizeof(msg), "%s failed with HTTP status %ld", what, res->status);
  return svc_reply_text(conn, 502, msg);
}

/* Reads {"latitude": n, "longitude": n, "name": s} from the geolocator. */
static int parse_coordinates(const char *json, char lat[32], char lon[32],
                             char **name) {
  cJSON *root = cJSON_Parse(json);
  const cJSON *la = cJSON_GetObjectItemCaseSensitive(root, "latitude");
  const cJSON *lo = cJSON_GetObjectItemCaseSensitive(root, "longitude");
  const cJSON *nm = cJSON_GetObjectItemCaseSensitive(root, "name");
  int ok = cJSON_IsNumber(la) && cJSON_IsNumber(lo);
  if (ok) {
    snprintf(lat, 32, "%.6f", la->valuedouble);
    snprintf(lon, 32, "%.6f", lo->valuedouble);
    *name = strdup(cJSON_IsString(nm) ? nm->valuestring : "");
    ok = *name != NULL;
  }
  cJSON_Delete(root);
  return ok;
}

static int handle_distance(struct mg_connection *conn, struct app *app) {
  char location[MAX_LOCATION];
  switch (svc_get_param(conn, NULL, "location", location, sizeof(location))) {
  case SVC_PARAM_OK: break;
  case SVC_PARAM_MISSING: return svc_reply_text(conn, 400, "No location given");
  case SVC_PARAM_TOO_LONG:
    return svc_reply_text(conn, 400, "Location too long (at most 255 bytes)");
  case SVC_PARAM_INVALID:
    return svc_reply_text(conn, 400, "Location must be UTF-8 text without control characters");
  }

  int status;
  svc_response_t geo = {0}, iss = {0};
  char *name = NULL, *out = NULL, lat[32], lon[32];
  char *url = svc_url_with_params(app->geolocator_url, "location", location, NULL);
  status = url ? call_upstream(conn, "geolocator-service", url, &geo)
               : svc_reply_text(conn, 500, "Out of memory");
  free(url);
  if (status) goto out;
  if (!parse_coordinates(geo.body, lat, lon, &name)) {
    status = svc_reply_text(conn, 502, "geolocator-service returned an unreadable answer");
    goto out;
  }

  url = svc_url_with_params(app->iss_distance_url, "latitude", lat, "longitude", lon, NULL);
  status = url ? call_upstream(conn, "iss-distance-service", url, &iss)
               : svc_reply_text(conn, 500, "Out of memory");
  free(url);
  if (status) goto out;

  cJSON *result = cJSON_Parse(iss.body);
  if (!cJSON_IsObject(result)) {
    cJSON_Delete(result);
    status = svc_reply_text(conn, 502, "iss-distance-service returned an unreadable answer");
    goto out;
  }
  cJSON_AddStringToObject(result, "place", name);
  out = cJSON_PrintUnformatted(result);
  cJSON_Delete(result);
  status = out ? svc_reply_json(conn, 200, out) : svc_reply_text(conn, 500, "Out of memory");

out:
  cJSON_free(out);
  free(name);
  svc_response_cleanup(&geo);
  svc_response_cleanup(&iss);
  return status;
}

static int handle_request(struct mg_connection *conn, void *cbdata) {
  const struct mg_request_info *ri = mg_get_request_info(conn);
  if (strcmp(ri->local_uri, "/") != 0) return svc_reply_text(conn, 404, "Not found");
  if (strcmp(ri->request_method, "GET") != 0) return svc_reply_method_not_allowed(conn, "GET");
  return handle_distance(conn, cbdata);
}

int main(void) {
  svc_block_stop_signals();
  struct app app = {
      .geolocator_url = svc_env_required(SERVICE_NAME, "GEOLOCATOR_SERVICE_URL",
                                         "e.g. http://127.0.0.1:5002/"),
      .iss_distance_url = svc_env_required(SERVICE_NAME, "ISS_DISTANCE_SERVICE_URL",
                                           "e.g. http://127.0.0.1:5003/"),
  };
  int port = svc_env_port(SERVICE_NAME, DEFAULT_PORT);
  if (!app.geolocator_url || !app.iss_distance_url || port < 0) return 2;

  /* WORKSHOP 4.2 BEGIN: set up the SDK with the gateway's own resource */
  otel_sdk_options_t otel_options;
  otel_sdk_options_init(&otel_options);
  otel_options.service_name = SERVICE_NAME;
  otel_options.resource_attrs = &OTEL_ATTR_STR("deployment.environment.name", "dev");
  otel_options.resource_attr_count = 1;
  otel_sdk_t *sdk = NULL;
  if (otel_sdk_init(&otel_options, &sdk) != OTEL_OK)
    fprintf(stderr, "%s: telemetry is off (see the message above)\n", SERVICE_NAME);
  /* WORKSHOP 4.2 END */

  curl_global_init(CURL_GLOBAL_DEFAULT);
  struct mg_callbacks callbacks = {0};
  /* WORKSHOP 4.2 BEGIN: trace every request served (civetweb) and made (libcurl) */
  static const char *const routes[] = {"/", NULL};
  otel_tracer_t *tracer = otel_sdk_tracer(sdk, SERVICE_NAME, "1.0.0");
  otel_meter_t *http_meter = otel_sdk_meter(sdk, SERVICE_NAME, "1.0.0");
  otel_civetweb_instrument(&callbacks, &(otel_civetweb_options_t){.tracer = tracer, .routes = routes,
                                                                  .meter = http_meter});
  otel_curl_instrument(&(otel_curl_options_t){.tracer = tracer, .meter = http_meter});
  svc_set_perform_hook(otel_curl_perform);
  /* WORKSHOP 4.2 END */
  int rc = svc_run(SERVICE_NAME, port, &callbacks, handle_request, &app, NULL);
  /* WORKSHOP 4.2 BEGIN: send what is still queued before the service exits */
  otel_sdk_shutdown(sdk, 3000);
  /* WORKSHOP 4.2 END */
  curl_global_cleanup();
  return rc;
}
