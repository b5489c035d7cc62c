/* SPDX-License-Identifier: Apache-2.0
 *
 * otlp_encode.h: signal data -> OTLP Export*ServiceRequest protobuf bytes.
 * The encoders know nothing of transports (otlp_client.h sends the bytes).
 * Internal to libotel-lite.
 */
#ifndef OTEL_OTLP_ENCODE_H
#define OTEL_OTLP_ENCODE_H

#include "otel/trace.h"

/* Encodes n spans as one ExportTraceServiceRequest, grouped by resource
 * and instrumentation scope. *out is malloc'd (free()); OTEL_ENOMEM. */
otel_err_t otel__otlp_encode_spans(const otel_span_data_t *const *spans, size_t n,
                                   uint8_t **out, size_t *out_len);

/* The same without moving the bytes to the start of their buffer: the
 * request is [*data, *data + *len) inside *base (malloc'd: free() it),
 * written backwards from the buffer's end (otlp_wire_back.h). For the
 * exporter, which sends them from there. */
otel_err_t otel__otlp_encode_spans_at(const otel_span_data_t *const *spans, size_t n, uint8_t **base,
                                      uint8_t **data, size_t *len);

#endif /* OTEL_OTLP_ENCODE_H */
