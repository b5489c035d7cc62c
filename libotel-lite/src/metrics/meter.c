/* SPDX-License-Identifier: Apache-2.0
 *
 * meter.c: MeterProvider, Meter and instruments; aggregation per attribute
 * set; collection into a batch for the exporters.
 *
 * Each instrument has a fixed-size open-addressing table of series (twice
 * its cardinality limit, so it never grows). A lookup serialises the
 * attributes sorted by key (the same set in another order is the same
 * series), hashes them and probes the table with atomic loads only; a new
 * series is inserted under the instrument's mutex. Past the cardinality
 * limit, new sets go to the overflow series {otel.metric.overflow=true}.
 * Sums are atomics; a histogram series has a spinlock.
 *
 * Exemplars: a histogram series keeps, per bucket, the last measurement
 * that passed the exemplar filter (the specification's aligned histogram
 * bucket reservoir), with the current span's ids; each collection hands
 * them to the exporter and empties the reservoir.
 */
#include "metrics_internal.h"

#include "internal.h"
#include "otel/trace.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_ATTRS 32
#define KEY_BUF 1024

static const double default_bounds[] = {0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000};

typedef struct series {
  uint64_t hash;
  unsigned char *key; /* serialised sorted attributes */
  size_t key_len;
  otel_attr_t *attrs; /* owned copies, sorted by key */
  size_t attr_count;
  _Atomic int64_t sum_i;
  _Atomic uint64_t sum_d;   /* bits of a double */
  _Atomic uint64_t gauge;   /* bits of a double: last value */
  atomic_bool touched;      /* recorded since the last collection */
  atomic_bool ever;         /* recorded at least once (synchronous gauges) */
  atomic_flag lock;         /* histogram fields */
  uint64_t count;
  double sum, min, max;
  uint64_t *buckets;
  otel_exemplar_t *exemplars; /* histograms: one per bucket; time_ns 0 = empty */
  double prev_observed;     /* observable sums exported as delta */
  uint64_t start_ns;
} series_t;

struct otel_instrument {
  otel_meter_t *meter;
  otel_instrument_kind_t kind;
  char *name, *unit, *description;
  double *bounds;
  size_t bound_count;
  otel_observable_cb callback;
  void *user_data;
  atomic_bool has_double;
  pthread_mutex_t insert_lock;
  _Atomic(series_t *) *slots;
  size_t slot_count; /* power of two */
  size_t series_count;
  series_t *overflow;
  _Atomic(series_t *) last[2]; /* the series found last, and the one before (find_series) */
  otel_instrument_t *next;
};

struct otel_meter {
  otel_meter_provider_t *provider;
  char *name, *version;
  otel_instrument_t *instruments;
  otel_meter_t *next;
};

struct otel_meter_provider {
  otel_meter_provider_options_t opts;
  otel_resource_t *resource;
  pthread_mutex_t lock; /* meters and instruments lists; never held across a callback or an export */
  pthread_mutex_t collect_lock; /* one collection at a time; application threads never take it */
  otel_meter_t *meters;
  otel__periodic_reader_t *reader;
  uint64_t start_ns;
  uint64_t last_collect_ns;
  atomic_bool shut_down;
  void (*on_shutdown)(void *);
  void *on_shutdown_arg;
};

struct otel_observer {
  otel_instrument_t *inst;
};

/* ---- small helpers ---------------------------------------------------------- */

static uint64_t dbits(double d) {
  uint64_t u;
  memcpy(&u, &d, 8);
  return u;
}
static double bitsd(uint64_t u) {
  double d;
  memcpy(&d, &u, 8);
  return d;
}

static void atomic_add_double(_Atomic uint64_t *target, double v) {
  uint64_t old = atomic_load_explicit(target, memory_order_relaxed);
  while (!atomic_compare_exchange_weak_explicit(target, &old, dbits(bitsd(old) + v),
                                                memory_order_relaxed, memory_order_relaxed)) {
  }
}

bool otel_instrument_name_is_valid(const char *name) {
  if (!name || !isalpha((unsigned char)name[0])) return false;
  size_t n = strlen(name);
  if (n > 255) return false;
  for (size_t i = 1; i < n; i++) {
    unsigned char c = (unsigned char)name[i];
    if (!(isalnum(c) || c == '_' || c == '.' || c == '-' || c == '/')) return false;
  }
  return true;
}

static bool unit_is_valid(const char *unit) {
  if (!unit) return true;
  size_t n = strlen(unit);
  if (n > 63) return false;
  for (size_t i = 0; i < n; i++)
    if ((unsigned char)unit[i] > 0x7e) return false;
  return true;
}

/* ---- provider and meters --------------------------------------------------- */

