/* SPDX-License-Identifier: Apache-2.0
 *
 * baggage.c: W3C Baggage: a list of key=value;properties entries, parsed
 * from and formatted to the `baggage` header (values percent-decoded in
 * memory, percent-encoded on the wire), with the specification's limits
 * (64 members, 8192 bytes; members past them are dropped) and a
 * thread-local current baggage. Invalid members are skipped one by one;
 * a member whose properties do not follow the grammar is invalid too.
 */
#include "otel/propagation.h"

#include "internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct entry {
  char *key;
  char *value;
  char *metadata; /* raw properties after the first ';', or NULL */
} entry_t;

struct otel_baggage {
  entry_t items[OTEL_BAGGAGE_MAX_MEMBERS];
  size_t count;
};

static _Thread_local otel_baggage_t *current_baggage;

static bool tchar(char c) { /* RFC 9110 token characters */
  return isalnum((unsigned char)c) || (c && strchr("!#$%&'*+-.^_`|~", c));
}

static bool valid_token(const char *s, size_t n) {
  if (n == 0) return false;
  for (size_t i = 0; i < n; i++)
    if (!tchar(s[i])) return false;
  return true;
}

static bool ows(char c) { return c == ' ' || c == '\t'; }

/* baggage-octet: %x21 / %x23-2B / %x2D-3A / %x3C-5B / %x5D-7E */
static bool baggage_octet(unsigned char c) {
  return c == 0x21 || (c >= 0x23 && c <= 0x2b) || (c >= 0x2d && c <= 0x3a) ||
         (c >= 0x3c && c <= 0x5b) || (c >= 0x5d && c <= 0x7e);
}

/* Checks a member's properties against the W3C Baggage grammar
 *   properties = property *( OWS ";" OWS property )
 *   property   = key OWS "=" OWS value / key OWS
 *   key = token, value = *baggage-octet, OWS = *( SP / HTAB )
 * and returns them without the optional whitespace and empty properties
 * ("ttl = 5 ; flag;" -> "ttl=5;flag"), owned, or NULL when they do not
 * match it (a key that is not a token, a value with a space, quote,
 * backslash, comma or control character: a CR/LF here would otherwise
 * reach the outgoing header as is) or on OOM. */
static char *normalize_properties(const char *s) {
  size_t len = strlen(s);
  char *out = malloc(len + 1);
  if (!out) return NULL;
  size_t n = 0;
  const char *p = s, *end = s + len;
  for (;;) {
    const char *pe = memchr(p, ';', (size_t)(end - p));
    if (!pe) pe = end;
    const char *kb = p, *ve = pe;
    while (kb < ve && ows(*kb)) kb++;
    while (ve > kb && ows(ve[-1])) ve--;
    if (kb == ve) goto next; /* an empty property ("k=v;" or ";;"): ignored, as OTel Go does */
    const char *eq = memchr(kb, '=', (size_t)(ve - kb));
    const char *ke = eq ? eq : ve;
    while (ke > kb && ows(ke[-1])) ke--;
    if (!valid_token(kb, (size_t)(ke - kb))) goto bad;
    if (n) out[n++] = ';';
    memcpy(out + n, kb, (size_t)(ke - kb));
    n += (size_t)(ke - kb);
    if (eq) {
      const char *vb = eq + 1;
      while (vb < ve && ows(*vb)) vb++;
      out[n++] = '=';
      for (const char *v = vb; v < ve; v++) {
        if (!baggage_octet((unsigned char)*v)) goto bad;
        out[n++] = *v;
      }
    }
  next:
    if (pe == end) break;
    p = pe + 1;
  }
  out[n] = '\0';
  return out;
bad:
  free(out);
  return NULL;
}

otel_baggage_t *otel_baggage_create(void) { return calloc(1, sizeof(otel_baggage_t)); }

static void entry_free(entry_t *e) {
  free(e->key);
  free(e->value);
  free(e->metadata);
}

void otel_baggage_destroy(otel_baggage_t *b) {
  if (!b) return;
  for (size_t i = 0; i < b->count; i++) entry_free(&b->items[i]);
  free(b);
}

static size_t encoded_size(const otel_baggage_t *b) {
  size_t n = 0;
  for (size_t i = 0; i < b->count; i++)
    n += strlen(b->items[i].key) + 1 + strlen(b->items[i].value) * 3 +
         (b->items[i].metadata ? strlen(b->items[i].metadata) + 1 : 0) + 1;
  return n;
}

otel_err_t otel_baggage_set(otel_baggage_t *b, const char *key, const char *value,
                            const char *metadata) {
  if (!b || !key || !valid_token(key, strlen(key))) return OTEL_EINVAL;
  char *props = NULL;
  if (metadata && metadata[0] && !(props = normalize_properties(metadata)))
    return OTEL_EINVAL; /* (or out of memory: the member is not set either way) */
  entry_t e = {strdup(key), strdup(value ? value : ""), props};
  if (!e.key || !e.value) {
    entry_free(&e);
    return OTEL_ENOMEM;
  }
  for (size_t i = 0; i < b->count; i++) {
    if (!strcmp(b->items[i].key, key)) {
      entry_free(&b->items[i]);
      b->items[i] = e;
      return OTEL_OK;
    }
  }
  if (b->count == OTEL_BAGGAGE_MAX_MEMBERS) {
    entry_free(&e);
    return OTEL_EFULL;
  }
  b->items[b->count++] = e;
  if (encoded_size(b) > OTEL_BAGGAGE_MAX_BYTES) {
    entry_free(&b->items[--b->count]);
    return OTEL_EFULL;
  }
  return OTEL_OK;
}

