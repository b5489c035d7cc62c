/* SPDX-License-Identifier: Apache-2.0
 *
 * tracestate.c: validation of the W3C tracestate header: list members
 * key=value separated by commas (optional spaces and empty members
 * allowed), keys of the simple (lcalpha ...) or multi-tenant (tenant@system)
 * form, values of 1-256 printable characters without ',' or '=' and not
 * ending in a space, at most 32 members, no duplicate keys. Anything
 * invalid discards the whole header (the traceparent is kept).
 */
#include "otel/propagation.h"

#include <stdlib.h>
#include <string.h>

static bool key_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '*' ||
         c == '/';
}

static bool valid_key(const char *k, size_t n) {
  const char *at = memchr(k, '@', n);
  if (!at) { /* simple-key: lcalpha 0*255(...) */
    if (n < 1 || n > 256 || !(k[0] >= 'a' && k[0] <= 'z')) return false;
    for (size_t i = 1; i < n; i++)
      if (!key_char(k[i])) return false;
    return true;
  }
  size_t tn = (size_t)(at - k), sn = n - tn - 1; /* tenant@system */
  if (tn < 1 || tn > 241 || sn < 1 || sn > 14) return false;
  if (!((k[0] >= 'a' && k[0] <= 'z') || (k[0] >= '0' && k[0] <= '9'))) return false;
  for (size_t i = 1; i < tn; i++)
    if (!key_char(k[i])) return false;
  if (!(at[1] >= 'a' && at[1] <= 'z')) return false;
  for (size_t i = 2; i <= sn; i++)
    if (!key_char(at[i])) return false;
  return true;
}

static bool valid_value(const char *v, size_t n) {
  if (n < 1 || n > 256 || v[n - 1] == ' ') return false;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)v[i];
    if (c < 0x20 || c > 0x7e || c == ',' || c == '=') return false;
  }
  return true;
}

char *otel_tracestate_normalize(const char *value) {
  if (!value) return NULL;
  size_t len = strlen(value);
  char *out = malloc(len + 1);
  if (!out) return NULL;
  size_t out_len = 0, members = 0;
  const char *keys[OTEL_TRACESTATE_MAX_MEMBERS];
  size_t key_lens[OTEL_TRACESTATE_MAX_MEMBERS];
  const char *p = value;
  for (;;) {
    const char *end = strchr(p, ',');
    if (!end) end = p + strlen(p);
    const char *b = p, *e = end;
    while (b < e && (*b == ' ' || *b == '\t')) b++;
    while (e > b && (e[-1] == ' ' || e[-1] == '\t')) e--;
    if (b < e) { /* an empty member is allowed and skipped */
      const char *eq = memchr(b, '=', (size_t)(e - b));
      if (!eq || !valid_key(b, (size_t)(eq - b)) || !valid_value(eq + 1, (size_t)(e - eq - 1)) ||
          members == OTEL_TRACESTATE_MAX_MEMBERS)
        goto invalid;
      size_t kn = (size_t)(eq - b);
      for (size_t i = 0; i < members; i++)
        if (key_lens[i] == kn && !memcmp(keys[i], b, kn)) goto invalid;
      keys[members] = b;
      key_lens[members++] = kn;
      if (out_len) out[out_len++] = ',';
      memcpy(out + out_len, b, (size_t)(e - b));
      out_len += (size_t)(e - b);
    }
    if (!*end) break;
    p = end + 1;
  }
  if (!out_len) goto invalid;
  out[out_len] = '\0';
  return out;
invalid:
  free(out);
  return NULL;
}