void otel_meter_provider_options_init(otel_meter_provider_options_t *o) {
  memset(o, 0, sizeof(*o));
  int64_t v = otel__env_int("OTEL_METRIC_EXPORT_INTERVAL", 60000);
  o->export_interval_ms = v > 0 ? (uint32_t)v : 60000;
  v = otel__env_int("OTEL_METRIC_EXPORT_TIMEOUT", 30000);
  o->export_timeout_ms = v > 0 ? (uint32_t)v : 30000;
  o->cardinality_limit = 2000;
  const char *f = otel__env_str("OTEL_METRICS_EXEMPLAR_FILTER");
  if (f && !strcasecmp(f, "always_on")) o->exemplar_filter = OTEL_EXEMPLAR_FILTER_ALWAYS_ON;
  else if (f && !strcasecmp(f, "always_off")) o->exemplar_filter = OTEL_EXEMPLAR_FILTER_ALWAYS_OFF;
  else if (f && strcasecmp(f, "trace_based"))
    otel__diag(OTEL_DIAG_WARN, "metrics_env",
               "OTEL_METRICS_EXEMPLAR_FILTER=\"%s\" is not trace_based, always_on or always_off; "
               "using trace_based", f);
  static const otel__env_choice_t temporalities[] = {
      {"cumulative", OTEL_TEMPORALITY_PREFER_CUMULATIVE},
      {"delta", OTEL_TEMPORALITY_PREFER_DELTA},
      {"lowmemory", OTEL_TEMPORALITY_PREFER_LOWMEMORY},
      {NULL, 0},
  };
  o->temporality = (otel_temporality_preference_t)otel__env_enum(
      "OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE", temporalities, OTEL_TEMPORALITY_PREFER_CUMULATIVE);
}

otel_err_t otel_meter_provider_create(const otel_meter_provider_options_t *o,
                                      otel_meter_provider_t **out) {
  *out = NULL;
  otel_meter_provider_t *mp = calloc(1, sizeof(*mp));
  if (!mp) return OTEL_ENOMEM;
  if (o) mp->opts = *o;
  else otel_meter_provider_options_init(&mp->opts);
  if (mp->opts.cardinality_limit < 2) mp->opts.cardinality_limit = 2;
  pthread_mutex_init(&mp->lock, NULL);
  pthread_mutex_init(&mp->collect_lock, NULL);
  otel_err_t err = OTEL_OK;
  if (mp->opts.resource) mp->resource = otel_resource_retain(mp->opts.resource);
  else err = otel_resource_create(NULL, 0, &mp->resource);
  mp->opts.resource = NULL;
  mp->start_ns = mp->last_collect_ns = otel_time_now_ns();
  if (err) {
    otel_meter_provider_destroy(mp);
    return err;
  }
  *out = mp;
  return OTEL_OK;
}

static bool same(const char *a, const char *b) { return strcmp(a ? a : "", b ? b : "") == 0; }

otel_meter_t *otel_meter_provider_get_meter(otel_meter_provider_t *mp, const char *name,
                                            const char *version) {
  if (!mp) return NULL;
  pthread_mutex_lock(&mp->lock);
  otel_meter_t *m = mp->meters;
  while (m && !(same(m->name, name) && same(m->version, version))) m = m->next;
  if (!m && (m = calloc(1, sizeof(*m)))) {
    m->provider = mp;
    m->name = strdup(name ? name : "");
    m->version = strdup(version ? version : "");
    if (!m->name || !m->version) {
      free(m->name), free(m->version), free(m);
      m = NULL;
    } else {
      m->next = mp->meters;
      mp->meters = m;
    }
  }
  pthread_mutex_unlock(&mp->lock);
  return m;
}

static void series_free(series_t *s) {
  if (!s) return;
  for (size_t i = 0; i < s->attr_count; i++) {
    free((char *)s->attrs[i].key);
    if (s->attrs[i].type == OTEL_ATTR_TYPE_STRING) free((char *)s->attrs[i].value.s);
  }
  free(s->attrs);
  free(s->key);
  free(s->buckets);
  free(s->exemplars);
  free(s);
}

static void instrument_free(otel_instrument_t *in) {
  for (size_t i = 0; i < in->slot_count; i++) series_free(atomic_load(&in->slots[i]));
  series_free(in->overflow);
  free(in->slots);
  free(in->name), free(in->unit), free(in->description), free(in->bounds);
  pthread_mutex_destroy(&in->insert_lock);
  free(in);
}

/* The freeing part of destroy; deferred while a reader's thread that
 * outlived its shutdown may still collect the instruments (shutdown.c). */
static void meter_provider_free(void *arg) {
  otel_meter_provider_t *mp = arg;
  for (otel_meter_t *m = mp->meters, *mn; m; m = mn) {
    mn = m->next;
    for (otel_instrument_t *in = m->instruments, *inn; in; in = inn) {
      inn = in->next;
      instrument_free(in);
    }
    free(m->name), free(m->version), free(m);
  }
  otel_resource_release(mp->resource);
  pthread_mutex_destroy(&mp->lock);
  pthread_mutex_destroy(&mp->collect_lock);
  free(mp);
}

void otel_meter_provider_destroy(otel_meter_provider_t *mp) {
  if (!mp) return;
  if (!atomic_load(&mp->shut_down)) otel_meter_provider_shutdown(mp, 5000);
  otel__free_after_workers(meter_provider_free, mp);
}

otel_err_t otel_meter_provider_add_periodic_reader(otel_meter_provider_t *mp, otel_metric_exporter_t *e) {
  if (!mp || !e || mp->reader) {
    otel_metric_exporter_destroy(e);
    return OTEL_EINVAL;
  }
  return otel__periodic_reader_start(mp, e, mp->opts.export_interval_ms, &mp->reader);
}

