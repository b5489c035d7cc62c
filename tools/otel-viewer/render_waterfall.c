/* SPDX-License-Identifier: Apache-2.0
 *
 * render_waterfall.c: one trace as a waterfall tree, the way otel-tui and
 * otel-desktop-viewer draw it, in a terminal. A header line names the trace,
 * then one line per span, depth-first from the root (children by start
 * time), indented by parent:
 *
 *   <tree> service span-name   KIND   duration  |....####....|  [ERROR] attrs
 *
 * The bar is placed on the trace's own time axis (earliest start to latest
 * end). A span whose parent is not in the trace is drawn as a root.
 * Pure: the text depends only on the trace and the options (no clock, no
 * terminal queries), which is what lets tests compare it to a golden file.
 * Plain mode is ASCII only; colour mode uses ANSI colours and box glyphs.
 * Every string from telemetry goes through vw_term_text (term_escape.c):
 * a span name cannot clear the participant's screen.
 */
#include "viewer.h"

#include <stdlib.h>
#include <string.h>

#define RESET "\x1b[0m"
#define BOLD "\x1b[1m"
#define DIM "\x1b[2m"
#define RED "\x1b[1;31m"

static const char *const palette[] = {"\x1b[36m", "\x1b[33m", "\x1b[35m",
                                      "\x1b[32m", "\x1b[34m", "\x1b[96m"};

typedef struct ctx {
  const vw_trace_t *t;
  const vw_render_opts_t *o;
  size_t *order;        /* span indexes sorted by start time */
  int *depth;           /* per span: depth in the tree */
  char **prefix;        /* per span: tree glyphs before the name */
  int *prefix_cols;     /* per span: display columns of prefix */
  size_t *seq;          /* draw order: span indexes */
  size_t n_seq;
  const char **services;/* distinct services in draw order (for colours) */
  size_t n_services;
  uint64_t t0, t1;
} ctx_t;

static bool starts_before(const vw_span_t *x, const vw_span_t *y) {
  if (x->start_ns != y->start_ns) return x->start_ns < y->start_ns;
  return memcmp(x->span_id, y->span_id, 8) < 0;
}

/* Insertion sort of span indexes by start time (n is at most
 * VW_MAX_SPANS_PER_TRACE; qsort has no context pointer to stay pure). */
static void sort_by_start(const vw_trace_t *t, size_t *order, size_t n) {
  for (size_t i = 1; i < n; i++) {
    size_t v = order[i], j = i;
    for (; j > 0 && starts_before(&t->spans[v], &t->spans[order[j - 1]]); j--)
      order[j] = order[j - 1];
    order[j] = v;
  }
}

static bool parent_present(const vw_trace_t *t, const vw_span_t *s) {
  if (!s->has_parent) return false;
  for (size_t i = 0; i < t->n_spans; i++)
    if (memcmp(t->spans[i].span_id, s->parent_id, 8) == 0 && &t->spans[i] != s)
      return true;
  return false;
}

/* Depth-first walk: draws span i with the given ancestor prefix. */
static void walk(ctx_t *c, size_t i, const char *anc, int anc_cols, bool last,
                 bool is_root, int depth) {
  if (c->depth[i] >= 0) return; /* already drawn (cycle guard) */
  const char *branch = c->o->color ? (last ? "└─ " : "├─ ") : (last ? "`- " : "+- ");
  const char *cont = c->o->color ? (last ? "   " : "│  ") : (last ? "   " : "|  ");
  vw_buf_t b = {0};
  vw_buf_put(&b, anc);
  if (!is_root) vw_buf_put(&b, branch);
  c->prefix[i] = vw_buf_take(&b);
  c->prefix_cols[i] = anc_cols + (is_root ? 0 : 3);
  c->depth[i] = depth;
  c->seq[c->n_seq++] = i;

  vw_buf_t nb = {0};
  vw_buf_put(&nb, anc);
  if (!is_root) vw_buf_put(&nb, cont);
  char *child_anc = vw_buf_take(&nb);
  int child_cols = anc_cols + (is_root ? 0 : 3);
  const vw_span_t *s = &c->t->spans[i];
  size_t n_children = 0, drawn = 0;
  for (size_t k = 0; k < c->t->n_spans; k++) {
    const vw_span_t *ch = &c->t->spans[c->order[k]];
    if (ch != s && ch->has_parent && memcmp(ch->parent_id, s->span_id, 8) == 0)
      n_children++;
  }
  for (size_t k = 0; k < c->t->n_spans && child_anc; k++) {
    size_t ci = c->order[k];
    const vw_span_t *ch = &c->t->spans[ci];
    if (ch == s || !ch->has_parent || memcmp(ch->parent_id, s->span_id, 8) != 0)
      continue;
    drawn++;
    walk(c, ci, child_anc, child_cols, drawn == n_children, false, depth + 1);
  }
  free(child_anc);
}

