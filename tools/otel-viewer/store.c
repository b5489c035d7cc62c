/* SPDX-License-Identifier: Apache-2.0
 *
 * store.c: what the viewer remembers, in bounded memory. Three stores behind
 * one mutex: traces (an array of at most max_traces, the oldest trace is
 * evicted when a new one arrives; at most VW_MAX_SPANS_PER_TRACE spans
 * each), log records (a ring of max_logs) and metric streams (the latest
 * point of at most max_metrics (service, name, attributes) keys; the stream
 * updated longest ago is evicted). A span finds its trace through a hash
 * index on the trace id (open addressing, linear probing): spans arrive by
 * the thousand per second under load, so that lookup must not be linear.
 * Traces are replaced in place, oldest first, which is slot order: a
 * cursor names the next victim. Other lookups are linear: N is small
 * (hundreds to a few thousands) and a human is the consumer.
 */
#include "viewer.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct vw_store {
  pthread_mutex_t mu;
  vw_trace_t *traces;        /* max_traces slots, n_traces used, any order */
  size_t n_traces, max_traces;
  size_t evict_next;         /* slot of the oldest trace once all are used */
  uint32_t *index;           /* trace id hash -> slot + 1; 0: empty */
  size_t index_mask;         /* index size - 1 (a power of two >= 2 * max_traces) */
  vw_log_t *logs;            /* ring: oldest at log_head */
  size_t n_logs, log_head, max_logs;
  vw_metric_t *metrics;
  size_t n_metrics, max_metrics;
  uint64_t seq;              /* increases on every change */
  vw_stats_t stats;
};

static void span_free(vw_span_t *s) { free(s->mem); }

static void trace_free(vw_trace_t *t) {
  for (size_t i = 0; i < t->n_spans; i++) span_free(&t->spans[i]);
  free(t->spans);
}

static void log_free(vw_log_t *l) { free(l->mem); }

static void ring_free(vw_point_t *ring, size_t len, size_t head) {
  for (size_t i = 0; ring && i < len; i++) free(ring[(head + i) % VW_RING].buckets);
  free(ring);
}

static void metric_free(vw_metric_t *m) {
  free(m->service);
  free(m->name);
  free(m->unit);
  free(m->attrs);
  free(m->bounds);
  free(m->resource_attrs);
  free(m->point.buckets);
  ring_free(m->ring, m->ring_len, m->ring_head);
  cJSON_Delete(m->json);
}

/* Appends m->point to m->ring (grown by doubling up to VW_RING points, so
 * that a stream with few points costs little; then the oldest point goes).
 * The ring's head stays 0 until it is full, so growing keeps the order.
 * m->point is moved: its buckets belong to the ring. */
static void ring_push(vw_metric_t *m) {
  if (m->ring_len == m->ring_cap && m->ring_cap < VW_RING) {
    size_t cap = m->ring_cap ? 2 * m->ring_cap : 4;
    if (cap > VW_RING) cap = VW_RING;
    vw_point_t *r = realloc(m->ring, cap * sizeof *r);
    if (!r) {
      free(m->point.buckets);
      m->point.buckets = NULL;
      return;
    }
    m->ring = r;
    m->ring_cap = cap;
  }
  size_t at;
  if (m->ring_len == VW_RING) {
    at = m->ring_head;
    free(m->ring[at].buckets);
    m->ring_head = (m->ring_head + 1) % VW_RING;
  } else {
    at = (m->ring_head + m->ring_len++) % VW_RING;
  }
  m->ring[at] = m->point;
  m->point.buckets = NULL;
}