void otel__meter_provider_on_shutdown(otel_meter_provider_t *mp, void (*fn)(void *), void *arg) {
  mp->on_shutdown = fn;
  mp->on_shutdown_arg = arg;
}

otel_err_t otel_meter_provider_force_flush(otel_meter_provider_t *mp, uint32_t timeout_ms) {
  if (!mp) return OTEL_EINVAL;
  return mp->reader ? otel__periodic_reader_flush(mp->reader, timeout_ms) : OTEL_OK;
}

otel_err_t otel_meter_provider_shutdown(otel_meter_provider_t *mp, uint32_t timeout_ms) {
  if (!mp) return OTEL_EINVAL;
  if (atomic_exchange(&mp->shut_down, true)) return OTEL_ESHUTDOWN;
  otel_err_t err = OTEL_OK;
  if (mp->reader) err = otel__periodic_reader_stop(mp->reader, timeout_ms);
  mp->reader = NULL;
  if (mp->on_shutdown) mp->on_shutdown(mp->on_shutdown_arg);
  mp->on_shutdown = NULL;
  return err;
}

/* ---- instruments ------------------------------------------------------------- */

static otel_err_t create_instrument(otel_meter_t *m, otel_instrument_kind_t kind, const char *name,
                                    const char *unit, const char *description, const double *bounds,
                                    size_t bound_count, otel_observable_cb cb, void *ud,
                                    otel_instrument_t **out) {
  *out = NULL;
  if (!m) return OTEL_OK; /* no-op meter */
  if (!otel_instrument_name_is_valid(name) || !unit_is_valid(unit)) {
    otel__diag(OTEL_DIAG_WARN, "metrics_name", "instrument \"%s\" not created: invalid name or unit",
               name ? name : "(null)");
    return OTEL_EINVAL;
  }
  for (size_t i = 1; bounds && i < bound_count; i++)
    if (!(bounds[i] > bounds[i - 1])) return OTEL_EINVAL;
  otel_meter_provider_t *mp = m->provider;
  pthread_mutex_lock(&mp->lock);
  for (otel_instrument_t *in = m->instruments; in; in = in->next) {
    if (strcasecmp(in->name, name)) continue;
    bool ok = in->kind == kind && same(in->unit, unit);
    pthread_mutex_unlock(&mp->lock);
    if (!ok) return OTEL_EINVAL;
    *out = in;
    return OTEL_OK;
  }
  otel_instrument_t *in = calloc(1, sizeof(*in));
  size_t slots = 4;
  while (slots < (size_t)mp->opts.cardinality_limit * 2) slots *= 2;
  if (in) {
    in->meter = m;
    in->kind = kind;
    in->name = strdup(name);
    in->unit = strdup(unit ? unit : "");
    in->description = strdup(description ? description : "");
    in->callback = cb;
    in->user_data = ud;
    in->slot_count = slots;
    in->slots = calloc(slots, sizeof(*in->slots));
    pthread_mutex_init(&in->insert_lock, NULL);
    if (kind == OTEL_INSTRUMENT_HISTOGRAM) {
      if (!bounds) bounds = default_bounds, bound_count = sizeof default_bounds / sizeof default_bounds[0];
      in->bounds = malloc((bound_count ? bound_count : 1) * sizeof(double));
      if (in->bounds) memcpy(in->bounds, bounds, bound_count * sizeof(double));
      in->bound_count = bound_count;
    }
  }
  if (!in || !in->name || !in->unit || !in->description || !in->slots ||
      (kind == OTEL_INSTRUMENT_HISTOGRAM && !in->bounds)) {
    pthread_mutex_unlock(&mp->lock);
    if (in) instrument_free(in);
    return OTEL_ENOMEM;
  }
  in->next = m->instruments;
  m->instruments = in;
  pthread_mutex_unlock(&mp->lock);
  *out = in;
  return OTEL_OK;
}

otel_err_t otel_meter_create_counter(otel_meter_t *m, const char *name, const char *unit,
                                     const char *description, otel_instrument_t **out) {
  return create_instrument(m, OTEL_INSTRUMENT_COUNTER, name, unit, description, NULL, 0, NULL, NULL, out);
}
otel_err_t otel_meter_create_up_down_counter(otel_meter_t *m, const char *name, const char *unit,
                                             const char *description, otel_instrument_t **out) {
  return create_instrument(m, OTEL_INSTRUMENT_UP_DOWN_COUNTER, name, unit, description, NULL, 0, NULL,
                           NULL, out);
}
otel_err_t otel_meter_create_histogram(otel_meter_t *m, const char *name, const char *unit,
                                       const char *description, const double *bounds, size_t n,
                                       otel_instrument_t **out) {
  return create_instrument(m, OTEL_INSTRUMENT_HISTOGRAM, name, unit, description, bounds, n, NULL,
                           NULL, out);
}
otel_err_t otel_meter_create_gauge(otel_meter_t *m, const char *name, const char *unit,
                                   const char *description, otel_instrument_t **out) {
  return create_instrument(m, OTEL_INSTRUMENT_GAUGE, name, unit, description, NULL, 0, NULL, NULL, out);
}
otel_err_t otel_meter_create_observable(otel_meter_t *m, otel_instrument_kind_t kind, const char *name,
                                        const char *unit, const char *description,
                                        otel_observable_cb cb, void *ud, otel_instrument_t **out) {
  *out = NULL;
  if (kind < OTEL_INSTRUMENT_OBSERVABLE_COUNTER || !cb) return OTEL_EINVAL;
  return create_instrument(m, kind, name, unit, description, NULL, 0, cb, ud, out);
}

