/* bench_logs.c: cost of one otel_log_info() call on the emitting thread
 * with the batch processor (default options) in front of an exporter that
 * discards: printf formatting of a short message with one %s, clock,
 * trace-context lookup, record allocation and the queue. Prints the median
 * and p99 per record over paced rounds that never fill the queue, then a
 * sustained run with its drop count (a dropped emit is cheaper, so drops
 * must be visible next to any figure). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "otel/logs.h"

static otel_err_t discard(void *ctx, const otel_log_record_t *const *recs, size_t n) {
  (void)ctx;
  (void)recs;
  (void)n;
  return OTEL_OK;
}

static void nothing(void *ctx) { (void)ctx; }

static const struct otel_log_exporter_type discard_type = {
    .name = "discard", .export_records = discard, .shutdown = nothing};

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

int main(void) {
  enum { ROUNDS = 400, PER_ROUND = 256 };
  otel_logger_provider_options_t o;
  otel_logger_provider_options_init(&o);
  o.mirror_stderr = false;
  otel_logger_provider_t *lp;
  if (otel_logger_provider_create(&o, &lp)) return 1;
  otel_log_processor_t *p;
  if (otel_batch_log_processor_create(otel_log_exporter_create(&discard_type, NULL), NULL, &p)) return 1;
  otel_logger_provider_add_processor(lp, p);
  otel_logger_t *logger;
  logger = otel_logger_provider_get_logger(lp, "bench", NULL);
  const char *ip = "127.0.0.1";
  static double per_record[ROUNDS];
  for (int i = 0; i < 2000; i++) otel_log_info(logger, "warm up %s", ip);
  otel_logger_provider_force_flush(lp, 10000);
  /* Paced: each round's records fit in the queue, and a flush between
   * rounds (not timed) empties it, so no record is dropped and every
   * timed call does the full work. */
  for (int r = 0; r < ROUNDS; r++) {
    uint64_t t0 = now_ns();
    for (int i = 0; i < PER_ROUND; i++)
      otel_log_info(logger, "received request from IP address: %s", ip);
    per_record[r] = (double)(now_ns() - t0) / PER_ROUND;
    otel_logger_provider_force_flush(lp, 10000);
  }
  otel_log_processor_stats_t s;
  otel_log_processor_get_stats(p, &s);
  qsort(per_record, ROUNDS, sizeof(double), cmp);
  printf("bench_logs: otel_log_info(\"received request from IP address: %%s\") with batch "
         "processor: median %.0f ns/record, p99 %.0f ns/record (%d rounds x %d records, "
         "dropped %llu)\n",
         per_record[ROUNDS / 2], per_record[ROUNDS * 99 / 100], ROUNDS, PER_ROUND,
         (unsigned long long)s.dropped);
  /* Sustained: 1M records as fast as possible; the exporter thread competes
   * for the CPU, and a full queue drops (cheaply): both are reported. */
  enum { SUSTAINED = 1000000 };
  uint64_t t1 = now_ns();
  for (int i = 0; i < SUSTAINED; i++)
    otel_log_info(logger, "received request from IP address: %s", ip);
  double sustained = (double)(now_ns() - t1) / SUSTAINED;
  otel_logger_provider_force_flush(lp, 10000);
  otel_log_processor_stats_t s2;
  otel_log_processor_get_stats(p, &s2);
  printf("bench_logs: sustained %d records: mean %.0f ns/record, dropped %llu (%.1f%%)\n",
         SUSTAINED, sustained, (unsigned long long)(s2.dropped - s.dropped),
         100.0 * (double)(s2.dropped - s.dropped) / SUSTAINED);
  /* Below the minimum severity: the call returns before formatting. */
  uint64_t t0 = now_ns();
  for (int i = 0; i < 1000000; i++) otel_log_debug(logger, "filtered %s", ip);
  printf("bench_logs: filtered otel_log_debug: %.1f ns/call\n", (double)(now_ns() - t0) / 1e6);
  otel_logger_provider_destroy(lp);
  return 0;
}