vw_store_t *vw_store_create(size_t max_traces, size_t max_logs,
                            size_t max_metrics) {
  if (!max_traces || !max_logs || !max_metrics) return NULL;
  vw_store_t *s = calloc(1, sizeof *s);
  if (!s) return NULL;
  s->traces = calloc(max_traces, sizeof *s->traces);
  s->logs = calloc(max_logs, sizeof *s->logs);
  s->metrics = calloc(max_metrics, sizeof *s->metrics);
  size_t index_size = 16;
  while (index_size < 2 * max_traces) index_size *= 2;
  s->index = max_traces < UINT32_MAX / 2 ? calloc(index_size, sizeof *s->index) : NULL;
  s->index_mask = index_size - 1;
  if (!s->traces || !s->logs || !s->metrics || !s->index) {
    free(s->traces); free(s->logs); free(s->metrics); free(s->index); free(s);
    return NULL;
  }
  s->max_traces = max_traces;
  s->max_logs = max_logs;
  s->max_metrics = max_metrics;
  pthread_mutex_init(&s->mu, NULL);
  return s;
}

void vw_store_destroy(vw_store_t *s) {
  if (!s) return;
  for (size_t i = 0; i < s->n_traces; i++) trace_free(&s->traces[i]);
  for (size_t i = 0; i < s->n_logs; i++)
    log_free(&s->logs[(s->log_head + i) % s->max_logs]);
  for (size_t i = 0; i < s->n_metrics; i++) metric_free(&s->metrics[i]);
  free(s->traces);
  free(s->logs);
  free(s->metrics);
  free(s->index);
  pthread_mutex_destroy(&s->mu);
  free(s);
}

/* Every bit of the id reaches the low bits the index takes (murmur3's
 * finaliser): trace ids are random by the specification, but not all
 * senders' are, and ids that differ only in their last bytes (a counter)
 * all fell into a few slots of the previous multiply-and-shift, making
 * each lookup a scan of the whole index. */
static size_t id_hash(const vw_store_t *s, const uint8_t id[16]) {
  uint64_t a, b;
  memcpy(&a, id, 8);
  memcpy(&b, id + 8, 8);
  uint64_t h = a ^ (b * 0x9e3779b97f4a7c15ull);
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  return (size_t)h & s->index_mask;
}

/* The index position of id, or of the empty entry where it would go. */
static size_t index_find(const vw_store_t *s, const uint8_t id[16]) {
  size_t i = id_hash(s, id);
  while (s->index[i] && memcmp(s->traces[s->index[i] - 1].trace_id, id, 16) != 0)
    i = (i + 1) & s->index_mask;
  return i;
}

/* Removes id (present) from the index, shifting back the entries after it
 * so that every probe sequence stays unbroken. */
static void index_remove(vw_store_t *s, const uint8_t id[16]) {
  size_t hole = index_find(s, id), j = hole;
  s->index[hole] = 0;
  for (;;) {
    j = (j + 1) & s->index_mask;
    if (!s->index[j]) return;
    size_t home = id_hash(s, s->traces[s->index[j] - 1].trace_id);
    /* the entry at j may fill the hole unless its home lies in (hole, j] */
    bool stays = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
    if (!stays) {
      s->index[hole] = s->index[j];
      s->index[j] = 0;
      hole = j;
    }
  }
}

static vw_trace_t *find_or_add_trace(vw_store_t *s, const uint8_t id[16]) {
  size_t pos = index_find(s, id);
  if (s->index[pos]) return &s->traces[s->index[pos] - 1];
  vw_trace_t *t;
  if (s->n_traces < s->max_traces) {
    t = &s->traces[s->n_traces++];
  } else {
    t = &s->traces[s->evict_next];
    s->evict_next = (s->evict_next + 1) % s->max_traces;
    index_remove(s, t->trace_id);
    trace_free(t);
    s->stats.evicted_traces++;
    pos = index_find(s, id); /* the removal may have moved entries */
  }
  memset(t, 0, sizeof *t);
  memcpy(t->trace_id, id, 16);
  t->seq = ++s->seq;
  s->index[pos] = (uint32_t)(t - s->traces) + 1;
  return t;
}