/* ---- attribute sets and series ----------------------------------------------- */

static int cmp_attr(const void *a, const void *b) {
  return strcmp((*(const otel_attr_t *const *)a)->key, (*(const otel_attr_t *const *)b)->key);
}

static bool put(unsigned char *buf, size_t *len, const void *p, size_t n) {
  if (*len + n > KEY_BUF) return false;
  memcpy(buf + *len, p, n);
  *len += n;
  return true;
}

/* strcmp's order, its call saved when the first bytes differ (they mostly
 * do: keys of one attribute set rarely share a first letter). */
static inline int key_cmp(const char *a, const char *b) {
  if (a[0] != b[0]) return (unsigned char)a[0] - (unsigned char)b[0];
  return strcmp(a, b);
}

/* Sorts attrs by key (a repeated key: the last wins) and serialises them.
 * Scalars only; arrays are skipped. Returns false when too large. */
static bool serialise(const otel_attr_t *attrs, size_t n, const otel_attr_t **sorted, size_t *m,
                      unsigned char *buf, size_t *len) {
  *m = 0;
  *len = 0;
  for (size_t i = 0; attrs && i < n && *m < MAX_ATTRS; i++) {
    if (!attrs[i].key || !attrs[i].key[0] || attrs[i].type > OTEL_ATTR_TYPE_DOUBLE) continue;
    sorted[(*m)++] = &attrs[i];
  }
  if (*m > 1) { /* stable insertion sort: a later duplicate stays after */
    for (size_t i = 1; i < *m; i++) {
      const otel_attr_t *x = sorted[i];
      size_t j = i;
      while (j > 0 && key_cmp(sorted[j - 1]->key, x->key) > 0) sorted[j] = sorted[j - 1], j--;
      sorted[j] = x;
    }
    size_t k = 0;
    for (size_t i = 0; i < *m; i++) {
      if (i + 1 < *m && !key_cmp(sorted[i]->key, sorted[i + 1]->key)) continue;
      sorted[k++] = sorted[i];
    }
    *m = k;
  }
  (void)cmp_attr;
  for (size_t i = 0; i < *m; i++) {
    const otel_attr_t *a = sorted[i];
    unsigned char t = (unsigned char)a->type;
    if (!put(buf, len, a->key, strlen(a->key) + 1) || !put(buf, len, &t, 1)) return false;
    switch (a->type) {
    case OTEL_ATTR_TYPE_STRING: {
      const char *s = a->value.s ? a->value.s : "";
      if (!put(buf, len, s, strlen(s) + 1)) return false;
      break;
    }
    case OTEL_ATTR_TYPE_BOOL: {
      unsigned char b = a->value.b;
      if (!put(buf, len, &b, 1)) return false;
      break;
    }
    default:
      if (!put(buf, len, &a->value, 8)) return false;
      break;
    }
  }
  return true;
}

/* Eight bytes a step (a byte-wise FNV-1a took ~4 instructions a byte of
 * a key of 60-100 bytes, on every record), then murmur3's finaliser: the
 * table takes the low bits. Only compared within the process. */
static uint64_t hash_bytes(const unsigned char *p, size_t n) {
  uint64_t h = 0x9E3779B97F4A7C15ull ^ n;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    memcpy(&w, p + i, 8);
    h = (h ^ w) * 0xff51afd7ed558ccdull;
    h ^= h >> 29;
  }
  uint64_t w = 0;
  memcpy(&w, p + i, n - i);
  h = (h ^ w) * 0xc4ceb9fe1a85ec53ull;
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  return h ^ (h >> 33);
}

static series_t *series_new(otel_instrument_t *in, uint64_t h, const unsigned char *key, size_t len,
                            const otel_attr_t *const *sorted, size_t m) {
  series_t *s = calloc(1, sizeof(*s));
  if (!s) return NULL;
  s->hash = h;
  s->key = malloc(len ? len : 1);
  s->attrs = calloc(m ? m : 1, sizeof(otel_attr_t));
  if (in->kind == OTEL_INSTRUMENT_HISTOGRAM) {
    s->buckets = calloc(in->bound_count + 1, sizeof(uint64_t));
    s->exemplars = calloc(in->bound_count + 1, sizeof(otel_exemplar_t));
  }
  if (!s->key || !s->attrs || (in->kind == OTEL_INSTRUMENT_HISTOGRAM && (!s->buckets || !s->exemplars))) {
    series_free(s);
    return NULL;
  }
  memcpy(s->key, key, len);
  s->key_len = len;
  for (size_t i = 0; i < m; i++) {
    otel_attr_t *d = &s->attrs[i];
    *d = *sorted[i];
    d->key = strdup(sorted[i]->key);
    if (d->type == OTEL_ATTR_TYPE_STRING) d->value.s = strdup(sorted[i]->value.s ? sorted[i]->value.s : "");
    s->attr_count++;
    if (!d->key || (d->type == OTEL_ATTR_TYPE_STRING && !d->value.s)) {
      series_free(s);
      return NULL;
    }
  }
  atomic_flag_clear(&s->lock);
  s->min = INFINITY;
  s->max = -INFINITY;
  s->start_ns = otel_time_now_ns();
  return s;
}