static int service_index(ctx_t *c, const char *svc) {
  for (size_t i = 0; i < c->n_services; i++)
    if (strcmp(c->services[i], svc) == 0) return (int)i;
  c->services[c->n_services] = svc;
  return (int)c->n_services++;
}

/* Bytes of s that fit in cols display columns (UTF-8 aware). */
static int utf8_cols(const char *s) {
  int n = 0;
  for (; *s; s++) if (((unsigned char)*s & 0xC0) != 0x80) n++;
  return n;
}

/* Display columns of s once escaped for the terminal. */
static int term_cols(const char *s) {
  char *e = vw_term_escape(s);
  int n = e ? utf8_cols(e) : 0;
  free(e);
  return n;
}

static void put_bar(ctx_t *c, vw_buf_t *b, const vw_span_t *s, const char *colour) {
  int w = c->o->bar_width;
  uint64_t total = c->t1 > c->t0 ? c->t1 - c->t0 : 1;
  uint64_t st = s->start_ns > c->t0 ? s->start_ns - c->t0 : 0;
  uint64_t en = s->end_ns > c->t0 ? s->end_ns - c->t0 : 0;
  if (en < st) en = st;
  /* a span that starts after every end (its own end before its start)
   * lies past the axis: clamp, or the column would not fit an int (found
   * by fuzz/fuzz_otlp_json.c under UBSan) */
  if (st > total) st = total;
  if (en > total) en = total;
  int from = (int)((double)st * w / (double)total);
  int to = (int)(((double)en * w + (double)total - 1) / (double)total);
  if (from >= w) from = w - 1;
  if (to > w) to = w;
  if (to <= from) to = from + 1;
  vw_buf_put(b, "|");
  if (c->o->color) {
    vw_buf_repeat(b, " ", from);
    vw_buf_put(b, colour);
    vw_buf_repeat(b, "█", to - from);
    vw_buf_put(b, RESET);
    vw_buf_repeat(b, " ", w - to);
  } else {
    vw_buf_repeat(b, ".", from);
    vw_buf_repeat(b, "#", to - from);
    vw_buf_repeat(b, ".", w - to);
  }
  vw_buf_put(b, "|");
}

