/* geolocator-service: place name -> coordinates.
 *
 *   GET /?location=<place> -> {"latitude": .., "longitude": .., "name": ..}
 *   unknown place -> 404 "No coordinates found for location '<place>'"
 *   missing       -> 400 "No location given"
 *
 * Offline by default, with the GeoNames cities of Debian's libgeonames
 * (gazetteer.c). When GEOCODER_URL is set, a Nominatim-compatible
 * /search API is asked first, and the offline gazetteer answers when it
 * fails. Port: PORT (default 5002).
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
#include "gazetteer.h"

#define SERVICE_NAME "geolocator-service"
#define DEFAULT_PORT 5002
#define MAX_LOCATION 256
#define GEOCODER_TIMEOUT_MS 3000

struct app {
  gazetteer_t *gazetteer;
  const char *geocoder_url; /* NULL: offline only */
  otel_logger_t *logger;
};

/* Asks the Nominatim-compatible API; 0 when it found the place. */
static int geocode_online(struct app *app, const char *location, gazetteer_place_t *out) {
  char base[512];
  size_t n = strlen(app->geocoder_url);
  snprintf(base, sizeof base, "%s%ssearch", app->geocoder_url,
           n && app->geocoder_url[n - 1] == '/' ? "" : "/");
  char *url = svc_url_with_params(base, "q", location, "format", "json", "limit", "1", NULL);
  svc_response_t res;
  int rc = -1;
  if (!url) return -1;
  if (svc_http_get(url, GEOCODER_TIMEOUT_MS, &res) == 0 && res.status == 200) {
    cJSON *list = cJSON_Parse(res.body);
    const cJSON *first = cJSON_GetArrayItem(list, 0);
    const cJSON *lat = cJSON_GetObjectItemCaseSensitive(first, "lat");
    const cJSON *lon = cJSON_GetObjectItemCaseSensitive(first, "lon");
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(first, "display_name");
    if (cJSON_IsString(lat) && cJSON_IsString(lon)) {
      out->latitude = strtod(lat->valuestring, NULL);
      out->longitude = strtod(lon->valuestring, NULL);
      snprintf(out->name, sizeof out->name, "%s", cJSON_IsString(name) ? name->valuestring : location);
      rc = 0;
    } else if (cJSON_IsArray(list)) {
      rc = 1; /* the geocoder does not know it */
    }
    cJSON_Delete(list);
  }
  if (rc < 0) {
    /* WORKSHOP 4.3 BEGIN: warn when the online geocoder fails */
    otel_log_warn(app->logger, "geocoder at %s failed (%s, HTTP %ld); using the offline gazetteer",
                  app->geocoder_url, res.error[0] ? res.error : "bad answer", res.status);
    /* WORKSHOP 4.3 END */
  }
  svc_response_cleanup(&res);
  free(url);
  return rc;
}

static int handle_location(struct mg_connection *conn, struct app *app) {
  char location[MAX_LOCATION];
  switch (svc_get_param(conn, NULL, "location", location, sizeof location)) {
  case SVC_PARAM_OK: break;
  case SVC_PARAM_MISSING: return svc_reply_text(conn, 400, "No location given");
  case SVC_PARAM_TOO_LONG: return svc_reply_text(conn, 400, "Location too long (at most 255 bytes)");
  case SVC_PARAM_INVALID:
    return svc_reply_text(conn, 400, "Location must be UTF-8 text without control characters");
  }
  gazetteer_place_t place;
  int found = app->geocoder_url ? geocode_online(app, location, &place) : -1;
  if (found != 0) {
    gazetteer_result_t r = gazetteer_lookup(app->gazetteer, location, &place);
    if (r == GAZETTEER_BAD_INPUT) return svc_reply_text(conn, 400, "Location is not a place name");
    found = r == GAZETTEER_FOUND ? 0 : 1;
  }
  if (found != 0) {
    /* WORKSHOP 4.3 BEGIN: log the place names that are not found */
    otel_log_info(app->logger, "no coordinates found for location '%s'", location);
    /* WORKSHOP 4.3 END */
    char msg[MAX_LOCATION + 64];
    snprintf(msg, sizeof msg, "No coordinates found for location '%s'", location);
    return svc_reply_text(conn, 404, msg);
  }
  cJSON *o = cJSON_CreateObject();
  cJSON_AddNumberToObject(o, "latitude", place.latitude);
  cJSON_AddNumberToObject(o, "longitude", place.longitude);
  cJSON_AddStringToObject(o, "name", place.name);
  char *json = cJSON_PrintUnformatted(o);
  cJSON_Delete(o);
  int status = json ? svc_reply_json(conn, 200, json) : svc_reply_text(conn, 500, "Out of memory");
  cJSON_free(json);
  return status;
}

