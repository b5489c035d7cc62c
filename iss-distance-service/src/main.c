/* iss-distance-service: how far the International Space Station is from a
 * place, right now.
 *
 *   GET /?latitude=<deg>&longitude=<deg>
 *   -> {"distance": km, "location": {"latitude", "longitude"},
 *       "iss_position": {"latitude", "longitude"}, "altitude_km",
 *       "slant_range_km", "timestamp", "source"}
 *
 * The ISS position comes from ISS_NOW_URL (an open-notify compatible API)
 * when it is set, else, and whenever that API fails, from SGP4 propagation
 * of a TLE: the bundled one (data/iss-25544.tle) or ISS_TLE_FILE. distance
 * is the geodesic on WGS-84 to the point below the station; slant_range_km
 * the straight line to the station itself.
 * Errors: 400 "No latitude/longitude given", 400 for values that are not
 * coordinates, 503 when no position can be computed.
 * Port: PORT (default 5003). ISS_INJECT_LATENCY_MS (default 0, at most
 * 60000) delays every distance calculation, for the workshop's latency
 * and alerting extra (workshop/extras/latency-alert.md).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cJSON.h>
#include <civetweb.h>
#include <curl/curl.h>

#include "otel/instrument_civetweb.h"
#include "otel/instrument_curl.h"
#include "otel/sdk.h"

#include "svc_http.h"
#include "svc_server.h"
#include "svc_upstream.h"
#include "coords.h"
#include "geodesy.h"
#include "position.h"
#include "sgp4.h"
#include "tle.h"

#define SERVICE_NAME "iss-distance-service"
#define DEFAULT_PORT 5003
#define ISS_API_TIMEOUT_MS 2000

extern const char iss_default_tle[]; /* data/iss-25544.tle, compiled in */

struct app {
  const char *iss_now_url; /* NULL: offline (SGP4 only) */
  sgp4_t model;
  char source_sgp4[64];    /* "sgp4 (TLE epoch 2025-11-09T23:14:21Z)" */
  otel_tracer_t *tracer;
  otel_logger_t *logger;
  otel_instrument_t *incoming_requests; /* every request received */
  otel_instrument_t *iss_requests;      /* ISS position lookups, by response.status */
  long inject_latency_ms;               /* ISS_INJECT_LATENCY_MS */
};

struct iss_fix {
  geo_position_t where;
  double ecef_km[3];
  double unix_time;
  const char *source;
};

/* Counts one ISS position lookup: the API's HTTP status, "unreachable",
 * or offline 200 (SGP4 computed it) / 503 (it could not). */
static void count_iss_request(struct app *app, const char *status) {
  /* WORKSHOP 1.3 BEGIN: count the ISS position lookup, with its response.status */
  otel_counter_add(app->iss_requests, 1, &OTEL_ATTR_STR("response.status", status), 1);
  /* WORKSHOP 1.3 END */
  /* WORKSHOP 1.3 STUB: (void)app, (void)status; */
}

/* Asks the open-notify compatible API; 0 when it gave a position, else -1
 * with what went wrong in err. */
static int position_from_api(struct app *app, struct iss_fix *fix, char *err, size_t errlen) {
  svc_response_t res;
  int rc = -1;
  int got = svc_http_get(app->iss_now_url, ISS_API_TIMEOUT_MS, &res);
  char status[16];
  snprintf(status, sizeof status, "%ld", res.status);
  count_iss_request(app, got != 0 ? "unreachable" : status);
  if (got != 0) {
    snprintf(err, errlen, "ISS API could not be reached: %s", res.error);
    goto out;
  }
  if (res.status != 200) {
    snprintf(err, errlen, "ISS API returned HTTP status %ld", res.status);
    goto out;
  }
  cJSON *root = cJSON_Parse(res.body);
  const cJSON *pos = cJSON_GetObjectItemCaseSensitive(root, "iss_position");
  const cJSON *lat = cJSON_GetObjectItemCaseSensitive(pos, "latitude");
  const cJSON *lon = cJSON_GetObjectItemCaseSensitive(pos, "longitude");
  const cJSON *ts = cJSON_GetObjectItemCaseSensitive(root, "timestamp");
  if (cJSON_IsString(lat) && cJSON_IsString(lon) && cJSON_IsNumber(ts) &&
      coords_parse(lat->valuestring, -90, 90, &fix->where.latitude_deg) &&
      coords_parse(lon->valuestring, -180, 180, &fix->where.longitude_deg)) {
    fix->unix_time = ts->valuedouble;
    fix->source = "open-notify";
    rc = 0;
  } else {
    snprintf(err, errlen, "ISS API answered something that is not a position");
  }
  cJSON_Delete(root);
out:
  svc_response_cleanup(&res);
  return rc;
}

