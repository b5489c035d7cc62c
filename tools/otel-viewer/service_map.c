/* SPDX-License-Identifier: Apache-2.0
 *
 * service_map.c: the service map of the stored traces. An edge A -> B is
 * counted for every SERVER (or CONSUMER) span of service B whose parent
 * span, in the same trace, belongs to another service A (normally A's
 * CLIENT span): one request. It is an error when either span has status
 * ERROR; its latency is the caller's span (what A waited), else B's.
 * Each service (node) counts its SERVER/CONSUMER spans (requests), their
 * errors and latencies, and its rate over the time its spans cover.
 * Quantiles are nearest-rank over the kept durations. Pure.
 */
#include "viewer.h"

#include <stdlib.h>
#include <string.h>

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

/* Nearest-rank quantile q of the n sorted values, in ms. */
static double quantile_ms(const uint64_t *v, size_t n, double q) {
  if (!n) return 0;
  size_t rank = (size_t)(q * (double)n + 0.999999);
  if (rank < 1) rank = 1;
  if (rank > n) rank = n;
  return (double)v[rank - 1] / 1e6;
}

typedef struct stat_acc {
  uint64_t *d;
  size_t n, cap;
} acc_t;

static bool acc_add(acc_t *a, uint64_t v) {
  if (a->n == a->cap) {
    size_t cap = a->cap ? 2 * a->cap : 16;
    uint64_t *d = realloc(a->d, cap * sizeof *d);
    if (!d) return false;
    a->d = d;
    a->cap = cap;
  }
  a->d[a->n++] = v;
  return true;
}

static void acc_finish(acc_t *a, double *p50, double *p99) {
  /* nothing to sort for a service without requests: qsort(NULL, 0) is
   * undefined (found by fuzz/fuzz_otlp_protobuf.c under UBSan) */
  if (a->n) qsort(a->d, a->n, sizeof *a->d, cmp_u64);
  *p50 = quantile_ms(a->d, a->n, 0.5);
  *p99 = quantile_ms(a->d, a->n, 0.99);
  free(a->d);
}

static uint64_t dur(const vw_span_t *s) { return s->end_ns > s->start_ns ? s->end_ns - s->start_ns : 0; }

/* Index of name in the nodes, added when new; -1 on OOM. */
static long node_of(vw_service_map_t *m, acc_t **accs, const char *name) {
  for (size_t i = 0; i < m->n_nodes; i++)
    if (strcmp(m->nodes[i].name, name) == 0) return (long)i;
  vw_map_node_t *n = realloc(m->nodes, (m->n_nodes + 1) * sizeof *n);
  if (!n) return -1;
  m->nodes = n;
  acc_t *a = realloc(*accs, (m->n_nodes + 1) * sizeof *a);
  if (!a) return -1;
  *accs = a;
  memset(&m->nodes[m->n_nodes], 0, sizeof *m->nodes);
  memset(&a[m->n_nodes], 0, sizeof *a);
  m->nodes[m->n_nodes].name = name;
  m->nodes[m->n_nodes].first_ns = UINT64_MAX;
  return (long)m->n_nodes++;
}

static long edge_of(vw_service_map_t *m, acc_t **accs, const char *from, const char *to) {
  for (size_t i = 0; i < m->n_edges; i++)
    if (strcmp(m->edges[i].from, from) == 0 && strcmp(m->edges[i].to, to) == 0) return (long)i;
  vw_map_edge_t *e = realloc(m->edges, (m->n_edges + 1) * sizeof *e);
  if (!e) return -1;
  m->edges = e;
  acc_t *a = realloc(*accs, (m->n_edges + 1) * sizeof *a);
  if (!a) return -1;
  *accs = a;
  memset(&m->edges[m->n_edges], 0, sizeof *m->edges);
  memset(&a[m->n_edges], 0, sizeof *a);
  m->edges[m->n_edges].from = from;
  m->edges[m->n_edges].to = to;
  return (long)m->n_edges++;
}

