/* SPDX-License-Identifier: Apache-2.0
 *
 * render_format.c: the small formatters every view shares (durations,
 * clock times, span kinds), so that traces, logs and metrics read alike.
 */
#include "viewer.h"

#include <time.h>

void vw_format_duration(uint64_t ns, char *out, size_t size) {
  if (ns < 1000000000ull)
    snprintf(out, size, "%.3f ms", (double)ns / 1e6);
  else
    snprintf(out, size, "%.3f s", (double)ns / 1e9);
}

void vw_format_clock(uint64_t ns, char *out, size_t size) {
  time_t secs = (time_t)(ns / 1000000000ull);
  struct tm tm;
  gmtime_r(&secs, &tm);
  snprintf(out, size, "%02d:%02d:%02d.%03u", tm.tm_hour, tm.tm_min, tm.tm_sec,
           (unsigned)(ns / 1000000ull % 1000));
}

const char *vw_kind_name(int kind) {
  static const char *const names[] = {"UNSPEC", "INTERNAL", "SERVER",
                                      "CLIENT", "PRODUCER", "CONSUMER"};
  return kind >= 0 && kind <= 5 ? names[kind] : "?";
}