static series_t *overflow_series(otel_instrument_t *in) {
  if (!in->overflow) {
    const otel_attr_t a = OTEL_ATTR_BOOL("otel.metric.overflow", true);
    const otel_attr_t *sorted[1] = {&a};
    unsigned char key[64];
    size_t len;
    size_t m;
    serialise(&a, 1, sorted, &m, key, &len);
    in->overflow = series_new(in, hash_bytes(key, len), key, len, sorted, 1);
  }
  return in->overflow;
}

/* Whether attrs[0..n) is s's attribute set: each a scalar with a
 * non-empty key equal to one of s's (each of s's taken once), of the same
 * type and value (doubles by their bits, as serialise compares them). */
static bool is_set_of(const series_t *s, const otel_attr_t *attrs, size_t n) {
  if (n != s->attr_count || n > 32) return false;
  uint32_t taken = 0;
  for (size_t i = 0; i < n; i++) {
    const otel_attr_t *a = &attrs[i];
    if (!a->key || !a->key[0] || a->type > OTEL_ATTR_TYPE_DOUBLE) return false;
    size_t j = 0;
    while (j < n && ((taken >> j & 1) || s->attrs[j].type != a->type || key_cmp(s->attrs[j].key, a->key))) j++;
    if (j == n) return false;
    const otel_attr_t *b = &s->attrs[j];
    switch (a->type) {
    case OTEL_ATTR_TYPE_STRING:
      if (strcmp(b->value.s, a->value.s ? a->value.s : "")) return false;
      break;
    case OTEL_ATTR_TYPE_BOOL:
      if (b->value.b != a->value.b) return false;
      break;
    default:
      if (memcmp(&b->value, &a->value, 8)) return false;
      break;
    }
    taken |= 1u << j;
  }
  return true;
}

/* Keeps s as the series found last, the previous one second (two call
 * sites, or two upstreams of a client, alternate). Racy by design: a lost
 * update only costs a later lookup the slow path. */
static void remember(otel_instrument_t *in, series_t *s) {
  series_t *prev = atomic_load_explicit(&in->last[0], memory_order_relaxed);
  if (prev == s) return;
  atomic_store_explicit(&in->last[1], prev, memory_order_release);
  atomic_store_explicit(&in->last[0], s, memory_order_release);
}

/* Finds (or makes) the series of an attribute set. Lock-free when it
 * exists. A call site records with the same set again and again (an HTTP
 * server: the same method, scheme, route and status): the two series
 * found last are compared first, without sorting, serialising or
 * hashing. */
static series_t *find_series(otel_instrument_t *in, const otel_attr_t *attrs, size_t n) {
  for (int k = 0; k < 2; k++) {
    series_t *last = atomic_load_explicit(&in->last[k], memory_order_acquire);
    if (last && is_set_of(last, attrs, n)) return last;
  }
  const otel_attr_t *sorted[MAX_ATTRS];
  unsigned char key[KEY_BUF];
  size_t m, len;
  if (!serialise(attrs, n, sorted, &m, key, &len)) {
    otel__diag(OTEL_DIAG_WARN, "metrics_attrs", "%s: attribute set too large; recorded as overflow", in->name);
    pthread_mutex_lock(&in->insert_lock);
    series_t *o = overflow_series(in);
    pthread_mutex_unlock(&in->insert_lock);
    return o;
  }
  uint64_t h = hash_bytes(key, len);
  size_t mask = in->slot_count - 1;
  for (size_t i = h & mask;; i = (i + 1) & mask) {
    series_t *s = atomic_load_explicit(&in->slots[i], memory_order_acquire);
    if (!s) break;
    if (s->hash == h && s->key_len == len && !memcmp(s->key, key, len)) {
      remember(in, s);
      return s;
    }
  }
  pthread_mutex_lock(&in->insert_lock);
  series_t *found = NULL;
  size_t i = h & mask;
  for (;; i = (i + 1) & mask) { /* again, under the lock */
    series_t *s = atomic_load_explicit(&in->slots[i], memory_order_acquire);
    if (!s) break;
    if (s->hash == h && s->key_len == len && !memcmp(s->key, key, len)) {
      found = s;
      break;
    }
  }
  if (!found) {
    size_t limit = in->meter->provider->opts.cardinality_limit;
    if (in->series_count + 1 >= limit) {
      found = overflow_series(in);
    } else if ((found = series_new(in, h, key, len, sorted, m))) {
      atomic_store_explicit(&in->slots[i], found, memory_order_release);
      in->series_count++;
    }
  }
  if (found && found != in->overflow) remember(in, found);
  pthread_mutex_unlock(&in->insert_lock);
  return found;
}

/* ---- recording ---------------------------------------------------------------- */

