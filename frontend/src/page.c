/* frontend/src/page.c: the HTML of the frontend (see page.h). The page has
 * its own CSS and no external resources, so it renders offline; it has no
 * script at all, and its Content-Security-Policy says so. */
#include "page.h"

#include "sha256.h"
#include "world_map.h"

#include <cJSON.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* The page's whole style sheet: the text of its one <style> element, which
 * the Content-Security-Policy allows by its hash (page_security_headers). */
static const char page_style[] =
    "\nbody{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;"
    "margin:0;background:#0b1d33;color:#e8eef6}\n"
    "main{max-width:52rem;margin:0 auto;padding:2rem 1rem}\n"
    "h1{font-weight:600;margin:0 0 1rem}\n"
    "form{display:flex;gap:.5rem;margin-bottom:1.5rem}\n"
    "input[type=text]{flex:1;font-size:1.1rem;padding:.6rem .8rem;border-radius:.4rem;"
    "border:1px solid #47607e;background:#112a47;color:#fff}\n"
    "button{font-size:1.1rem;padding:.6rem 1.2rem;border:0;border-radius:.4rem;"
    "background:#f2a93b;color:#1b1b1b;cursor:pointer}\n"
    ".result,.error{padding:1rem 1.2rem;border-radius:.5rem}\n"
    ".result{background:#112a47}.error{background:#5a1d1d}.starting{background:#3d3a1d}\n"
    ".distance{font-size:2.2rem;font-weight:700;color:#f2a93b}\n"
    "dl{display:grid;grid-template-columns:max-content 1fr;gap:.3rem 1rem;margin:1rem 0 0}\n"
    "dt{color:#9fb3c8}dd{margin:0}\n"
    "svg{width:100%;height:auto;margin-top:1rem;background:#0e3a5c;border-radius:.5rem}\n";

static const char page_head_start[] =
    "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
static const char page_head[] = "<title>How far is the ISS?</title>\n<style>";
static const char page_body_start[] =
    "</style>\n</head>\n<body>\n<main>\n<h1>How far is the International Space Station?</h1>\n";

static char security_headers[512];

static void base64(const uint8_t *in, size_t n, char *out) {
  static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (size_t i = 0; i < n; i += 3) {
    uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < n ? (uint32_t)in[i + 1] << 8 : 0) |
                 (i + 2 < n ? in[i + 2] : 0);
    *out++ = abc[v >> 18 & 63];
    *out++ = abc[v >> 12 & 63];
    *out++ = i + 1 < n ? abc[v >> 6 & 63] : '=';
    *out++ = i + 2 < n ? abc[v & 63] : '=';
  }
  *out = '\0';
}

static void make_security_headers(void) {
  uint8_t digest[SHA256_DIGEST_SIZE];
  char b64[4 * ((SHA256_DIGEST_SIZE + 2) / 3) + 1];
  sha256(page_style, sizeof page_style - 1, digest);
  base64(digest, sizeof digest, b64);
  snprintf(security_headers, sizeof security_headers,
           "Content-Security-Policy: default-src 'none'; style-src 'sha256-%s'; "
           "img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'\r\n"
           "Referrer-Policy: no-referrer\r\n",
           b64);
}

const char *page_security_headers(void) {
  static pthread_once_t once = PTHREAD_ONCE_INIT;
  pthread_once(&once, make_security_headers);
  return security_headers;
}

static void render_form(html_t *h, const char *location) {
  html_append(h, "<form method=\"post\" action=\"/\">\n"
                 "<input type=\"text\" name=\"location\" id=\"location\" "
                 "placeholder=\"A place, e.g. London or Paris, TX\" required "
                 "maxlength=\"255\" value=\"");
  if (location) html_append_escaped(h, location);
  html_append(h, "\" autofocus>\n<button type=\"submit\">Where is it?</button>\n</form>\n");
}

static double number(const cJSON *obj, const char *key) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
  return cJSON_IsNumber(v) ? v->valuedouble : 0.0;
}