bool vw_service_map(const vw_trace_t *const *traces, size_t n, vw_service_map_t *m) {
  memset(m, 0, sizeof *m);
  acc_t *nacc = NULL, *eacc = NULL;
  bool ok = true;
  for (size_t t = 0; t < n && ok; t++) {
    const vw_trace_t *tr = traces[t];
    for (size_t i = 0; i < tr->n_spans && ok; i++) {
      const vw_span_t *s = &tr->spans[i];
      long ni = node_of(m, &nacc, s->service);
      if (ni < 0) { ok = false; break; }
      vw_map_node_t *node = &m->nodes[ni];
      node->spans++;
      if (s->start_ns < node->first_ns) node->first_ns = s->start_ns;
      if (s->start_ns > node->last_ns) node->last_ns = s->start_ns;
      if (s->kind != 2 && s->kind != 5) continue; /* SERVER, CONSUMER */
      node->requests++;
      node->errors += s->status_code == 2;
      if (!acc_add(&nacc[ni], dur(s))) { ok = false; break; }
      if (!s->has_parent) continue;
      const vw_span_t *p = NULL;
      for (size_t k = 0; k < tr->n_spans; k++)
        if (k != i && memcmp(tr->spans[k].span_id, s->parent_id, 8) == 0) { p = &tr->spans[k]; break; }
      if (!p || strcmp(p->service, s->service) == 0) continue;
      long ei = edge_of(m, &eacc, p->service, s->service);
      if (ei < 0) { ok = false; break; }
      m->edges[ei].requests++;
      m->edges[ei].errors += s->status_code == 2 || p->status_code == 2;
      if (!acc_add(&eacc[ei], p->kind == 3 || p->kind == 4 ? dur(p) : dur(s))) ok = false;
    }
  }
  for (size_t i = 0; i < m->n_nodes; i++) {
    vw_map_node_t *node = &m->nodes[i];
    acc_finish(&nacc[i], &node->p50_ms, &node->p99_ms);
    double secs = (double)(node->last_ns - node->first_ns) / 1e9;
    node->rate_per_s = node->requests ? (double)node->requests / (secs < 1 ? 1 : secs) : 0;
    if (node->first_ns == UINT64_MAX) node->first_ns = 0;
  }
  for (size_t i = 0; i < m->n_edges; i++)
    acc_finish(&eacc[i], &m->edges[i].p50_ms, &m->edges[i].p99_ms);
  free(nacc);
  free(eacc);
  if (!ok) vw_service_map_free(m);
  return ok;
}

void vw_service_map_free(vw_service_map_t *m) {
  free(m->nodes);
  free(m->edges);
  memset(m, 0, sizeof *m);
}

cJSON *vw_service_map_json(const vw_service_map_t *m) {
  cJSON *root = cJSON_CreateObject();
  cJSON *nodes = cJSON_AddArrayToObject(root, "services");
  cJSON *edges = cJSON_AddArrayToObject(root, "edges");
  if (!root || !nodes || !edges) { cJSON_Delete(root); return NULL; }
  for (size_t i = 0; i < m->n_nodes; i++) {
    const vw_map_node_t *n = &m->nodes[i];
    cJSON *o = cJSON_CreateObject();
    if (!o) break;
    cJSON_AddStringToObject(o, "name", n->name);
    cJSON_AddNumberToObject(o, "spans", (double)n->spans);
    cJSON_AddNumberToObject(o, "requests", (double)n->requests);
    cJSON_AddNumberToObject(o, "errors", (double)n->errors);
    cJSON_AddNumberToObject(o, "ratePerSecond", n->rate_per_s);
    cJSON_AddNumberToObject(o, "p50Ms", n->p50_ms);
    cJSON_AddNumberToObject(o, "p99Ms", n->p99_ms);
    cJSON_AddItemToArray(nodes, o);
  }
  for (size_t i = 0; i < m->n_edges; i++) {
    const vw_map_edge_t *e = &m->edges[i];
    cJSON *o = cJSON_CreateObject();
    if (!o) break;
    cJSON_AddStringToObject(o, "from", e->from);
    cJSON_AddStringToObject(o, "to", e->to);
    cJSON_AddNumberToObject(o, "requests", (double)e->requests);
    cJSON_AddNumberToObject(o, "errors", (double)e->errors);
    cJSON_AddNumberToObject(o, "p50Ms", e->p50_ms);
    cJSON_AddNumberToObject(o, "p99Ms", e->p99_ms);
    cJSON_AddItemToArray(edges, o);
  }
  return root;
}
