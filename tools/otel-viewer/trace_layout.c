/* SPDX-License-Identifier: Apache-2.0
 *
 * trace_layout.c: the shape of one trace for the trace page: the draw order
 * (depth first from the roots, children by start time, as the terminal
 * waterfall draws it), each span's depth and parent, each span's service
 * colour (distinct services in draw order, on the terminal view's
 * palette), the trace's time axis, and its critical path.
 *
 * The critical path is the chain of spans that the root's end waited on:
 * starting at the root with the longest duration, walk back from its end,
 * taking the child that ended last before that point, then the child that
 * ended last before that child started, and so on, and do the same inside
 * every child taken.
 */
#include "viewer.h"

#include <stdlib.h>
#include <string.h>

/* The terminal palette (cyan, yellow, magenta, green, blue, bright cyan:
 * render_waterfall.c) as the Tango terminal colours. */
static const char *const palette[] = {"#06989a", "#c4a000", "#75507b",
                                      "#4e9a06", "#3465a4", "#34e2e2"};

const char *vw_service_colour(int index) {
  return palette[(index < 0 ? 0 : index) % 6];
}

static bool starts_before(const vw_span_t *x, const vw_span_t *y) {
  if (x->start_ns != y->start_ns) return x->start_ns < y->start_ns;
  return memcmp(x->span_id, y->span_id, 8) < 0;
}

typedef struct walk {
  const vw_trace_t *t;
  vw_trace_layout_t *l;
  size_t *order; /* span indexes by start time */
} walk_t;

static void visit(walk_t *w, size_t i, int depth) {
  vw_trace_layout_t *l = w->l;
  if (l->depth[i] >= 0) return; /* cycle guard */
  l->depth[i] = depth;
  l->seq[l->n_seq++] = i;
  for (size_t k = 0; k < w->t->n_spans; k++) {
    size_t c = w->order[k];
    if (l->parent[c] == (long)i) visit(w, c, depth + 1);
  }
}

/* Marks i and the children its end waited on, recursively. */
static void critical(const vw_trace_t *t, vw_trace_layout_t *l, size_t i, size_t *kids) {
  l->critical[i] = true;
  size_t nk = 0;
  for (size_t k = 0; k < t->n_spans; k++)
    if (l->parent[k] == (long)i && !l->critical[k]) kids[nk++] = k;
  /* children by end, latest first (insertion sort: no qsort context) */
  for (size_t a = 1; a < nk; a++) {
    size_t v = kids[a], b = a;
    for (; b > 0 && t->spans[kids[b - 1]].end_ns < t->spans[v].end_ns; b--) kids[b] = kids[b - 1];
    kids[b] = v;
  }
  uint64_t cursor = t->spans[i].end_ns;
  size_t *mine = malloc((nk ? nk : 1) * sizeof *mine);
  if (!mine) return;
  memcpy(mine, kids, nk * sizeof *mine);
  for (size_t a = 0; a < nk; a++) {
    const vw_span_t *c = &t->spans[mine[a]];
    if (c->start_ns >= cursor) continue;
    critical(t, l, mine[a], kids);
    cursor = c->start_ns;
  }
  free(mine);
}

bool vw_trace_layout(const vw_trace_t *t, vw_trace_layout_t *l) {
  size_t n = t->n_spans;
  memset(l, 0, sizeof *l);
  l->seq = calloc(n + 1, sizeof *l->seq);
  l->depth = calloc(n + 1, sizeof *l->depth);
  l->parent = calloc(n + 1, sizeof *l->parent);
  l->critical = calloc(n + 1, sizeof *l->critical);
  l->service = calloc(n + 1, sizeof *l->service);
  l->services = calloc(n + 1, sizeof *l->services);
  size_t *order = calloc(n + 1, sizeof *order), *kids = calloc(n + 1, sizeof *kids);
  if (!l->seq || !l->depth || !l->parent || !l->critical || !l->service || !l->services ||
      !order || !kids) {
    free(order);
    free(kids);
    vw_trace_layout_free(l);
    return false;
  }
  for (size_t i = 0; i < n; i++) {
    order[i] = i;
    l->depth[i] = -1;
    l->parent[i] = -1;
    const vw_span_t *s = &t->spans[i];
    for (size_t k = 0; s->has_parent && k < n; k++)
      if (k != i && memcmp(t->spans[k].span_id, s->parent_id, 8) == 0) { l->parent[i] = (long)k; break; }
  }
  for (size_t a = 1; a < n; a++) {
    size_t v = order[a], b = a;
    for (; b > 0 && starts_before(&t->spans[v], &t->spans[order[b - 1]]); b--) order[b] = order[b - 1];
    order[b] = v;
  }
  walk_t w = {t, l, order};
  for (size_t k = 0; k < n; k++)
    if (l->parent[order[k]] < 0) visit(&w, order[k], 0);
  for (size_t k = 0; k < n; k++) /* parent cycles: drawn as roots */
    if (l->depth[order[k]] < 0) visit(&w, order[k], 0);
  l->t0 = n ? UINT64_MAX : 0;
  for (size_t i = 0; i < n; i++) {
    if (t->spans[i].start_ns < l->t0) l->t0 = t->spans[i].start_ns;
    if (t->spans[i].end_ns > l->t1) l->t1 = t->spans[i].end_ns;
  }
  if (l->t1 < l->t0) l->t1 = l->t0;
  for (size_t k = 0; k < l->n_seq; k++) {
    size_t i = l->seq[k];
    size_t si = 0;
    while (si < l->n_services && strcmp(l->services[si], t->spans[i].service) != 0) si++;
    if (si == l->n_services) l->services[l->n_services++] = t->spans[i].service;
    l->service[i] = (int)si;
  }
  long root = -1;
  for (size_t k = 0; k < l->n_seq; k++) {
    size_t i = l->seq[k];
    if (l->depth[i] != 0) continue;
    uint64_t d = t->spans[i].end_ns - t->spans[i].start_ns;
    if (root < 0 || d > t->spans[root].end_ns - t->spans[root].start_ns) root = (long)i;
  }
  if (root >= 0) critical(t, l, (size_t)root, kids);
  free(order);
  free(kids);
  return true;
}

void vw_trace_layout_free(vw_trace_layout_t *l) {
  free(l->seq);
  free(l->depth);
  free(l->parent);
  free(l->critical);
  free(l->service);
  free(l->services);
  memset(l, 0, sizeof *l);
}
