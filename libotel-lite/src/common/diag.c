/* SPDX-License-Identifier: Apache-2.0
 *
 * diag.c: self-diagnostics. Background failures (export errors, drops) go to
 * one error handler; the default prints a line on stderr, filtered by
 * OTEL_LOG_LEVEL and rate-limited per message kind, so a collector that is
 * down produces one line a second, not one per span.
 * Also the clocks (otel_time_now_ns, otel__monotonic_ns).
 */
#include "internal.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define DIAG_KINDS 32
#define DIAG_INTERVAL_NS 1000000000ull

static pthread_mutex_t diag_lock = PTHREAD_MUTEX_INITIALIZER;
static otel_error_handler_cb diag_handler;
static void *diag_user_data;

struct diag_kind_state {
  const char *kind;
  uint64_t last_ns;
  uint64_t suppressed;
};
static struct diag_kind_state diag_kinds[DIAG_KINDS];

uint64_t otel_time_now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t otel__monotonic_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void otel_set_error_handler(otel_error_handler_cb handler, void *user_data) {
  pthread_mutex_lock(&diag_lock);
  diag_handler = handler;
  diag_user_data = user_data;
  memset(diag_kinds, 0, sizeof(diag_kinds));
  pthread_mutex_unlock(&diag_lock);
}

static const otel__env_choice_t level_choices[] = {
    {"info", OTEL_DIAG_INFO},   {"debug", OTEL_DIAG_DEBUG}, {"warn", OTEL_DIAG_WARN},
    {"warning", OTEL_DIAG_WARN}, {"error", OTEL_DIAG_ERROR}, {"none", OTEL_DIAG_NONE},
    {"off", OTEL_DIAG_NONE},    {NULL, 0},
};

/* OTEL_LOG_LEVEL, any case; an unknown value warns once (that warning's
 * own call comes back here and finds it already given) and gives info. */
static otel_diag_level_t diag_min_level(void) {
  return (otel_diag_level_t)otel__env_enum("OTEL_LOG_LEVEL", level_choices, OTEL_DIAG_INFO);
}

static const char *diag_level_name(otel_diag_level_t level) {
  switch (level) {
  case OTEL_DIAG_DEBUG: return "debug";
  case OTEL_DIAG_INFO: return "info";
  case OTEL_DIAG_WARN: return "warn";
  case OTEL_DIAG_ERROR: return "error";
  case OTEL_DIAG_NONE: break;
  }
  return "?";
}

/* Returns how many earlier lines of this kind were suppressed, or -1 when
 * this one must be suppressed too. Called with diag_lock held. */
static int64_t diag_rate_limit(const char *kind, uint64_t now) {
  struct diag_kind_state *slot = NULL;
  for (int i = 0; i < DIAG_KINDS; i++) {
    if (diag_kinds[i].kind == kind || (diag_kinds[i].kind && !strcmp(diag_kinds[i].kind, kind))) {
      slot = &diag_kinds[i];
      break;
    }
    if (!diag_kinds[i].kind && !slot) slot = &diag_kinds[i];
  }
  if (!slot) return 0; /* table full: never lose a line for lack of a slot */
  if (slot->kind && now - slot->last_ns < DIAG_INTERVAL_NS) {
    slot->suppressed++;
    return -1;
  }
  int64_t suppressed = (int64_t)slot->suppressed;
  slot->kind = kind;
  slot->last_ns = now;
  slot->suppressed = 0;
  return suppressed;
}

void otel__diag(otel_diag_level_t level, const char *kind, const char *fmt, ...) {
  if (level < diag_min_level()) return;
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);

  pthread_mutex_lock(&diag_lock);
  otel_error_handler_cb handler = diag_handler;
  void *user_data = diag_user_data;
  int64_t suppressed = handler ? 0 : diag_rate_limit(kind ? kind : "", otel__monotonic_ns());
  pthread_mutex_unlock(&diag_lock);

  if (handler) {
    handler(level, msg, user_data);
    return;
  }
  if (suppressed < 0) return;
  if (suppressed > 0)
    fprintf(stderr, "otel-lite %s: %s (%lld similar messages suppressed)\n",
            diag_level_name(level), msg, (long long)suppressed);
  else
    fprintf(stderr, "otel-lite %s: %s\n", diag_level_name(level), msg);
}
