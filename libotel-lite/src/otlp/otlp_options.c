/* SPDX-License-Identifier: Apache-2.0
 *
 * otlp_options.c: OTLP exporter configuration (exporter_otlp.h): the
 * specification's defaults, then OTEL_EXPORTER_OTLP_* and the per-signal
 * OTEL_EXPORTER_OTLP_{TRACES,METRICS,LOGS}_* variables, which win.
 * Specification: "OTLP Exporter Configuration".
 */
#include "otel/exporter_otlp.h"

#include "internal.h"
#include "otlp_client.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *signal_upper(otel_signal_t s) {
  return s == OTEL_SIGNAL_METRICS ? "METRICS" : s == OTEL_SIGNAL_LOGS ? "LOGS" : "TRACES";
}

static const char *signal_path(otel_signal_t s) {
  return s == OTEL_SIGNAL_METRICS ? "v1/metrics" : s == OTEL_SIGNAL_LOGS ? "v1/logs" : "v1/traces";
}

/* Per-signal variable if set, else the generic one. */
static const char *env_pair(otel_signal_t sig, const char *suffix, bool *is_specific) {
  char name[96];
  snprintf(name, sizeof(name), "OTEL_EXPORTER_OTLP_%s_%s", signal_upper(sig), suffix);
  const char *v = otel__env_str(name);
  if (is_specific) *is_specific = v != NULL;
  if (v) return v;
  snprintf(name, sizeof(name), "OTEL_EXPORTER_OTLP_%s", suffix);
  return otel__env_str(name);
}

/* Trims and percent-decodes [b, e) into out (cap bytes); *len is the
 * decoded length (a %00 makes it longer than strlen). false when bad or
 * empty. */
static bool decode_part(const char *b, const char *e, char *out, size_t cap, size_t *len) {
  while (b < e && isspace((unsigned char)*b)) b++;
  while (e > b && isspace((unsigned char)e[-1])) e--;
  ptrdiff_t n = otel__percent_decode(b, e, out, cap);
  if (n <= 0) return false;
  *len = (size_t)n;
  return true;
}

/* RFC 9110 section 5.6.2: a field name is a token. */
static bool is_token(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (!isalnum(c) && !strchr("!#$%&'*+-.^_`|~", c)) return false;
  }
  return n > 0;
}

/* Offset of the first control character (RFC 9110 section 5.5 allows HTAB
 * inside a field value, never CR, LF, NUL, other C0 bytes or DEL), or -1.
 * A CR/LF would end the header line and let the rest be read as another
 * header or as the request body. */
static long control_char_at(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if ((c < 0x20 && c != '\t') || c == 0x7f) return (long)i;
  }
  return -1;
}

/* Says why header entry key=value is dropped; the value is never printed
 * (it is often a credential). */
static bool header_is_valid(const char *var, const char *key, size_t key_len,
                            const char *value, size_t value_len) {
  long at = control_char_at(value, value_len);
  if (!is_token(key, key_len)) {
    otel__diag(OTEL_DIAG_WARN, "otlp_headers",
               "%s: header name \"%.*s\" is not an HTTP token (letters, digits, !#$%%&'*+-.^_`|~); "
               "that header is dropped, telemetry is sent without it",
               var, (int)(control_char_at(key, key_len) < 0 ? key_len : 0), key);
    return false;
  }
  if (at >= 0) {
    otel__diag(OTEL_DIAG_WARN, "otlp_headers",
               "%s: the value of header \"%s\" contains a control character (byte 0x%02x at "
               "offset %ld; CR, LF and other control characters are not allowed in a header); "
               "that header is dropped, telemetry is sent without it",
               var, key, (unsigned)(unsigned char)value[at], at);
    return false;
  }
  return true;
}

void otel__otlp_drop_invalid_headers(otel_otlp_options_t *o) {
  size_t kept = 0;
  for (size_t i = 0; i < o->header_count && i < OTEL_OTLP_MAX_HEADERS; i++) {
    const char *k = o->headers[i].key, *v = o->headers[i].value;
    if (!header_is_valid("OTLP exporter options", k, strnlen(k, sizeof o->headers[i].key), v,
                         strnlen(v, sizeof o->headers[i].value)))
      continue;
    if (kept != i) o->headers[kept] = o->headers[i];
    kept++;
  }
  o->header_count = kept;
}