char *vw_render_waterfall(const vw_trace_t *t, const vw_render_opts_t *o) {
  vw_render_opts_t opts = *o;
  if (opts.bar_width < 10) opts.bar_width = 10;
  size_t n = t->n_spans;
  ctx_t c = {.t = t, .o = &opts};
  c.order = calloc(n + 1, sizeof *c.order);
  c.depth = calloc(n + 1, sizeof *c.depth);
  c.prefix = calloc(n + 1, sizeof *c.prefix);
  c.prefix_cols = calloc(n + 1, sizeof *c.prefix_cols);
  c.seq = calloc(n + 1, sizeof *c.seq);
  c.services = calloc(n + 1, sizeof *c.services);
  vw_buf_t b = {0};
  if (!c.order || !c.depth || !c.prefix || !c.prefix_cols || !c.seq || !c.services) {
    b.oom = true;
    goto out;
  }
  for (size_t i = 0; i < n; i++) { c.order[i] = i; c.depth[i] = -1; }
  sort_by_start(t, c.order, n);
  c.t0 = n ? UINT64_MAX : 0;
  for (size_t i = 0; i < n; i++) {
    if (t->spans[i].start_ns < c.t0) c.t0 = t->spans[i].start_ns;
    if (t->spans[i].end_ns > c.t1) c.t1 = t->spans[i].end_ns;
  }
  if (c.t1 < c.t0) c.t1 = c.t0;
  for (size_t k = 0; k < n; k++)
    if (!parent_present(t, &t->spans[c.order[k]]))
      walk(&c, c.order[k], "", 0, true, true, 0);
  for (size_t k = 0; k < n; k++) /* spans in parent cycles: draw as roots */
    if (c.depth[c.order[k]] < 0) walk(&c, c.order[k], "", 0, true, true, 0);

  /* header */
  char tid[33], dur[32], clock[16];
  vw_hex(t->trace_id, 16, tid);
  vw_format_duration(c.t1 - c.t0, dur, sizeof dur);
  vw_format_clock(c.t0, clock, sizeof clock);
  size_t n_services = 0;
  for (size_t k = 0; k < c.n_seq; k++) service_index(&c, t->spans[c.seq[k]].service);
  n_services = c.n_services;
  const vw_span_t *root = n ? &t->spans[c.seq[0]] : NULL;
  vw_buf_printf(&b, "%sTrace %s%s  ", opts.color ? BOLD : "", tid, opts.color ? RESET : "");
  vw_term_text(&b, root ? root->service : "-");
  vw_buf_put(&b, " ");
  vw_term_text(&b, root ? root->name : "-");
  vw_buf_printf(&b, "  %zu span%s, %zu service%s, %s, started %s UTC%s\n", n,
                n == 1 ? "" : "s", n_services, n_services == 1 ? "" : "s", dur,
                clock, t->root_seen ? "" : "  (root span not received yet)");

  /* name column: widest prefix + service + name, capped */
  int name_w = 20;
  for (size_t k = 0; k < c.n_seq; k++) {
    const vw_span_t *s = &t->spans[c.seq[k]];
    int w = c.prefix_cols[c.seq[k]] + term_cols(s->service) + 1 + term_cols(s->name);
    if (w > name_w) name_w = w;
  }
  if (name_w > 64) name_w = 64;

  /* axis line */
  char zero[8] = "0";
  int pad = opts.bar_width - (int)strlen(zero) - (int)strlen(dur);
  vw_buf_printf(&b, "%s%-*s %-8s %12s |%s%*s%s|%s\n", opts.color ? DIM : "", name_w,
                "SERVICE SPAN", "KIND", "DURATION", zero, pad > 0 ? pad : 0, "", dur,
                opts.color ? RESET : "");

  for (size_t k = 0; k < c.n_seq; k++) {
    size_t i = c.seq[k];
    const vw_span_t *s = &t->spans[i];
    const char *colour = palette[service_index(&c, s->service) % 6];
    bool error = s->status_code == 2;
    /* prefix + service + name, truncated to name_w columns */
    vw_buf_t nm = {0};
    vw_term_text(&nm, s->service);
    size_t svc_len = nm.len;
    vw_buf_put(&nm, " ");
    vw_term_text(&nm, s->name);
    char *text = vw_buf_take(&nm);
    if (!text) { b.oom = true; break; }
    int room = name_w - c.prefix_cols[i];
    int cols = utf8_cols(text);
    if (cols > room) { /* cut at a character boundary, mark with '~' */
      int seen = 0;
      char *p = text;
      for (; *p; p++) {
        if (((unsigned char)*p & 0xC0) != 0x80) {
          if (seen == room - 1) break;
          seen++;
        }
      }
      *p++ = '~';
      *p = '\0';
      cols = room;
    }
    vw_buf_put(&b, c.prefix[i]);
    if (svc_len > strlen(text)) svc_len = strlen(text); /* cut inside the service */
    if (opts.color) {
      vw_buf_printf(&b, "%s%.*s%s%s", colour, (int)svc_len, text, RESET, text + svc_len);
    } else {
      vw_buf_put(&b, text);
    }
    free(text);
    vw_buf_repeat(&b, " ", room - cols);
    vw_format_duration(s->end_ns >= s->start_ns ? s->end_ns - s->start_ns : 0, dur, sizeof dur);
    vw_buf_printf(&b, " %-8s %12s ", vw_kind_name(s->kind), dur);
    put_bar(&c, &b, s, error && opts.color ? RED : colour);
    if (error) {
      vw_buf_printf(&b, " %sERROR%s", opts.color ? RED : "", opts.color ? RESET : "");
      if (s->status_message[0]) {
        vw_buf_put(&b, " \"");
        vw_term_text(&b, s->status_message);
        vw_buf_put(&b, "\"");
      }
    }
    if (s->attrs[0]) {
      vw_buf_printf(&b, " %s", opts.color ? DIM : "");
      vw_term_text(&b, s->attrs);
      vw_buf_put(&b, opts.color ? RESET : "");
    }
    vw_buf_put(&b, "\n");
  }
out:
  for (size_t i = 0; c.prefix && i < n; i++) free(c.prefix[i]);
  free(c.order); free(c.depth); free(c.prefix); free(c.prefix_cols);
  free(c.seq); free(c.services);
  return vw_buf_take(&b);
}