static bool is_kind(const otel_instrument_t *in, otel_instrument_kind_t a, otel_instrument_kind_t b) {
  return in && (in->kind == a || in->kind == b);
}

static bool counter_accepts(const otel_instrument_t *c, int64_t v) {
  if (!is_kind(c, OTEL_INSTRUMENT_COUNTER, OTEL_INSTRUMENT_UP_DOWN_COUNTER)) return false;
  if (v < 0 && c->kind == OTEL_INSTRUMENT_COUNTER) {
    otel__diag(OTEL_DIAG_WARN, "metrics_negative", "%s: a counter cannot go down; %lld ignored",
               c->name, (long long)v);
    return false;
  }
  return true;
}

static void counter_add_to(series_t *s, int64_t v) {
  atomic_fetch_add_explicit(&s->sum_i, v, memory_order_relaxed);
  atomic_store_explicit(&s->touched, true, memory_order_relaxed);
}

void otel_counter_add(otel_instrument_t *c, int64_t v, const otel_attr_t *attrs, size_t n) {
  if (!counter_accepts(c, v)) return;
  series_t *s = find_series(c, attrs, n);
  if (s) counter_add_to(s, v);
}

void otel_counter_add_double(otel_instrument_t *c, double v, const otel_attr_t *attrs, size_t n) {
  if (!is_kind(c, OTEL_INSTRUMENT_COUNTER, OTEL_INSTRUMENT_UP_DOWN_COUNTER) || isnan(v)) return;
  if (v < 0 && c->kind == OTEL_INSTRUMENT_COUNTER) return;
  series_t *s = find_series(c, attrs, n);
  if (!s) return;
  atomic_store_explicit(&c->has_double, true, memory_order_relaxed);
  atomic_add_double(&s->sum_d, v);
  atomic_store_explicit(&s->touched, true, memory_order_relaxed);
}

static void histogram_record_to(otel_instrument_t *h, series_t *s, double v);

void otel_histogram_record(otel_instrument_t *h, double v, const otel_attr_t *attrs, size_t n) {
  if (!is_kind(h, OTEL_INSTRUMENT_HISTOGRAM, OTEL_INSTRUMENT_HISTOGRAM) || isnan(v)) return;
  series_t *s = find_series(h, attrs, n);
  if (s) histogram_record_to(h, s, v);
}

/* ---- call sites that keep their series (metrics_internal.h) ------------------ */

otel__series_t *otel__instrument_series(otel_instrument_t *in, const otel_attr_t *attrs, size_t n) {
  return in ? find_series(in, attrs, n) : NULL;
}

void otel__series_counter_add(otel_instrument_t *c, otel__series_t *s, int64_t v) {
  if (s && counter_accepts(c, v)) counter_add_to(s, v);
}

void otel__series_histogram_record(otel_instrument_t *h, otel__series_t *s, double v) {
  if (s && is_kind(h, OTEL_INSTRUMENT_HISTOGRAM, OTEL_INSTRUMENT_HISTOGRAM) && !isnan(v))
    histogram_record_to(h, s, v);
}

static void histogram_record_to(otel_instrument_t *h, series_t *s, double v) {
  size_t b = 0; /* buckets are upper-inclusive: (b[i-1], b[i]] */
  while (b < h->bound_count && v > h->bounds[b]) b++;
  otel_span_context_t sc;
  bool keep = false;
  switch (h->meter->provider->opts.exemplar_filter) {
  case OTEL_EXEMPLAR_FILTER_ALWAYS_OFF: break;
  case OTEL_EXEMPLAR_FILTER_ALWAYS_ON: keep = true; otel_current_span_context(&sc); break;
  default: keep = otel_current_span_context(&sc) && (sc.trace_flags & OTEL_TRACE_FLAG_SAMPLED); break;
  }
  uint64_t now = keep ? otel_time_now_ns() : 0;
  while (atomic_flag_test_and_set_explicit(&s->lock, memory_order_acquire)) {
  }
  s->count++;
  s->sum += v;
  if (v < s->min) s->min = v;
  if (v > s->max) s->max = v;
  s->buckets[b]++;
  if (keep) {
    otel_exemplar_t *x = &s->exemplars[b];
    x->time_ns = now;
    x->value = v;
    memcpy(x->trace_id, sc.trace_id, sizeof(x->trace_id));
    memcpy(x->span_id, sc.span_id, sizeof(x->span_id));
  }
  atomic_flag_clear_explicit(&s->lock, memory_order_release);
  atomic_store_explicit(&s->touched, true, memory_order_relaxed);
}

void otel_gauge_record(otel_instrument_t *g, double v, const otel_attr_t *attrs, size_t n) {
  if (!is_kind(g, OTEL_INSTRUMENT_GAUGE, OTEL_INSTRUMENT_GAUGE) || isnan(v)) return;
  series_t *s = find_series(g, attrs, n);
  if (!s) return;
  atomic_store_explicit(&s->gauge, dbits(v), memory_order_relaxed);
  atomic_store_explicit(&s->ever, true, memory_order_relaxed);
  atomic_store_explicit(&s->touched, true, memory_order_relaxed);
}