/* Where the ISS is now: the API if configured and working, else SGP4. */
static int iss_position(struct app *app, struct iss_fix *fix, char *err, size_t errlen) {
  /* WORKSHOP 3.3 BEGIN: a child span for getting the ISS coordinates */
  OTEL_SCOPED_SPAN(span, app->tracer, "getting-iss-coordinates");
  /* WORKSHOP 3.3 END */
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  fix->unix_time = now.tv_sec + now.tv_nsec / 1e9;
  char api_err[CURL_ERROR_SIZE + 64] = "";
  bool from_api = app->iss_now_url && position_from_api(app, fix, api_err, sizeof api_err) == 0;
  if (api_err[0]) {
    /* WORKSHOP 2.5 BEGIN: log an error when the ISS API fails */
    otel_log_error(app->logger, "%s; using SGP4 instead", api_err);
    /* WORKSHOP 2.5 END */
    /* WORKSHOP 3.3 BEGIN: mark the span as failed when the ISS API fails */
    otel_span_set_status(span, OTEL_SPAN_STATUS_ERROR, api_err);
    /* WORKSHOP 3.3 END */
  }
  /* SGP4 also gives the altitude (and the Earth-fixed position) that the
   * API does not: at the API's time when it answered. */
  geo_position_t model;
  sgp4_err_t e = position_at(&app->model, fix->unix_time, &model, fix->ecef_km);
  if (!app->iss_now_url) count_iss_request(app, e == SGP4_OK ? "200" : "503"); /* offline: SGP4 is the lookup */
  if (e != SGP4_OK) {
    snprintf(err, errlen, "SGP4 cannot propagate the TLE to now: %s", sgp4_strerror(e));
    /* WORKSHOP 3.3 BEGIN: mark the span as failed when SGP4 fails */
    otel_span_set_status(span, OTEL_SPAN_STATUS_ERROR, err);
    /* WORKSHOP 3.3 END */
    return -1;
  }
  if (from_api) {
    model.latitude_deg = fix->where.latitude_deg;
    model.longitude_deg = fix->where.longitude_deg;
    position_to_ecef(model.latitude_deg, model.longitude_deg, model.altitude_km, fix->ecef_km);
  } else {
    fix->source = app->source_sgp4;
  }
  fix->where = model;
  /* WORKSHOP 3.3 BEGIN: record on the span where the ISS is, and where that came from */
  char pos[64];
  snprintf(pos, sizeof pos, "%.4f,%.4f", model.latitude_deg, model.longitude_deg);
  otel_span_set_attribute_str(span, "iss.position", pos);
  otel_span_set_attribute_str(span, "iss.position.source", fix->source);
  /* WORKSHOP 3.3 END */
  return 0;
}

static int reply_distance(struct mg_connection *conn, double lat, double lon,
                          const struct iss_fix *fix) {
  char ts[32];
  time_t secs = (time_t)fix->unix_time;
  struct tm tm;
  gmtime_r(&secs, &tm);
  strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
  cJSON *o = cJSON_CreateObject();
  cJSON_AddNumberToObject(o, "distance", round(geodesy_distance_km(lat, lon, fix->where.latitude_deg,
                                                                   fix->where.longitude_deg) * 100) / 100);
  cJSON *loc = cJSON_AddObjectToObject(o, "location");
  cJSON_AddNumberToObject(loc, "latitude", lat);
  cJSON_AddNumberToObject(loc, "longitude", lon);
  cJSON *iss = cJSON_AddObjectToObject(o, "iss_position");
  cJSON_AddNumberToObject(iss, "latitude", round(fix->where.latitude_deg * 1e4) / 1e4);
  cJSON_AddNumberToObject(iss, "longitude", round(fix->where.longitude_deg * 1e4) / 1e4);
  cJSON_AddNumberToObject(o, "altitude_km", round(fix->where.altitude_km * 100) / 100);
  cJSON_AddNumberToObject(o, "slant_range_km", round(geodesy_slant_range_km(lat, lon, fix->ecef_km) * 100) / 100);
  cJSON_AddStringToObject(o, "timestamp", ts);
  cJSON_AddStringToObject(o, "source", fix->source);
  char *json = cJSON_PrintUnformatted(o);
  cJSON_Delete(o);
  int status = json ? svc_reply_json(conn, 200, json) : svc_reply_text(conn, 500, "Out of memory");
  cJSON_free(json);
  return status;
}