const char *otel_baggage_get(const otel_baggage_t *b, const char *key) {
  for (size_t i = 0; b && key && i < b->count; i++)
    if (!strcmp(b->items[i].key, key)) return b->items[i].value;
  return NULL;
}

void otel_baggage_remove(otel_baggage_t *b, const char *key) {
  for (size_t i = 0; b && key && i < b->count; i++) {
    if (!strcmp(b->items[i].key, key)) {
      entry_free(&b->items[i]);
      memmove(&b->items[i], &b->items[i + 1], (b->count - i - 1) * sizeof(entry_t));
      b->count--;
      return;
    }
  }
}

size_t otel_baggage_count(const otel_baggage_t *b) { return b ? b->count : 0; }

bool otel_baggage_entry(const otel_baggage_t *b, size_t i, const char **key, const char **value,
                        const char **metadata) {
  if (!b || i >= b->count) return false;
  if (key) *key = b->items[i].key;
  if (value) *value = b->items[i].value;
  if (metadata) *metadata = b->items[i].metadata;
  return true;
}

otel_baggage_t *otel_baggage_copy(const otel_baggage_t *b) {
  otel_baggage_t *c = otel_baggage_create();
  for (size_t i = 0; c && b && i < b->count; i++) {
    if (otel_baggage_set(c, b->items[i].key, b->items[i].value, b->items[i].metadata)) {
      otel_baggage_destroy(c);
      return NULL;
    }
  }
  return c;
}

static void trim(const char **b, const char **e) {
  while (*b < *e && (**b == ' ' || **b == '\t')) (*b)++;
  while (*e > *b && ((*e)[-1] == ' ' || (*e)[-1] == '\t')) (*e)--;
}

/* Percent-decodes a value; NULL when it has a forbidden char or bad escape. */
static char *decode_value(const char *b, const char *e) {
  for (const char *p = b; p < e; p++)
    if (!baggage_octet((unsigned char)*p)) return NULL;
  size_t cap = (size_t)(e - b) + 1;
  char *out = malloc(cap);
  if (out && otel__percent_decode(b, e, out, cap) < 0) {
    free(out);
    return NULL;
  }
  return out;
}

otel_baggage_t *otel_baggage_parse(const char *header) {
  if (!header || strlen(header) > OTEL_BAGGAGE_MAX_BYTES * 4) return NULL;
  otel_baggage_t *b = otel_baggage_create();
  if (!b) return NULL;
  const char *p = header;
  for (;;) {
    const char *end = strchr(p, ',');
    if (!end) end = p + strlen(p);
    const char *semi = memchr(p, ';', (size_t)(end - p));
    const char *mb = p, *me = semi ? semi : end;
    const char *eq = memchr(mb, '=', (size_t)(me - mb));
    if (eq) {
      const char *kb = mb, *ke = eq, *vb = eq + 1, *ve = me;
      trim(&kb, &ke);
      trim(&vb, &ve);
      char *value = valid_token(kb, (size_t)(ke - kb)) ? decode_value(vb, ve) : NULL;
      if (value) {
        char key[256];
        size_t kn = (size_t)(ke - kb) < sizeof(key) - 1 ? (size_t)(ke - kb) : sizeof(key) - 1;
        memcpy(key, kb, kn);
        key[kn] = '\0';
        char *meta = NULL;
        if (semi) {
          const char *pb = semi + 1, *pe = end;
          trim(&pb, &pe);
          meta = strndup(pb, (size_t)(pe - pb));
        }
        /* bad properties or over the limits: the member is dropped */
        if (!semi || meta) otel_baggage_set(b, key, value, meta);
        free(meta);
        free(value);
      }
    }
    if (!*end) break;
    p = end + 1;
  }
  if (b->count == 0) {
    otel_baggage_destroy(b);
    return NULL;
  }
  return b;
}

char *otel_baggage_format(const otel_baggage_t *b) {
  if (!b || !b->count) return NULL;
  char *out = malloc(encoded_size(b) + 1);
  if (!out) return NULL;
  size_t n = 0;
  for (size_t i = 0; i < b->count; i++) {
    const entry_t *e = &b->items[i];
    if (i) out[n++] = ',';
    n += (size_t)sprintf(out + n, "%s=", e->key);
    for (const unsigned char *v = (const unsigned char *)e->value; *v; v++) {
      if (baggage_octet(*v) && *v != '%') out[n++] = (char)*v;
      else n += (size_t)sprintf(out + n, "%%%02X", *v);
    }
    if (e->metadata) n += (size_t)sprintf(out + n, ";%s", e->metadata);
  }
  out[n] = '\0';
  return out;
}

const otel_baggage_t *otel_baggage_current(void) { return current_baggage; }

void otel_baggage_set_current(otel_baggage_t *b) {
  if (b == current_baggage) return;
  otel_baggage_destroy(current_baggage);
  current_baggage = b;
}
