/* SPDX-License-Identifier: Apache-2.0
 *
 * env.c: reading the standard OTEL_* environment variables. An unset or
 * empty variable gives the default; an invalid value is reported once
 * through self-diagnostics and the default is used (specification:
 * "Configuration: Environment Variable Specification").
 *
 * Enumerations (otel__env_enum) are matched case-insensitively, as the
 * specification asks; an unknown value warns once per variable and value
 * and gives the default, so one bad value never turns telemetry off. The
 * exporter choice of each signal (OTEL_{TRACES,METRICS,LOGS}_EXPORTER) is
 * read here only (otel__env_exporter), for sdk.c, the logs setup and the
 * metrics setup alike.
 * Where each variable is read: the OTLP exporter settings (endpoint,
 * protocol, headers, timeout, compression, and the TLS certificate
 * variables next to them) in otlp_options.c; the processors' OTEL_BSP_* /
 * OTEL_BLRP_* in their options_init; limits in tracer_provider.c and
 * logger_provider.c; sampler, propagators and resource in their files.
 */
#include "internal.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <strings.h>

/* Warn once per variable and value: options are read once per signal, and
 * a wrong value is one mistake, not three. */
#define WARNED_MAX 32
static pthread_mutex_t warned_lock = PTHREAD_MUTEX_INITIALIZER;
static char warned[WARNED_MAX][96];
static size_t warned_count;

static bool first_warning(const char *name, const char *value) {
  char key[96];
  snprintf(key, sizeof(key), "%s=%s", name, value);
  bool first = true;
  pthread_mutex_lock(&warned_lock);
  for (size_t i = 0; i < warned_count && first; i++) first = strcmp(warned[i], key) != 0;
  if (first && warned_count < WARNED_MAX) snprintf(warned[warned_count++], sizeof(warned[0]), "%s", key);
  pthread_mutex_unlock(&warned_lock);
  return first;
}

const char *otel__env_str(const char *name) {
  const char *v = getenv(name);
  if (!v) return NULL;
  while (isspace((unsigned char)*v)) v++;
  return *v ? v : NULL;
}

bool otel__env_bool(const char *name, bool def) {
  const char *v = otel__env_str(name);
  if (!v) return def;
  if (!strcasecmp(v, "true")) return true;
  if (!strcasecmp(v, "false")) return false;
  if (first_warning(name, v))
    otel__diag(OTEL_DIAG_WARN, "env", "%s=\"%s\" is not true or false; using %s",
               name, v, def ? "true" : "false");
  return def;
}

int64_t otel__env_int(const char *name, int64_t def) {
  const char *v = otel__env_str(name);
  if (!v) return def;
  char *end;
  errno = 0;
  long long n = strtoll(v, &end, 10);
  while (isspace((unsigned char)*end)) end++;
  if (errno || *end || n < 0) {
    if (first_warning(name, v))
      otel__diag(OTEL_DIAG_WARN, "env",
               "%s=\"%s\" is not a non-negative integer; using %lld", name, v,
               (long long)def);
    return def;
  }
  return n;
}

double otel__env_double(const char *name, double def) {
  const char *v = otel__env_str(name);
  if (!v) return def;
  char *end;
  errno = 0;
  double d = strtod(v, &end);
  while (isspace((unsigned char)*end)) end++;
  if (errno || *end || !isfinite(d)) {
    if (first_warning(name, v))
      otel__diag(OTEL_DIAG_WARN, "env", "%s=\"%s\" is not a number; using %g",
               name, v, def);
    return def;
  }
  return d;
}

int otel__env_enum(const char *name, const otel__env_choice_t *choices, int def) {
  const char *v = otel__env_str(name);
  if (!v) return def;
  size_t len = strlen(v);
  while (len && isspace((unsigned char)v[len - 1])) len--;
  const char *def_name = "";
  char known[160] = "";
  size_t kl = 0;
  for (const otel__env_choice_t *c = choices; c->name; c++) {
    if (strlen(c->name) == len && !strncasecmp(v, c->name, len)) return c->value;
    if (c->value == def && !def_name[0]) def_name = c->name;
    int n = snprintf(known + kl, sizeof(known) - kl, "%s%s", kl ? ", " : "", c->name);
    if (n > 0 && (size_t)n < sizeof(known) - kl) kl += (size_t)n;
  }
  if (first_warning(name, v))
    otel__diag(OTEL_DIAG_WARN, "env_enum", "%s=\"%s\" is not one of %s; using %s", name, v, known,
               def_name);
  return def;
}

static const otel__env_choice_t exporter_choices[] = {
    {"otlp", OTEL__EXPORTER_OTLP},
    {"console", OTEL__EXPORTER_CONSOLE},
    {"none", OTEL__EXPORTER_NONE},
    {"prometheus", OTEL__EXPORTER_PROMETHEUS}, /* metrics only */
    {NULL, 0},
};

otel__exporter_kind_t otel__env_exporter(const char *var) {
  if (otel__env_bool("OTEL_SDK_DISABLED", false)) return OTEL__EXPORTER_NONE;
  bool metrics = strstr(var, "METRICS") != NULL;
  /* prometheus is only a metrics exporter; elsewhere it is an unknown value */
  otel__env_choice_t table[5];
  size_t n = 0;
  for (const otel__env_choice_t *c = exporter_choices; c->name; c++)
    if (metrics || c->value != OTEL__EXPORTER_PROMETHEUS) table[n++] = *c;
  table[n] = (otel__env_choice_t){NULL, 0};
  return (otel__exporter_kind_t)otel__env_enum(var, table, OTEL__EXPORTER_OTLP);
}

const char *otel__exporter_name(otel__exporter_kind_t k) {
  for (const otel__env_choice_t *c = exporter_choices; c->name; c++)
    if (c->value == (int)k) return c->name;
  return "?";
}