/* Reads obj's "latitude" and "longitude" when both are numbers in range. */
static int position(const cJSON *obj, world_map_lonlat_t *out) {
  const cJSON *lat = cJSON_GetObjectItemCaseSensitive(obj, "latitude");
  const cJSON *lon = cJSON_GetObjectItemCaseSensitive(obj, "longitude");
  if (!cJSON_IsNumber(lat) || !cJSON_IsNumber(lon)) return 0;
  if (!(lat->valuedouble >= -90 && lat->valuedouble <= 90) ||
      !(lon->valuedouble >= -180 && lon->valuedouble <= 180))
    return 0;
  out->lat = lat->valuedouble;
  out->lon = lon->valuedouble;
  return 1;
}

static const char *text(const cJSON *obj, const char *key) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
  return cJSON_IsString(v) ? v->valuestring : "";
}

static void render_result(html_t *h, const char *json) {
  cJSON *r = cJSON_Parse(json);
  if (!cJSON_IsObject(r)) {
    html_append(h, "<div class=\"error\" id=\"error\">The gateway sent an answer "
                   "that could not be read.</div>\n");
    cJSON_Delete(r);
    return;
  }
  const cJSON *iss = cJSON_GetObjectItemCaseSensitive(r, "iss_position");
  const cJSON *place = cJSON_GetObjectItemCaseSensitive(r, "location");
  html_append(h, "<div class=\"result\" id=\"result\">\n<div>The ISS is</div>\n"
                 "<div class=\"distance\" id=\"distance\">");
  html_appendf(h, "%.2f km", number(r, "distance"));
  html_append(h, "</div>\n<div>from <strong id=\"place\">");
  html_append_escaped(h, text(r, "place"));
  html_append(h, "</strong>, measured along the Earth's surface to the point "
                 "below the station.</div>\n<dl>\n");
  html_appendf(h, "<dt>ISS position</dt><dd id=\"iss-position\">%.2f&deg;, %.2f&deg; at %.0f km altitude</dd>\n",
               number(iss, "latitude"), number(iss, "longitude"), number(r, "altitude_km"));
  html_appendf(h, "<dt>Place</dt><dd id=\"place-position\">%.4f&deg;, %.4f&deg;</dd>\n",
               number(place, "latitude"), number(place, "longitude"));
  html_appendf(h, "<dt>Straight line</dt><dd>%.2f km</dd>\n", number(r, "slant_range_km"));
  html_append(h, "<dt>Time</dt><dd>");
  html_append_escaped(h, text(r, "timestamp"));
  html_append(h, "</dd>\n<dt>Source</dt><dd id=\"source\">");
  html_append_escaped(h, text(r, "source"));
  html_append(h, "</dd>\n</dl>\n");
  /* the map labels the place with its first part ("Zurich" of "Zurich,
   * Canton of Zurich, Switzerland") */
  char name[128];
  const char *full = text(r, "place");
  size_t n = strcspn(full, ",");
  if (n >= sizeof name) { /* cut long ones, not inside a UTF-8 character */
    n = sizeof name - 1;
    while (n > 0 && ((unsigned char)full[n] & 0xC0) == 0x80) n--;
  }
  memcpy(name, full, n);
  name[n] = '\0';
  world_map_view_t map = {.place_label = name};
  if (position(place, &map.place) && position(iss, &map.iss)) world_map_render(h, &map);
  html_append(h, "</div>\n");
  cJSON_Delete(r);
}

void page_render(html_t *h, const page_view_t *view) {
  html_append(h, page_head_start);
  if (view->starting_up_retry_s > 0)
    html_appendf(h, "<meta http-equiv=\"refresh\" content=\"%d\">\n", view->starting_up_retry_s);
  html_append(h, page_head);
  html_append(h, page_style);
  html_append(h, page_body_start);
  render_form(h, view->location);
  if (view->starting_up_retry_s > 0) {
    html_appendf(h, "<div class=\"result starting\" id=\"starting-up\"><strong>The ISS distance app "
                    "is starting up.</strong> The gateway is not ready yet; this page tries again "
                    "in %d seconds. If this lasts, check that the gateway is running.</div>\n",
                 view->starting_up_retry_s);
  } else if (view->error_status) {
    html_appendf(h, "<div class=\"error\" id=\"error\"><strong>Error %d:</strong> ",
                 view->error_status);
    html_append_escaped(h, view->error_text ? view->error_text : "");
    html_append(h, "</div>\n");
  } else if (view->result_json) {
    render_result(h, view->result_json);
  }
  html_append(h, "</main>\n</body>\n</html>\n");
}