static void parse_headers(otel_otlp_options_t *o, const char *v, const char *var) {
  const char *p = v;
  while (*p) {
    const char *end = strchr(p, ',');
    if (!end) end = p + strlen(p);
    const char *eq = memchr(p, '=', (size_t)(end - p));
    if (o->header_count == OTEL_OTLP_MAX_HEADERS) {
      otel__diag(OTEL_DIAG_WARN, "otlp_headers", "%s: more than %d headers; the rest are ignored",
                 var, OTEL_OTLP_MAX_HEADERS);
      return;
    }
    char key[64], value[256];
    bool blank = true;
    for (const char *q = p; q < end; q++) blank &= isspace((unsigned char)*q) != 0;
    size_t key_len = 0, value_len = 0;
    if (!blank) {
      if (eq && decode_part(p, eq, key, sizeof(key), &key_len) &&
          decode_part(eq + 1, end, value, sizeof(value), &value_len)) {
        if (!header_is_valid(var, key, key_len, value, value_len)) {
          p = *end ? end + 1 : end;
          continue;
        }
        for (char *k = key; *k; k++) *k = (char)tolower((unsigned char)*k);
        snprintf(o->headers[o->header_count].key, sizeof(o->headers[0].key), "%s", key);
        snprintf(o->headers[o->header_count].value, sizeof(o->headers[0].value), "%s", value);
        o->header_count++;
      } else {
        /* only up to '=': what follows is often a credential */
        otel__diag(OTEL_DIAG_WARN, "otlp_headers", "%s: ignoring malformed entry \"%.*s%s\"", var,
                   (int)((eq ? eq : end) - p), p, eq ? "=..." : "");
      }
    }
    p = *end ? end + 1 : end;
  }
}

/* Transport security (specification: "OTLP Exporter Configuration",
 * Insecure, Certificate File, Client Key File, Client Certificate File). */
static void read_tls_settings(otel_otlp_options_t *o, otel_signal_t signal) {
  char name[96];
  bool specific = false;
  env_pair(signal, "INSECURE", &specific);
  snprintf(name, sizeof(name), specific ? "OTEL_EXPORTER_OTLP_%s_INSECURE" : "OTEL_EXPORTER_OTLP_INSECURE",
           signal_upper(signal));
  o->insecure = otel__env_bool(name, false);
  const char *v = env_pair(signal, "CERTIFICATE", NULL);
  if (v) snprintf(o->certificate, sizeof(o->certificate), "%s", v);
  v = env_pair(signal, "CLIENT_CERTIFICATE", NULL);
  if (v) snprintf(o->client_certificate, sizeof(o->client_certificate), "%s", v);
  v = env_pair(signal, "CLIENT_KEY", NULL);
  if (v) snprintf(o->client_key, sizeof(o->client_key), "%s", v);
}

void otel_otlp_options_init(otel_otlp_options_t *o, otel_signal_t signal) {
  memset(o, 0, sizeof(*o));
  o->signal = signal;
  o->protocol = OTEL_OTLP_PROTOCOL_GRPC;
  o->timeout_ms = 10000;
  o->retry_initial_backoff_ms = 1000;
  o->retry_max_backoff_ms = 5000;

  const char *proto = env_pair(signal, "PROTOCOL", NULL);
  if (proto) {
    if (!strcasecmp(proto, "grpc")) o->protocol = OTEL_OTLP_PROTOCOL_GRPC;
    else if (!strcasecmp(proto, "http/protobuf")) o->protocol = OTEL_OTLP_PROTOCOL_HTTP_PROTOBUF;
    else
      otel__diag(OTEL_DIAG_WARN, "otlp_env",
                 "OTEL_EXPORTER_OTLP_PROTOCOL=\"%s\" is not supported (grpc, http/protobuf); using grpc",
                 proto);
  }

  bool specific = false;
  const char *ep = env_pair(signal, "ENDPOINT", &specific);
  bool http = o->protocol == OTEL_OTLP_PROTOCOL_HTTP_PROTOBUF;
  if (!ep) {
    snprintf(o->endpoint, sizeof(o->endpoint), "%s",
             http ? (signal == OTEL_SIGNAL_METRICS ? "http://localhost:4318/v1/metrics"
                     : signal == OTEL_SIGNAL_LOGS  ? "http://localhost:4318/v1/logs"
                                                   : "http://localhost:4318/v1/traces")
                  : "http://localhost:4317");
  } else if (http && !specific) {
    size_t n = strlen(ep);
    snprintf(o->endpoint, sizeof(o->endpoint), "%s%s%s", ep, n && ep[n - 1] == '/' ? "" : "/",
             signal_path(signal));
  } else {
    snprintf(o->endpoint, sizeof(o->endpoint), "%s", ep);
  }

  const char *hdrs = env_pair(signal, "HEADERS", NULL);
  if (hdrs) parse_headers(o, hdrs, "OTEL_EXPORTER_OTLP_HEADERS");

  const char *to = env_pair(signal, "TIMEOUT", NULL);
  if (to) {
    char *end;
    long v = strtol(to, &end, 10);
    if (*end || v <= 0 || v > 3600000)
      otel__diag(OTEL_DIAG_WARN, "otlp_env",
                 "OTEL_EXPORTER_OTLP_TIMEOUT=\"%s\" is not a number of milliseconds; using 10000", to);
    else o->timeout_ms = (uint32_t)v;
  }

  read_tls_settings(o, signal);

  const char *comp = env_pair(signal, "COMPRESSION", NULL);
  if (comp) {
    if (!strcasecmp(comp, "gzip")) o->gzip = true;
    else if (strcasecmp(comp, "none"))
      otel__diag(OTEL_DIAG_WARN, "otlp_env",
                 "OTEL_EXPORTER_OTLP_COMPRESSION=\"%s\" is not gzip or none; not compressing", comp);
  }
}