static int handle_distance(struct mg_connection *conn, struct app *app) {
  /* WORKSHOP 3.2 BEGIN: a span around the whole distance calculation */
  OTEL_SCOPED_SPAN(span, app->tracer, "calculating-iss-distance");
  /* WORKSHOP 3.2 END */
  /* WORKSHOP 1.2 BEGIN: count every request */
  otel_counter_add(app->incoming_requests, 1, NULL, 0);
  /* WORKSHOP 1.2 END */
  /* WORKSHOP 2.3 BEGIN: log every request with the client's address */
  otel_log_info(app->logger, "received request from IP address: %s", mg_get_request_info(conn)->remote_addr);
  /* WORKSHOP 2.3 END */
  char lat_s[64], lon_s[64];
  svc_param_result_t a = svc_get_param(conn, NULL, "latitude", lat_s, sizeof lat_s);
  svc_param_result_t b = svc_get_param(conn, NULL, "longitude", lon_s, sizeof lon_s);
  if (a == SVC_PARAM_MISSING || b == SVC_PARAM_MISSING) {
    /* WORKSHOP 2.4 BEGIN: warn about requests without coordinates */
    otel_log_warn(app->logger, "request without latitude or longitude");
    /* WORKSHOP 2.4 END */
    /* WORKSHOP 3.2 BEGIN: mark the span as failed */
    otel_span_set_status(span, OTEL_SPAN_STATUS_ERROR, "No latitude/longitude given");
    /* WORKSHOP 3.2 END */
    return svc_reply_text(conn, 400, "No latitude/longitude given");
  }
  double lat, lon;
  if (a != SVC_PARAM_OK || b != SVC_PARAM_OK || !coords_parse(lat_s, -90, 90, &lat) ||
      !coords_parse(lon_s, -180, 180, &lon)) {
    /* WORKSHOP 3.2 BEGIN: mark the span as failed */
    otel_span_set_status(span, OTEL_SPAN_STATUS_ERROR, "Invalid latitude/longitude");
    /* WORKSHOP 3.2 END */
    return svc_reply_text(conn, 400, "Invalid latitude/longitude: latitude must be a number "
                                     "from -90 to 90 and longitude one from -180 to 180");
  }

  if (app->inject_latency_ms > 0) {
    struct timespec delay = {app->inject_latency_ms / 1000, app->inject_latency_ms % 1000 * 1000000L};
    nanosleep(&delay, NULL);
  }
  struct iss_fix fix;
  char err[160];
  if (iss_position(app, &fix, err, sizeof err) != 0) {
    /* WORKSHOP 3.2 BEGIN: mark the span as failed */
    otel_span_set_status(span, OTEL_SPAN_STATUS_ERROR, err);
    /* WORKSHOP 3.2 END */
    /* WORKSHOP 2.5 BEGIN: log an error when no position can be computed */
    otel_log_error(app->logger, "%s", err);
    /* WORKSHOP 2.5 END */
    return svc_reply_text(conn, 503, err);
  }
  return reply_distance(conn, lat, lon, &fix);
}

static int handle_request(struct mg_connection *conn, void *cbdata) {
  const struct mg_request_info *ri = mg_get_request_info(conn);
  if (strcmp(ri->local_uri, "/") != 0) return svc_reply_text(conn, 404, "Not found");
  if (strcmp(ri->request_method, "GET") != 0) return svc_reply_method_not_allowed(conn, "GET");
  return handle_distance(conn, cbdata);
}

/* Loads ISS_TLE_FILE, or the compiled-in TLE. */
static int load_model(struct app *app) {
  tle_t tle;
  char err[256];
  const char *path = getenv("ISS_TLE_FILE");
  int rc = path && *path ? tle_load_file(path, &tle, err, sizeof err)
                         : tle_parse(iss_default_tle, &tle, err, sizeof err);
  if (rc != 0) {
    fprintf(stderr, "%s: %s\n", SERVICE_NAME, err);
    return -1;
  }
  sgp4_err_t e = sgp4_init(&app->model, &tle);
  if (e != SGP4_OK) {
    fprintf(stderr, "%s: the TLE cannot be used: %s\n", SERVICE_NAME, sgp4_strerror(e));
    return -1;
  }
  char epoch[32];
  tle_epoch_iso(&tle, epoch, sizeof epoch);
  double age_days = (double)time(NULL) / 86400.0 + 2440587.5 - (tle.jd_epoch + tle.jd_epoch_frac);
  if (fabs(age_days) > 14)
    fprintf(stderr, "%s: warning: the TLE epoch (%s) is %.0f days from now; SGP4 positions "
            "drift by kilometres after a few days. Set ISS_TLE_FILE to a fresh TLE "
            "(https://celestrak.org/NORAD/elements/gp.php?CATNR=25544) or ISS_NOW_URL.\n",
            SERVICE_NAME, epoch, fabs(age_days));
  snprintf(app->source_sgp4, sizeof app->source_sgp4, "sgp4 (TLE epoch %s)", epoch);
  return 0;
}