static int handle_request(struct mg_connection *conn, void *cbdata) {
  const struct mg_request_info *ri = mg_get_request_info(conn);
  if (strcmp(ri->local_uri, "/") != 0) return svc_reply_text(conn, 404, "Not found");
  if (strcmp(ri->request_method, "GET") != 0) return svc_reply_method_not_allowed(conn, "GET");
  return handle_location(conn, cbdata);
}

/* The start-up log line, once the server listens. */
static void log_started(int port, void *user_data) {
  struct app *app = user_data;
  /* WORKSHOP 4.3 BEGIN: log that the service started */
  otel_log_info(app->logger, "%s started on port %d: %zu cities, %zu names%s", SERVICE_NAME, port,
                gazetteer_city_count(app->gazetteer), gazetteer_name_count(app->gazetteer),
                app->geocoder_url ? ", GEOCODER_URL first" : "");
  /* WORKSHOP 4.3 END */
  /* WORKSHOP 4.3 STUB: (void)app, (void)port; */
}

int main(void) {
  svc_block_stop_signals();
  struct app app = {.geocoder_url = getenv("GEOCODER_URL")};
  if (app.geocoder_url && !*app.geocoder_url) app.geocoder_url = NULL;
  int port = svc_env_port(SERVICE_NAME, DEFAULT_PORT);
  if (port < 0) return 2;
  app.gazetteer = gazetteer_create(); /* before any thread: it switches the locale */
  if (!app.gazetteer) {
    fprintf(stderr, "%s: out of memory while indexing the gazetteer\n", SERVICE_NAME);
    return 1;
  }

  /* WORKSHOP 4.3 BEGIN: set up the SDK with the geolocator's own resource */
  otel_sdk_options_t otel_options;
  otel_sdk_options_init(&otel_options);
  otel_options.service_name = SERVICE_NAME;
  otel_options.resource_attrs = &OTEL_ATTR_STR("deployment.environment.name", "dev");
  otel_options.resource_attr_count = 1;
  otel_sdk_t *sdk = NULL;
  if (otel_sdk_init(&otel_options, &sdk) != OTEL_OK)
    fprintf(stderr, "%s: telemetry is off (see the message above)\n", SERVICE_NAME);
  app.logger = otel_sdk_logger(sdk, SERVICE_NAME, "1.0.0");
  /* WORKSHOP 4.3 END */

  curl_global_init(CURL_GLOBAL_DEFAULT);
  struct mg_callbacks callbacks = {0};
  /* WORKSHOP 4.3 BEGIN: trace every request served (civetweb) and made (libcurl) */
  static const char *const routes[] = {"/", NULL};
  otel_tracer_t *tracer = otel_sdk_tracer(sdk, SERVICE_NAME, "1.0.0");
  otel_meter_t *http_meter = otel_sdk_meter(sdk, SERVICE_NAME, "1.0.0");
  otel_civetweb_instrument(&callbacks, &(otel_civetweb_options_t){.tracer = tracer, .routes = routes,
                                                                  .meter = http_meter});
  otel_curl_instrument(&(otel_curl_options_t){.tracer = tracer, .meter = http_meter});
  svc_set_perform_hook(otel_curl_perform);
  /* WORKSHOP 4.3 END */
  int rc = svc_run(SERVICE_NAME, port, &callbacks, handle_request, &app, log_started);
  /* WORKSHOP 4.3 BEGIN: send what is still queued before the service exits */
  otel_sdk_shutdown(sdk, 3000);
  /* WORKSHOP 4.3 END */
  curl_global_cleanup();
  gazetteer_destroy(app.gazetteer);
  return rc;
}
