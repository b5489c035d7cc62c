/* SPDX-License-Identifier: Apache-2.0
 *
 * env.c: reading the standard OTEL_* environment variables. An unset or
 * empty variable gives the default; an invalid value is reported once
 * through self-diagnostics and the default is used (specification:
 * "Configuration: Environment Variable Specification").
 */
#include "internal.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <strings.h>

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
    otel__diag(OTEL_DIAG_WARN, "env", "%s=\"%s\" is not a number; using %g",
               name, v, def);
    return def;
  }
  return d;
}