/* ISS_INJECT_LATENCY_MS: milliseconds added to every calculation. */
static int read_latency(struct app *app) {
  const char *v = getenv("ISS_INJECT_LATENCY_MS");
  if (!v || !*v) return 0;
  char *end;
  errno = 0;
  long ms = strtol(v, &end, 10);
  if (errno || *end || ms < 0 || ms > 60000) {
    fprintf(stderr, "%s: ISS_INJECT_LATENCY_MS=\"%s\" is not a number of milliseconds (0-60000)\n",
            SERVICE_NAME, v);
    return -1;
  }
  app->inject_latency_ms = ms;
  if (ms) fprintf(stderr, "%s: every calculation is delayed by %ld ms (ISS_INJECT_LATENCY_MS)\n", SERVICE_NAME, ms);
  return 0;
}

/* The start-up log line, once the server listens. */
static void log_started(int port, void *user_data) {
  struct app *app = user_data;
  /* WORKSHOP 2.2 BEGIN: log that the service started */
  otel_log_info(app->logger, "%s started on port %d (%s)", SERVICE_NAME, port,
                app->iss_now_url ? "ISS position from ISS_NOW_URL, SGP4 as fallback"
                                 : app->source_sgp4);
  /* WORKSHOP 2.2 END */
  /* WORKSHOP 2.2 STUB: (void)app, (void)port; */
}

int main(void) {
  svc_block_stop_signals();
  struct app app = {.iss_now_url = getenv("ISS_NOW_URL")};
  if (app.iss_now_url && !*app.iss_now_url) app.iss_now_url = NULL;
  int port = svc_env_port(SERVICE_NAME, DEFAULT_PORT);
  if (port < 0 || load_model(&app) != 0 || read_latency(&app) != 0) return 2;

  /* WORKSHOP 0.1 BEGIN: a resource naming the service, and the SDK set up with it */
  otel_sdk_options_t otel_options;
  otel_sdk_options_init(&otel_options);
  otel_options.service_name = SERVICE_NAME;
  otel_options.resource_attrs = &OTEL_ATTR_STR("deployment.environment.name", "dev");
  otel_options.resource_attr_count = 1;
  otel_sdk_t *sdk = NULL;
  if (otel_sdk_init(&otel_options, &sdk) != OTEL_OK)
    fprintf(stderr, "%s: telemetry is off (see the message above)\n", SERVICE_NAME);
  /* WORKSHOP 0.1 END */
  /* WORKSHOP 1.1 BEGIN: a meter, and the two counters made with it */
  otel_meter_t *meter = otel_sdk_meter(sdk, SERVICE_NAME, "1.0.0");
  otel_meter_create_counter(meter, "incoming.requests", "{request}", "Requests received",
                            &app.incoming_requests);
  otel_meter_create_counter(meter, "iss.requests", "{request}",
                            "ISS position lookups by response status", &app.iss_requests);
  /* WORKSHOP 1.1 END */
  /* WORKSHOP 2.1 BEGIN: a logger for the service */
  app.logger = otel_sdk_logger(sdk, SERVICE_NAME, "1.0.0");
  /* WORKSHOP 2.1 END */
  /* WORKSHOP 3.1 BEGIN: a tracer for the service */
  app.tracer = otel_sdk_tracer(sdk, SERVICE_NAME, "1.0.0");
  /* WORKSHOP 3.1 END */

  curl_global_init(CURL_GLOBAL_DEFAULT);
  struct mg_callbacks callbacks = {0};
  /* WORKSHOP 4.1 BEGIN: trace every request served (civetweb) and made (libcurl) */
  static const char *const routes[] = {"/", NULL};
  otel_meter_t *http_meter = otel_sdk_meter(sdk, SERVICE_NAME, "1.0.0");
  otel_civetweb_instrument(&callbacks, &(otel_civetweb_options_t){.tracer = app.tracer, .routes = routes,
                                                                  .meter = http_meter});
  otel_curl_instrument(&(otel_curl_options_t){.tracer = app.tracer, .meter = http_meter});
  svc_set_perform_hook(otel_curl_perform);
  /* WORKSHOP 4.1 END */
  int rc = svc_run(SERVICE_NAME, port, &callbacks, handle_request, &app, log_started);
  /* WORKSHOP 0.1 BEGIN: send what is still queued before the service exits */
  otel_sdk_shutdown(sdk, 3000);
  /* WORKSHOP 0.1 END */
  curl_global_cleanup();
  return rc;
}
