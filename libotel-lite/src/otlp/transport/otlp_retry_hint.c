/* SPDX-License-Identifier: Apache-2.0
 *
 * otlp_retry_hint.c: turns a server's "try again in" hint (gRPC's
 * google.rpc.RetryInfo retry_delay, HTTP's Retry-After) into the delay the
 * retry loop (otlp_client.c) waits, whatever the server sent: seconds are
 * checked before they are multiplied (no int64 overflow for 2^62 s), a
 * negative or zero delay becomes 1 ms (the hint still says "retryable"),
 * and anything longer than OTEL__OTLP_MAX_RETRY_HINT_MS is cut to it.
 * The export's own timeout still bounds the whole loop.
 */
#include "otlp_transport.h"

uint32_t otel__otlp_retry_hint_ms(int64_t seconds, int64_t nanos) {
  const int64_t max = OTEL__OTLP_MAX_RETRY_HINT_MS;
  if (seconds >= max / 1000) return (uint32_t)max;
  if (seconds < 0 || (seconds == 0 && nanos <= 0)) return 1;
  /* google.protobuf.Duration: nanos in [0, 999999999] for a positive one */
  if (nanos < 0 || nanos > 999999999) nanos = 0;
  int64_t ms = seconds * 1000 + nanos / 1000000;
  return ms < 1 ? 1 : ms > max ? (uint32_t)max : (uint32_t)ms;
}
