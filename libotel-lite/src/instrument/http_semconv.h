/* SPDX-License-Identifier: Apache-2.0
 *
 * http_semconv.h: what the civetweb and libcurl instrumentations share of
 * the stable HTTP semantic conventions: the advisory bucket boundaries of
 * http.server.request.duration and http.client.request.duration (seconds).
 * Internal to libotel-lite; include only where the buckets are used.
 */
#ifndef OTEL_HTTP_SEMCONV_H
#define OTEL_HTTP_SEMCONV_H

#include <stddef.h>

static const double otel__http_duration_buckets[] = {0.005, 0.01, 0.025, 0.05, 0.075,
                                                     0.1,   0.25, 0.5,   0.75, 1,
                                                     2.5,   5,    7.5,   10};
#define OTEL__HTTP_DURATION_BUCKET_COUNT \
  (sizeof otel__http_duration_buckets / sizeof otel__http_duration_buckets[0])

#endif /* OTEL_HTTP_SEMCONV_H */