void otel_observer_observe(otel_observer_t *o, double v, const otel_attr_t *attrs, size_t n) {
  if (!o || !o->inst || isnan(v)) return;
  series_t *s = find_series(o->inst, attrs, n);
  if (!s) return;
  atomic_store_explicit(&s->gauge, dbits(v), memory_order_relaxed); /* the observed value */
  atomic_store_explicit(&s->touched, true, memory_order_relaxed);
}

/* ---- collection ------------------------------------------------------------------ */

static otel_temporality_t temporality_of(const otel_meter_provider_t *mp, otel_instrument_kind_t k) {
  switch (mp->opts.temporality) {
  case OTEL_TEMPORALITY_PREFER_DELTA:
    return k == OTEL_INSTRUMENT_COUNTER || k == OTEL_INSTRUMENT_OBSERVABLE_COUNTER ||
                   k == OTEL_INSTRUMENT_HISTOGRAM
               ? OTEL_TEMPORALITY_DELTA
               : OTEL_TEMPORALITY_CUMULATIVE;
  case OTEL_TEMPORALITY_PREFER_LOWMEMORY:
    return k == OTEL_INSTRUMENT_COUNTER || k == OTEL_INSTRUMENT_HISTOGRAM ? OTEL_TEMPORALITY_DELTA
                                                                          : OTEL_TEMPORALITY_CUMULATIVE;
  default: return OTEL_TEMPORALITY_CUMULATIVE;
  }
}

/* Fills one point from series s; false when it has nothing to report. */
static bool collect_point(otel_instrument_t *in, series_t *s, otel_temporality_t t, uint64_t now,
                          uint64_t last, otel_metric_point_t *p, uint64_t *bucket_copy,
                          otel_exemplar_t *exemplar_copy) {
  bool touched = atomic_exchange_explicit(&s->touched, false, memory_order_relaxed);
  bool delta = t == OTEL_TEMPORALITY_DELTA;
  /* delta: only what changed; a synchronous gauge keeps its last value;
   * an observable one shows what its callback observed this time */
  if (delta && !touched) return false;
  if (in->kind == OTEL_INSTRUMENT_GAUGE && !atomic_load_explicit(&s->ever, memory_order_relaxed)) return false;
  if (in->kind == OTEL_INSTRUMENT_OBSERVABLE_GAUGE && !touched) return false;
  memset(p, 0, sizeof(*p));
  p->attrs = s->attrs;
  p->attr_count = s->attr_count;
  p->time_ns = now;
  p->start_time_ns = delta ? (last > s->start_ns ? last : s->start_ns) : s->start_ns;
  switch (in->kind) {
  case OTEL_INSTRUMENT_COUNTER:
  case OTEL_INSTRUMENT_UP_DOWN_COUNTER:
    if (atomic_load(&in->has_double)) {
      p->is_double = true;
      uint64_t bits = delta ? atomic_exchange(&s->sum_d, dbits(0.0)) : atomic_load(&s->sum_d);
      p->as_double = bitsd(bits) + (double)(delta ? atomic_exchange(&s->sum_i, 0) : atomic_load(&s->sum_i));
    } else {
      p->as_int = delta ? atomic_exchange(&s->sum_i, 0) : atomic_load(&s->sum_i);
    }
    break;
  case OTEL_INSTRUMENT_HISTOGRAM:
    while (atomic_flag_test_and_set_explicit(&s->lock, memory_order_acquire)) {
    }
    p->count = s->count;
    p->sum = s->sum;
    p->min = s->min;
    p->max = s->max;
    memcpy(bucket_copy, s->buckets, (in->bound_count + 1) * sizeof(uint64_t));
    for (size_t b = 0; b <= in->bound_count; b++) {
      if (!s->exemplars[b].time_ns) continue;
      exemplar_copy[p->exemplar_count++] = s->exemplars[b];
      s->exemplars[b].time_ns = 0; /* each exemplar is reported once */
    }
    if (delta) {
      s->count = 0;
      s->sum = 0;
      s->min = INFINITY;
      s->max = -INFINITY;
      memset(s->buckets, 0, (in->bound_count + 1) * sizeof(uint64_t));
    }
    atomic_flag_clear_explicit(&s->lock, memory_order_release);
    p->bucket_counts = bucket_copy;
    p->bucket_count = in->bound_count + 1;
    p->exemplars = p->exemplar_count ? exemplar_copy : NULL;
    break;
  case OTEL_INSTRUMENT_OBSERVABLE_COUNTER:
  case OTEL_INSTRUMENT_OBSERVABLE_UP_DOWN_COUNTER: {
    double v = bitsd(atomic_load(&s->gauge));
    p->is_double = true;
    p->as_double = delta ? v - s->prev_observed : v;
    s->prev_observed = v;
    break;
  }
  default: /* gauges */
    p->is_double = true;
    p->as_double = bitsd(atomic_load(&s->gauge));
    break;
  }
  if (delta) s->start_ns = now;
  return true;
}

/* One collected stream with its own storage. */
typedef struct stream_store {
  otel_metric_point_t *points;
  uint64_t *buckets;
  otel_exemplar_t *exemplars;
} stream_store_t;

/* An instrument as collection sees it: instruments and meters are never
 * removed before the provider is destroyed, so the pointers stay valid
 * after the provider's lock is released. */
