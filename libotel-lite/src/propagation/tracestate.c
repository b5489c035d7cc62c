/* SPDX-License-Identifier: Apache-2.0
 *
 * tracestate.c: validation of the W3C tracestate header: list members
 * key=value separated by commas (optional spaces and empty members
 * allowed), keys of lower-case letters, digits, "_", "-", "*", "/" and "@" (first a letter or
 * digit, at most 256), values of 1-256 printable characters without ',' or '=' and not
 * ending in a space, at most 32 members. A repeated key keeps its first
 * value (the specification lets vendors discard duplicates). Anything else
 * invalid discards the whole header (the traceparent is kept).
 */
#include "otel/propagation.h"

#include <stdlib.h>
#include <string.h>

/* keychar = lcalpha / DIGIT / "_" / "-" / "*" / "/" / "@" */
static bool key_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '*' ||
         c == '/' || c == '@';
}

/* key = ( lcalpha / DIGIT ) 0*255( keychar ): the current W3C grammar,
 * which folds the older tenant@system form into one rule. */
static bool valid_key(const char *k, size_t n) {
  if (n < 1 || n > 256 || !((k[0] >= 'a' && k[0] <= 'z') || (k[0] >= '0' && k[0] <= '9')))
    return false;
  for (size_t i = 1; i < n; i++)
    if (!key_char(k[i])) return false;
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
      bool duplicate = false;
      for (size_t i = 0; i < members; i++)
        duplicate |= key_lens[i] == kn && !memcmp(keys[i], b, kn);
      if (duplicate) goto next; /* keep the first value */
      keys[members] = b;
      key_lens[members++] = kn;
      if (out_len) out[out_len++] = ',';
      memcpy(out + out_len, b, (size_t)(e - b));
      out_len += (size_t)(e - b);
    }
  next:
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