/* Adds one span; called with the lock held. */
static void add_span_locked(vw_store_t *s, vw_span_t *span, uint64_t now_ns) {
  vw_trace_t *t = find_or_add_trace(s, span->trace_id);
  for (size_t i = 0; i < t->n_spans; i++) {
    if (memcmp(t->spans[i].span_id, span->span_id, 8) != 0) continue;
    span_free(&t->spans[i]); /* sent again (a retry): keep the latest copy */
    t->spans[i] = *span;
    t->last_update_ns = now_ns;
    s->seq++;
    return;
  }
  if (t->n_spans >= VW_MAX_SPANS_PER_TRACE) {
    s->stats.dropped_spans++;
    span_free(span);
    return;
  }
  if (t->n_spans == t->cap_spans) {
    size_t cap = t->cap_spans ? 2 * t->cap_spans : 8;
    vw_span_t *n = realloc(t->spans, cap * sizeof *n);
    if (!n) {
      s->stats.dropped_spans++;
      span_free(span);
      return;
    }
    t->spans = n;
    t->cap_spans = cap;
  }
  t->spans[t->n_spans++] = *span;
  if (!span->has_parent) t->root_seen = true;
  t->last_update_ns = now_ns;
  s->seq++;
}

void vw_store_add_spans(vw_store_t *s, vw_span_t *spans, size_t n) {
  uint64_t now_ns = vw_monotonic_ns();
  pthread_mutex_lock(&s->mu);
  for (size_t i = 0; i < n; i++) add_span_locked(s, &spans[i], now_ns);
  pthread_mutex_unlock(&s->mu);
}

void vw_store_add_span(vw_store_t *s, vw_span_t *span) { vw_store_add_spans(s, span, 1); }

void vw_store_add_log(vw_store_t *s, vw_log_t *log) {
  pthread_mutex_lock(&s->mu);
  log->seq = ++s->seq;
  if (s->n_logs == s->max_logs) {
    log_free(&s->logs[s->log_head]);
    s->logs[s->log_head] = *log;
    s->log_head = (s->log_head + 1) % s->max_logs;
    s->stats.evicted_logs++;
  } else {
    s->logs[(s->log_head + s->n_logs) % s->max_logs] = *log;
    s->n_logs++;
  }
  pthread_mutex_unlock(&s->mu);
}

static bool same_stream(const vw_metric_t *a, const vw_metric_t *b) {
  return strcmp(a->name, b->name) == 0 && strcmp(a->service, b->service) == 0 &&
         strcmp(a->attrs, b->attrs) == 0;
}

void vw_store_put_metric(vw_store_t *s, vw_metric_t *m) {
  pthread_mutex_lock(&s->mu);
  m->seq = ++s->seq;
  vw_metric_t *slot = NULL;
  for (size_t i = 0; i < s->n_metrics; i++)
    if (same_stream(&s->metrics[i], m)) { slot = &s->metrics[i]; break; }
  if (!slot) {
    if (s->n_metrics < s->max_metrics) {
      slot = &s->metrics[s->n_metrics++];
    } else {
      slot = &s->metrics[0];
      for (size_t i = 1; i < s->n_metrics; i++)
        if (s->metrics[i].seq < slot->seq) slot = &s->metrics[i];
      s->stats.evicted_metrics++;
      metric_free(slot);
    }
  } else {
    /* keep the history, unless the layout of the points changed */
    bool same = slot->ring_len && slot->type == m->type &&
                slot->ring[slot->ring_head].n_buckets == m->point.n_buckets;
    if (same) {
      m->ring = slot->ring;
      m->ring_len = slot->ring_len;
      m->ring_head = slot->ring_head;
      m->ring_cap = slot->ring_cap;
      slot->ring = NULL;
      slot->ring_len = slot->ring_cap = 0;
    }
    metric_free(slot);
  }
  ring_push(m);
  *slot = *m;
  pthread_mutex_unlock(&s->mu);
}