typedef struct collected {
  otel_meter_t *meter;
  otel_instrument_t *in;
} collected_t;

/* Collects under no lock that an application thread takes: the list of
 * instruments is copied under the provider's lock, then callbacks run, the
 * points are read (each instrument's insert lock) and the batch is
 * exported with that lock released, so creating an instrument or getting
 * a meter never waits for the network, and a callback may do either. */
otel_err_t otel__meter_provider_collect_export(otel_meter_provider_t *mp, otel_metric_exporter_t *e) {
  if (!mp || !e) return OTEL_EINVAL;
  pthread_mutex_lock(&mp->collect_lock);
  pthread_mutex_lock(&mp->lock);
  size_t n_inst = 0;
  for (otel_meter_t *m = mp->meters; m; m = m->next)
    for (otel_instrument_t *in = m->instruments; in; in = in->next) n_inst++;
  collected_t *list = calloc(n_inst ? n_inst : 1, sizeof(*list));
  size_t n_list = 0;
  for (otel_meter_t *m = mp->meters; m && list; m = m->next)
    for (otel_instrument_t *in = m->instruments; in; in = in->next) list[n_list++] = (collected_t){m, in};
  pthread_mutex_unlock(&mp->lock);
  uint64_t now = otel_time_now_ns(), last = mp->last_collect_ns;
  otel_metric_stream_t *streams = calloc(n_inst ? n_inst : 1, sizeof(*streams));
  stream_store_t *stores = calloc(n_inst ? n_inst : 1, sizeof(*stores));
  otel_err_t err = list && streams && stores ? OTEL_OK : OTEL_ENOMEM;
  for (size_t i = 0; i < n_list && !err; i++) {
    otel_instrument_t *in = list[i].in;
    if (in->callback) {
      otel_observer_t obs = {in};
      in->callback(&obs, in->user_data);
    }
  }
  size_t k = 0;
  for (size_t li = 0; li < n_list && !err; li++) {
    otel_meter_t *m = list[li].meter;
    otel_instrument_t *in = list[li].in;
    {
      pthread_mutex_lock(&in->insert_lock); /* series_count is written under it */
      size_t cap = in->series_count + 1;     /* series added meanwhile wait for the next one */
      pthread_mutex_unlock(&in->insert_lock);
      otel_metric_point_t *points = calloc(cap, sizeof(otel_metric_point_t));
      uint64_t *buckets = calloc(cap * (in->bound_count + 1), sizeof(uint64_t));
      otel_exemplar_t *exemplars =
          in->kind == OTEL_INSTRUMENT_HISTOGRAM ? calloc(cap * (in->bound_count + 1), sizeof(otel_exemplar_t)) : NULL;
      if (!points || !buckets || (in->kind == OTEL_INSTRUMENT_HISTOGRAM && !exemplars)) {
        free(points);
        free(buckets);
        free(exemplars);
        err = OTEL_ENOMEM;
        break;
      }
      otel_temporality_t t = temporality_of(mp, in->kind);
      size_t np = 0;
      pthread_mutex_lock(&in->insert_lock); /* series_count and overflow stay put */
      for (size_t i = 0; i < in->slot_count; i++) {
        series_t *s = atomic_load(&in->slots[i]);
        size_t at = np * (in->bound_count + 1);
        if (s && np < cap &&
            collect_point(in, s, t, now, last, &points[np], buckets + at, exemplars ? exemplars + at : NULL))
          np++;
      }
      size_t at = np * (in->bound_count + 1);
      if (in->overflow && np < cap &&
          collect_point(in, in->overflow, t, now, last, &points[np], buckets + at,
                        exemplars ? exemplars + at : NULL))
        np++;
      pthread_mutex_unlock(&in->insert_lock);
      if (np == 0) {
        free(points);
        free(buckets);
        free(exemplars);
        continue;
      }
      stores[k].points = points;
      stores[k].buckets = buckets;
      stores[k].exemplars = exemplars;
      otel_metric_stream_t *st = &streams[k++];
      st->name = in->name;
      st->description = in->description;
      st->unit = in->unit;
      st->kind = in->kind;
      st->temporality = t;
      st->monotonic = in->kind == OTEL_INSTRUMENT_COUNTER || in->kind == OTEL_INSTRUMENT_OBSERVABLE_COUNTER;
      st->boundaries = in->bounds;
      st->boundary_count = in->bound_count;
      st->scope_name = m->name;
      st->scope_version = m->version;
      st->points = points;
      st->point_count = np;
    }
  }
  mp->last_collect_ns = now;
  if (!err) {
    otel_metric_batch_t batch = {mp->resource, streams, k};
    err = e->type->export_metrics(e->ctx, &batch);
  }
  pthread_mutex_unlock(&mp->collect_lock);
  for (size_t i = 0; stores && i < n_inst; i++) {
    free(stores[i].points);
    free(stores[i].buckets);
    free(stores[i].exemplars);
  }
  free(stores);
  free(streams);
  free(list);
  return err;
}

otel_err_t otel_meter_provider_collect(otel_meter_provider_t *mp, otel_metric_exporter_t *e) {
  return otel__meter_provider_collect_export(mp, e);
}