void vw_store_count(vw_store_t *s, const vw_stats_t *d) {
  pthread_mutex_lock(&s->mu);
  s->stats.requests += d->requests;
  s->stats.spans += d->spans;
  s->stats.logs += d->logs;
  s->stats.points += d->points;
  s->stats.rejected += d->rejected;
  s->stats.bad_requests += d->bad_requests;
  pthread_mutex_unlock(&s->mu);
}

vw_stats_t vw_store_stats(vw_store_t *s) {
  pthread_mutex_lock(&s->mu);
  vw_stats_t st = s->stats;
  pthread_mutex_unlock(&s->mu);
  return st;
}

/* Traces sorted by arrival, for stable output. */
static int by_seq(const void *a, const void *b) {
  const vw_trace_t *x = *(vw_trace_t *const *)a, *y = *(vw_trace_t *const *)b;
  return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static vw_trace_t **sorted_traces(vw_store_t *s) {
  vw_trace_t **v = malloc((s->n_traces ? s->n_traces : 1) * sizeof *v);
  if (!v) return NULL;
  for (size_t i = 0; i < s->n_traces; i++) v[i] = &s->traces[i];
  qsort(v, s->n_traces, sizeof *v, by_seq);
  return v;
}

void vw_store_each_trace(vw_store_t *s, vw_trace_cb cb, void *ud) {
  pthread_mutex_lock(&s->mu);
  vw_trace_t **v = sorted_traces(s);
  for (size_t i = 0; v && i < s->n_traces; i++) cb(v[i], ud);
  free(v);
  pthread_mutex_unlock(&s->mu);
}

void vw_store_each_log(vw_store_t *s, vw_log_cb cb, void *ud) {
  pthread_mutex_lock(&s->mu);
  for (size_t i = 0; i < s->n_logs; i++)
    cb(&s->logs[(s->log_head + i) % s->max_logs], ud);
  pthread_mutex_unlock(&s->mu);
}

void vw_store_each_metric(vw_store_t *s, vw_metric_cb cb, void *ud) {
  pthread_mutex_lock(&s->mu);
  for (size_t i = 0; i < s->n_metrics; i++) cb(&s->metrics[i], ud);
  pthread_mutex_unlock(&s->mu);
}

bool vw_trace_ready(const vw_trace_t *t, uint64_t now_ns, uint64_t quiet_ns) {
  return t->root_seen || now_ns - t->last_update_ns >= quiet_ns;
}

void vw_store_poll_new(vw_store_t *s, uint64_t now_ns, uint64_t quiet_ns,
                       vw_trace_cb cb, uint64_t *log_seq, vw_log_cb log_cb,
                       uint64_t *metric_seq,
                       void (*metrics_changed)(const vw_metric_t *const *m,
                                               size_t n, void *ud),
                       void *ud) {
  pthread_mutex_lock(&s->mu);
  vw_trace_t **v = sorted_traces(s);
  for (size_t i = 0; v && i < s->n_traces; i++) {
    vw_trace_t *t = v[i];
    /* wait for quiet even after the root: the services export on their
     * own timers, and a trace printed at its first part would be printed
     * again for each of the others */
    bool quiet = now_ns - t->last_update_ns >= quiet_ns;
    if (t->shown_spans < t->n_spans && quiet && vw_trace_ready(t, now_ns, quiet_ns)) {
      cb(t, ud);
      t->shown_spans = t->n_spans;
    }
  }
  free(v);
  uint64_t max_log = *log_seq;
  for (size_t i = 0; i < s->n_logs; i++) {
    vw_log_t *l = &s->logs[(s->log_head + i) % s->max_logs];
    if (l->seq > *log_seq) {
      log_cb(l, ud);
      if (l->seq > max_log) max_log = l->seq;
    }
  }
  *log_seq = max_log;
  uint64_t max_m = *metric_seq;
  for (size_t i = 0; i < s->n_metrics; i++)
    if (s->metrics[i].seq > max_m) max_m = s->metrics[i].seq;
  if (metrics_changed && max_m > *metric_seq) {
    *metric_seq = max_m;
    const vw_metric_t **mv = malloc(s->n_metrics * sizeof *mv);
    if (mv) {
      for (size_t i = 0; i < s->n_metrics; i++) mv[i] = &s->metrics[i];
      metrics_changed(mv, s->n_metrics, ud);
      free(mv);
    }
  }
  pthread_mutex_unlock(&s->mu);
}

void vw_store_read_traces(vw_store_t *s, vw_traces_cb cb, void *ud) {
  pthread_mutex_lock(&s->mu);
  vw_trace_t **v = sorted_traces(s);
  cb((const vw_trace_t *const *)v, v ? s->n_traces : 0, ud);
  free(v);
  pthread_mutex_unlock(&s->mu);
}

/* The log records (oldest first) whose trace id is id, or all when id is
 * NULL; the array is the caller's to free. */
static const vw_log_t **logs_of(vw_store_t *s, const uint8_t *id, size_t *n) {
  const vw_log_t **v = malloc((s->n_logs ? s->n_logs : 1) * sizeof *v);
  *n = 0;
  if (!v) return NULL;
  for (size_t i = 0; i < s->n_logs; i++) {
    const vw_log_t *l = &s->logs[(s->log_head + i) % s->max_logs];
    if (!id || (l->has_trace && memcmp(l->trace_id, id, 16) == 0)) v[(*n)++] = l;
  }
  return v;
}

void vw_store_read_trace(vw_store_t *s, const uint8_t id[16], vw_trace_logs_cb cb, void *ud) {
  pthread_mutex_lock(&s->mu);
  size_t pos = index_find(s, id), n = 0;
  const vw_trace_t *t = s->index[pos] ? &s->traces[s->index[pos] - 1] : NULL;
  const vw_log_t **logs = t ? logs_of(s, id, &n) : NULL;
  cb(t, logs, n, ud);
  free(logs);
  pthread_mutex_unlock(&s->mu);
}

void vw_store_read_logs(vw_store_t *s, vw_logs_cb cb, void *ud) {
  pthread_mutex_lock(&s->mu);
  size_t n;
  const vw_log_t **logs = logs_of(s, NULL, &n);
  cb(logs, n, ud);
  free(logs);
  pthread_mutex_unlock(&s->mu);
}

void vw_store_read_metrics(vw_store_t *s, vw_metrics_cb cb, void *ud) {
  pthread_mutex_lock(&s->mu);
  const vw_metric_t **v = malloc((s->n_metrics ? s->n_metrics : 1) * sizeof *v);
  for (size_t i = 0; v && i < s->n_metrics; i++) v[i] = &s->metrics[i];
  cb(v, v ? s->n_metrics : 0, ud);
  free(v);
  pthread_mutex_unlock(&s->mu);
}

uint64_t vw_store_seq(vw_store_t *s, vw_stats_t *stats) {
  pthread_mutex_lock(&s->mu);
  uint64_t seq = s->seq;
  if (stats) *stats = s->stats;
  pthread_mutex_unlock(&s->mu);
  return seq;
}

void vw_store_read_metrics_logs(vw_store_t *s, vw_metrics_logs_cb cb, void *ud) {
  pthread_mutex_lock(&s->mu);
  const vw_metric_t **v = malloc((s->n_metrics ? s->n_metrics : 1) * sizeof *v);
  for (size_t i = 0; v && i < s->n_metrics; i++) v[i] = &s->metrics[i];
  size_t n_logs;
  const vw_log_t **logs = logs_of(s, NULL, &n_logs);
  cb(v, v ? s->n_metrics : 0, logs, logs ? n_logs : 0, ud);
  free(v);
  free(logs);
  pthread_mutex_unlock(&s->mu);
}
